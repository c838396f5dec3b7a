//! Zola's template functions and filters, written once over plain JSON
//! values so that any template engine can expose them through a thin
//! adapter. Each takes its named arguments as a map and returns a value or
//! an error message written for the person reading the template.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use base64::Engine as _;
use serde_json::{json, Value};
use sha2::Digest;

use crate::config::Config;
use crate::render::context::SiteData;

pub(crate) type Args = HashMap<String, Value>;

/// What the functions read: the serialised site and where files are.
/// The functions whose answer a template prints unescaped, as Zola marks
/// them (`{{ get_url(path="a/b") }}` writes `a/b`, not `a&#x2F;b`).
pub(crate) const SAFE_ANSWERS: &[&str] = &["get_url", "get_taxonomy_url"];

#[derive(Clone)]
pub(crate) struct Functions {
    pub data: Arc<SiteData>,
    pub config: Arc<Config>,
    pub root: PathBuf,
    /// relative content path → (permalink)
    pub permalinks: Arc<HashMap<String, String>>,
    pub page_index: Arc<HashMap<String, usize>>,
    pub section_index: Arc<HashMap<String, usize>>,
    pub theme_static: Option<PathBuf>,
    /// Compiled Sass, by output path.
    pub sass: Arc<crate::sass::Compiled>,
    /// Page and section assets, by the output path they are copied to
    /// (`fr/blog/post/photo.jpg`): Zola finds files there too.
    pub assets: Arc<HashMap<String, PathBuf>>,
    /// `now()` answer when SOURCE_DATE_EPOCH is set.
    pub fixed_now: Option<chrono::DateTime<chrono::Utc>>,
    /// `resize_image`'s jobs, made after the render (shared by the
    /// functions before Markdown and after, and kept by `serve`).
    pub images: Arc<crate::images::Processor>,
    /// Zola's search index files, by output path, made before the
    /// templates (`get_url` with `cachebust` hashes them, as in Zola).
    pub search_index: Arc<HashMap<String, Vec<u8>>>,
}

impl Functions {
    /// These functions, finding the search index's `files` too.
    pub(crate) fn with_search_index(self: &Arc<Self>, files: &[super::OutFile]) -> Arc<Functions> {
        if files.is_empty() {
            return self.clone();
        }
        Arc::new(Functions {
            search_index: Arc::new(
                files
                    .iter()
                    .map(|f| (f.path.clone(), f.bytes.clone()))
                    .collect(),
            ),
            ..(**self).clone()
        })
    }
}

/// Width, height, format and MIME type of an image, as Zola gives them.
pub(crate) fn image_metadata(name: &str, bytes: &[u8]) -> Result<Value, String> {
    if name.to_ascii_lowercase().ends_with(".svg") {
        let (w, h) = svg_size(&String::from_utf8_lossy(bytes))
            .ok_or("the SVG sets neither `width` and `height` nor a `viewBox`")?;
        // Zola's MIME type for SVG, kept for templates that compare it.
        return Ok(json!({"width": w, "height": h, "format": "svg", "mime": "text/svg+xml"}));
    }
    let size =
        imagesize::blob_size(bytes).map_err(|e| format!("not an image this can read ({e})"))?;
    let (format, mime) = match imagesize::image_type(bytes) {
        Ok(imagesize::ImageType::Png) => ("png", "image/png"),
        Ok(imagesize::ImageType::Jpeg) => ("jpg", "image/jpeg"),
        Ok(imagesize::ImageType::Gif) => ("gif", "image/gif"),
        Ok(imagesize::ImageType::Webp) => ("webp", "image/webp"),
        Ok(imagesize::ImageType::Bmp) => ("bmp", "image/bmp"),
        Ok(imagesize::ImageType::Ico) => ("ico", "image/x-icon"),
        Ok(imagesize::ImageType::Tiff) => ("tiff", "image/tiff"),
        Ok(imagesize::ImageType::Heif(imagesize::Compression::Av1)) => ("avif", "image/avif"),
        _ => return Err("not an image format Zola reads".into()),
    };
    // As Zola: a JPEG (or PNG, WebP) turned a quarter by its EXIF
    // orientation has its width and height swapped.
    let (mut width, mut height) = (size.width, size.height);
    if matches!(format, "jpg" | "png" | "webp") {
        if let Ok(m) = crate::images::encode::meta(bytes) {
            (width, height) = (m.size.0 as usize, m.size.1 as usize);
        }
    }
    Ok(json!({"width": width, "height": height, "format": format, "mime": mime}))
}

/// An SVG's size from its root element: `width` and `height` when both are
/// plain numbers (or pixels), else the `viewBox`.
fn svg_size(text: &str) -> Option<(u64, u64)> {
    let start = text.find("<svg")?;
    let tag = &text[start..start + text[start..].find('>')?];
    let attr = |name: &str| -> Option<&str> {
        let mut from = 0;
        while let Some(i) = tag[from..].find(name) {
            let at = from + i;
            from = at + name.len();
            let before = tag[..at].chars().last();
            if !before.is_some_and(char::is_whitespace) {
                continue;
            }
            let rest = tag[from..].trim_start().strip_prefix('=')?.trim_start();
            let q = rest.chars().next()?;
            if q != '"' && q != '\'' {
                continue;
            }
            return rest[1..].split(q).next();
        }
        None
    };
    let num = |v: &str| -> Option<f64> { v.trim().trim_end_matches("px").parse::<f64>().ok() };
    if let (Some(w), Some(h)) = (attr("width").and_then(num), attr("height").and_then(num)) {
        return Some((w as u64, h as u64));
    }
    let vb: Vec<f64> = attr("viewBox")?
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|s| !s.is_empty())
        .filter_map(|s| s.parse().ok())
        .collect();
    (vb.len() == 4).then(|| (vb[2] as u64, vb[3] as u64))
}

fn str_arg<'a>(args: &'a Args, name: &str, func: &str) -> Result<&'a str, String> {
    match args.get(name) {
        Some(Value::String(s)) => Ok(s),
        Some(other) => Err(format!("`{func}` needs `{name}` to be text, not {other}")),
        None => Err(format!("`{func}` needs the argument `{name}`")),
    }
}

/// A whole number argument that fits `T` (a number like `300.0`, which a
/// division in a template makes, counts).
fn uint_arg<T: TryFrom<u64>>(args: &Args, name: &str, func: &str) -> Result<Option<T>, String> {
    let bad = |v: &Value| {
        format!("`{func}` needs `{name}` to be a whole number of the right size, not {v}")
    };
    match args.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => {
            let n = v
                .as_u64()
                .or_else(|| {
                    v.as_f64()
                        .filter(|f| f.fract() == 0.0 && *f >= 0.0 && *f < 1e15)
                        .map(|f| f as u64)
                })
                .ok_or_else(|| bad(v))?;
            T::try_from(n).map(Some).map_err(|_| bad(v))
        }
    }
}

fn opt_str_arg<'a>(args: &'a Args, name: &str, func: &str) -> Result<Option<&'a str>, String> {
    match args.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(format!("`{func}` needs `{name}` to be text, not {other}")),
    }
}

fn bool_arg(args: &Args, name: &str, default: bool) -> Result<bool, String> {
    match args.get(name) {
        None => Ok(default),
        Some(Value::Bool(b)) => Ok(*b),
        Some(other) => Err(format!("`{name}` must be true or false, not {other}")),
    }
}

impl Functions {
    /// The bytes of a file the site serves at `path`: site static, content,
    /// the theme's static (or the built-in theme's), the site root.
    fn static_bytes(&self, path: &str) -> Option<Vec<u8>> {
        let p = path.trim_start_matches('/');
        if let Some(f) = self.static_file(p) {
            return std::fs::read(f).ok();
        }
        if let Some(css) = self.sass.get(p) {
            return Some(css.to_vec());
        }
        if let Some(index) = self.search_index.get(p) {
            return Some(index.clone());
        }
        if let Ok(Some(h)) = crate::markdown::highlight::for_config(&self.root, &self.config) {
            if let Some((_, css)) = h.stylesheets().into_iter().find(|(n, _)| *n == p) {
                return Some(css.into_bytes());
            }
        }
        if let Some(f) = self.assets.get(p) {
            return std::fs::read(f).ok();
        }
        if self.config.theme.is_none() {
            return crate::render::theme::default_static()
                .into_iter()
                .find(|(n, _)| n == p)
                .map(|(_, b)| b.to_vec());
        }
        None
    }

    /// A file in static/, content/, the theme's static/ or the site root.
    /// `..` may be used as long as the file stays inside the site (Zola
    /// finds `content/../theme.toml`); symlinks out of it are refused.
    fn static_file(&self, p: &str) -> Option<PathBuf> {
        let candidates = [
            Some(self.root.join("static").join(p)),
            Some(self.root.join("content").join(p)),
            self.theme_static.as_ref().map(|t| t.join(p)),
            Some(self.root.join(p)),
        ];
        candidates
            .into_iter()
            .flatten()
            .find(|c| c.is_file() && self.inside_site(c))
    }

    fn inside_site(&self, file: &Path) -> bool {
        match (file.canonicalize(), self.root.canonicalize()) {
            (Ok(f), Ok(r)) => f.starts_with(r),
            _ => false,
        }
    }

    pub(crate) fn get_url(&self, args: &Args) -> Result<Value, String> {
        let path = str_arg(args, "path", "get_url")?;
        let trailing_slash = bool_arg(args, "trailing_slash", false)?;
        let cachebust = bool_arg(args, "cachebust", false)?;
        if let Some(rel) = path.strip_prefix("@/") {
            let (file, anchor) = match rel.split_once('#') {
                Some((f, a)) => (f, Some(a)),
                None => (rel, None),
            };
            let link = self
                .permalinks
                .get(file)
                .ok_or_else(|| format!("`get_url` could not find `{path}` in content/"))?;
            return Ok(Value::String(match anchor {
                Some(a) => format!("{link}#{a}"),
                None => link.clone(),
            }));
        }
        if crate::markdown::is_external(path) {
            return Ok(Value::String(path.to_string()));
        }
        // `lang` puts the language's prefix in front, as Zola does, unless
        // the path starts with it already.
        let lang = self.lang_arg(args, "get_url")?;
        let bare = path.trim_start_matches('/');
        let prefixed;
        let path = if lang != self.config.default_language && !bare.starts_with(lang) {
            prefixed = format!("{lang}/{bare}");
            prefixed.as_str()
        } else {
            path
        };
        // As in Zola: the URL ends with `/` only with `trailing_slash=true`.
        let mut url = format!("{}/{}", self.config.base(), path.trim_start_matches('/'));
        if trailing_slash && !url.ends_with('/') {
            url.push('/');
        } else if !trailing_slash && url.ends_with('/') {
            url.pop();
        }
        if cachebust {
            let bytes = self.static_bytes(path).ok_or_else(|| {
                format!("`get_url` with cachebust=true could not find the file `{path}` in static/")
            })?;
            let hash = format!("{:x}", sha2::Sha256::digest(&bytes));
            url = format!("{url}?h={}", &hash[..20]);
        }
        Ok(Value::String(url))
    }

    pub(crate) fn get_page(&self, args: &Args) -> Result<Value, String> {
        let path = str_arg(args, "path", "get_page")?.trim_start_matches('/');
        let path = self.in_language(path, args, "get_page")?;
        let i = self.page_index.get(&path).ok_or_else(|| {
            format!("`get_page` could not find the page `{path}` (paths are from content/, such as `blog/post.md`)")
        })?;
        Ok(Arc::unwrap_or_clone(self.data.page(*i)))
    }

    /// Not in Zola: every page and section the site writes, sorted by title
    /// (for an A to Z, or a search page without JavaScript): each with
    /// `title`, `permalink`, `description`, `kind` (`page`/`section`) and
    /// `section` (the title of the section it is in).
    pub(crate) fn get_all_pages(&self, _args: &Args) -> Result<Value, String> {
        // The title of the section a page or section is in, to tell apart
        // pages with the same title (a "Foreword" in each year).
        let parent = |v: &Value| -> Value {
            v["ancestors"]
                .as_array()
                .and_then(|a| a.last())
                .and_then(|p| p.as_str())
                .and_then(|p| self.section_index.get(p))
                .map(|i| self.data.sections_meta[*i]["title"].clone())
                .unwrap_or(Value::Null)
        };
        let entry = |v: &Value, kind: &str| {
            serde_json::json!({
                "title": v["title"],
                "permalink": v["permalink"],
                "description": v["description"],
                "kind": kind,
                "section": parent(v),
            })
        };
        let fields = ["title", "permalink", "description", "ancestors"].map(String::from);
        let mut all: Vec<Value> = (0..self.data.page_rendered.len())
            .filter(|p| self.data.page_rendered[*p])
            .map(|p| entry(&Value::Object(self.data.page_fields(p, &fields)), "page"))
            .chain(
                self.data
                    .sections_meta
                    .iter()
                    .filter(|s| s["render"] != Value::Bool(false) && !s["title"].is_null())
                    .map(|s| entry(s, "section")),
            )
            .filter(|v| v["title"].as_str().is_some_and(|t| !t.is_empty()))
            .collect();
        all.sort_by_cached_key(|v| {
            (
                v["title"].as_str().unwrap_or("").to_lowercase(),
                v["permalink"].as_str().unwrap_or("").to_string(),
            )
        });
        Ok(Value::Array(all))
    }

    pub(crate) fn get_section(&self, args: &Args) -> Result<Value, String> {
        let path = str_arg(args, "path", "get_section")?.trim_start_matches('/');
        let path = self.in_language(path, args, "get_section")?;
        let metadata_only = bool_arg(args, "metadata_only", false)?;
        let i = self.section_index.get(&path).ok_or_else(|| {
            format!("`get_section` could not find the section `{path}` (paths are from content/, such as `blog/_index.md`)")
        })?;
        Ok(if metadata_only {
            self.data.sections_meta[*i].clone()
        } else {
            self.data.section(*i, None)
        })
    }

    /// A content path in the language the `lang` argument names, as Zola's
    /// `get_page` and `get_section` read it: the language's code before
    /// the extension (`blog/_index.md` in `fr` is `blog/_index.fr.md`),
    /// nothing for the default language or without `lang`.
    fn in_language(&self, path: &str, args: &Args, func: &str) -> Result<String, String> {
        let lang = self.lang_arg(args, func)?;
        if lang == self.config.default_language {
            return Ok(path.to_string());
        }
        Ok(match path.rfind('.') {
            Some(dot) => format!("{}.{lang}{}", &path[..dot], &path[dot..]),
            None => format!("{path}.{lang}"),
        })
    }

    /// The `lang` argument, or the default language; an error for a
    /// language the site does not have.
    fn lang_arg<'a>(&'a self, args: &'a Args, func: &str) -> Result<&'a str, String> {
        match args.get("lang") {
            None | Some(Value::Null) => Ok(&self.config.default_language),
            Some(Value::String(l)) if self.config.has_language(l) => Ok(l),
            Some(Value::String(l)) => Err(format!(
                "`{func}`: the site has no language `{l}`; its languages are {}",
                self.config
                    .all_languages()
                    .iter()
                    .map(|l| format!("`{l}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
            Some(other) => Err(format!("`{func}` needs `lang` to be text, not {other}")),
        }
    }

    fn taxonomy_index(&self, args: &Args, kind: &str, func: &str) -> Result<usize, String> {
        let lang = self.lang_arg(args, func)?;
        self.data.taxonomy_position(kind, lang).ok_or_else(|| {
            if lang == self.config.default_language {
                format!("there is no taxonomy `{kind}` in the config")
            } else {
                format!("there is no taxonomy `{kind}` in `[languages.{lang}]` in the config")
            }
        })
    }

    pub(crate) fn get_taxonomy(&self, args: &Args) -> Result<Value, String> {
        let kind = str_arg(args, "kind", "get_taxonomy")?;
        match self.taxonomy_index(args, kind, "get_taxonomy") {
            Ok(i) => Ok(self.data.taxonomy(i)),
            Err(e) if bool_arg(args, "required", true)? => Err(e),
            Err(_) => Ok(Value::Null),
        }
    }

    pub(crate) fn get_taxonomy_term(&self, args: &Args) -> Result<Value, String> {
        let kind = str_arg(args, "kind", "get_taxonomy_term")?;
        let term = str_arg(args, "term", "get_taxonomy_term")?;
        let required = bool_arg(args, "required", true)?;
        let found = self.taxonomy_index(args, kind, "get_taxonomy_term")?;
        let found = Some(found).and_then(|ti| {
            let slug = crate::slug::slugify(term, self.config.slugify.taxonomies);
            self.data
                .term_heads(ti)
                .find(|(_, t)| t["name"] == term || t["slug"] == slug.as_str())
                .map(|(i, _)| self.data.term(ti, i, true))
        });
        match found {
            Some(t) => Ok(t),
            None if required => Err(format!(
                "`get_taxonomy_term` found no term `{term}` in `{kind}`"
            )),
            None => Ok(Value::Null),
        }
    }

    pub(crate) fn get_taxonomy_url(&self, args: &Args) -> Result<Value, String> {
        let kind = str_arg(args, "kind", "get_taxonomy_url")?;
        let name = str_arg(args, "name", "get_taxonomy_url")?;
        let required = bool_arg(args, "required", true)?;
        let found = self.taxonomy_index(args, kind, "get_taxonomy_url")?;
        let found = Some(found).and_then(|ti| {
            let slug = crate::slug::slugify(name, self.config.slugify.taxonomies);
            self.data
                .term_heads(ti)
                .find(|(_, t)| t["name"] == name || t["slug"] == slug.as_str())
                .map(|(_, t)| t["permalink"].clone())
        });
        match found {
            Some(p) => Ok(p),
            None if required => Err(format!(
                "`get_taxonomy_url` found no term `{name}` in `{kind}`"
            )),
            None => Ok(Value::Null),
        }
    }

    pub(crate) fn trans(&self, args: &Args) -> Result<Value, String> {
        let key = str_arg(args, "key", "trans")?;
        let lang = self.lang_arg(args, "trans")?;
        self.config
            .translation(key, lang)
            .map(|s| Value::String(s.to_string()))
            .ok_or_else(|| {
                if lang == self.config.default_language {
                    format!("there is no translation for `{key}` in `[translations]` in the config")
                } else {
                    format!("there is no translation for `{key}` in `[languages.{lang}.translations]` in the config")
                }
            })
    }

    pub(crate) fn now(&self, args: &Args) -> Result<Value, String> {
        let timestamp = bool_arg(args, "timestamp", false)?;
        let utc = bool_arg(args, "utc", false)?;
        let now = self.fixed_now.unwrap_or_else(chrono::Utc::now);
        Ok(if timestamp {
            json!(now.timestamp())
        } else if utc || self.fixed_now.is_some() {
            json!(now.to_rfc3339())
        } else {
            json!(now.with_timezone(&chrono::Local).to_rfc3339())
        })
    }

    pub(crate) fn get_hash(&self, args: &Args) -> Result<Value, String> {
        let bytes = match (args.get("path"), args.get("literal")) {
            (Some(Value::String(p)), None) => self
                .static_bytes(p)
                .ok_or_else(|| format!("`get_hash` could not find the file `{p}`"))?,
            (None, Some(Value::String(l))) => l.as_bytes().to_vec(),
            _ => return Err("`get_hash` needs either `path` or `literal`".into()),
        };
        let sha_type = args.get("sha_type").and_then(Value::as_u64).unwrap_or(384);
        let as_base64 = bool_arg(args, "base64", true)?;
        let digest: Vec<u8> = match sha_type {
            256 => sha2::Sha256::digest(&bytes).to_vec(),
            384 => sha2::Sha384::digest(&bytes).to_vec(),
            512 => sha2::Sha512::digest(&bytes).to_vec(),
            other => return Err(format!("`sha_type` must be 256, 384 or 512, not {other}")),
        };
        Ok(Value::String(if as_base64 {
            base64::engine::general_purpose::STANDARD.encode(digest)
        } else {
            digest.iter().map(|b| format!("{b:02x}")).collect()
        }))
    }

    /// Zola's `get_image_metadata(path, allow_missing)`: `width`, `height`,
    /// `format` and `mime` of an image in static/, content/, the theme's
    /// static/ or the site root. Sizes are read from the file's header.
    pub(crate) fn get_image_metadata(&self, args: &Args) -> Result<Value, String> {
        let path = str_arg(args, "path", "get_image_metadata")?;
        let allow_missing = bool_arg(args, "allow_missing", false)?;
        let p = path
            .strip_prefix("@/")
            .unwrap_or(path)
            .trim_start_matches('/');
        let Some(bytes) = self.static_bytes(p) else {
            if allow_missing {
                return Ok(Value::Null);
            }
            return Err(format!(
                "`get_image_metadata` could not find the image `{path}` in static/, content/ or the theme"
            ));
        };
        image_metadata(p, &bytes)
            .map_err(|e| format!("`get_image_metadata` cannot read `{path}`: {e}"))
    }

    /// Zola's `resize_image(path, width, height, op, format, quality,
    /// speed)`: `url`, `static_path`, `width`, `height`, `orig_width`
    /// and `orig_height`, worked out from the image's header; the file
    /// itself is made after the render (`crate::images`).
    pub(crate) fn resize_image(&self, args: &Args) -> Result<Value, String> {
        const F: &str = "resize_image";
        let path = str_arg(args, "path", F)?;
        let width = uint_arg::<u32>(args, "width", F)?;
        let height = uint_arg::<u32>(args, "height", F)?;
        let op = opt_str_arg(args, "op", F)?.unwrap_or("fill");
        let format = opt_str_arg(args, "format", F)?.unwrap_or("auto");
        let quality = uint_arg::<u8>(args, "quality", F)?;
        let speed = uint_arg::<u8>(args, "speed", F)?;
        let op =
            crate::images::Op::from_args(op, width, height).map_err(|e| format!("`{F}`: {e}"))?;
        let (file, unified) = self.find_image(path, F)?;
        let done = self
            .images
            .resize(crate::images::Request {
                written: path.to_string(),
                unified,
                file,
                op,
                format: format.to_string(),
                quality,
                speed,
                call: crate::render::deps::Call::new(F, args).args,
            })
            .map_err(|e| format!("`{F}`: {e}"))?;
        let dir = crate::images::PROCESSED;
        Ok(json!({
            "url": format!("{}/{dir}/{}", self.config.base(), done.name),
            "static_path": format!("static/{dir}/{}", done.name),
            "width": done.width,
            "height": done.height,
            "orig_width": done.orig_width,
            "orig_height": done.orig_height,
        }))
    }

    /// The file `path` names, found where Zola 0.22 looks for an image, in
    /// its order: the site root, `static/`, `content/`, the page and
    /// section assets by the path they are published at (Zola looks in
    /// the output folder, where it copied them), the theme's `static/`.
    /// `@/` means `content/`; a leading `/` is dropped. Also the path Zola
    /// hashes for the file name. A file outside the site is refused, and
    /// a missing one gets a "did you mean" from the files beside where it
    /// was looked for.
    fn find_image(&self, path: &str, func: &str) -> Result<(PathBuf, String), String> {
        let unified = if path.starts_with("@/") {
            path.replace("@/", "content/")
        } else {
            path.trim_start_matches('/').to_string()
        };
        let bases: Vec<PathBuf> = [
            Some(self.root.clone()),
            Some(self.root.join("static")),
            Some(self.root.join("content")),
            self.theme_static.clone(),
        ]
        .into_iter()
        .flatten()
        .collect();
        let asset = || self.assets.get(unified.as_str()).cloned();
        let found = bases[..3]
            .iter()
            .map(|b| b.join(&unified))
            .find(|p| p.is_file())
            .or_else(asset)
            .or_else(|| {
                bases
                    .get(3)
                    .map(|b| b.join(&unified))
                    .filter(|p| p.is_file())
            });
        if let Some(file) = found {
            if !self.inside_site(&file) {
                return Err(format!(
                    "`{func}`: `{path}` is `{}`, outside the site; images must be inside it",
                    file.display()
                ));
            }
            return Ok((file, unified));
        }
        let mut m = format!(
            "`{func}` could not find the image `{path}` (looked in the site folder, static/, content/, the pages' assets{})",
            if self.theme_static.is_some() { " and the theme's static/" } else { "" }
        );
        if let Some(s) = self.near_image(path, &unified, &bases) {
            m.push_str(&format!("; did you mean `{s}`?"));
        }
        Err(m)
    }

    /// The closest file name to `unified`'s beside where it was looked
    /// for, written as the template wrote `path`.
    fn near_image(&self, path: &str, unified: &str, bases: &[PathBuf]) -> Option<String> {
        let (parent, name) = match unified.rsplit_once('/') {
            Some((p, n)) => (p, n),
            None => ("", unified),
        };
        let mut names: Vec<String> = Vec::new();
        for b in bases {
            if let Ok(entries) = std::fs::read_dir(b.join(parent)) {
                names.extend(
                    entries
                        .flatten()
                        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
                        .map(|e| e.file_name().to_string_lossy().into_owned()),
                );
            }
        }
        let prefix = if parent.is_empty() {
            String::new()
        } else {
            format!("{parent}/")
        };
        names.extend(
            self.assets
                .keys()
                .filter_map(|k| k.strip_prefix(&prefix))
                .filter(|n| !n.contains('/'))
                .map(str::to_string),
        );
        names.sort();
        names.dedup();
        let best = crate::diagnostics::closest(name, names.iter().map(String::as_str))?;
        let written_parent = &path[..path.len() - path.rsplit('/').next().unwrap_or("").len()];
        Some(format!("{written_parent}{best}"))
    }

    pub(crate) fn load_data(&self, args: &Args) -> Result<Value, String> {
        if args.contains_key("url") {
            return Err("`load_data(url=…)` (fetching remote data) is not supported by throughline yet; save the file under the site and use `path`".into());
        }
        let required = bool_arg(args, "required", true)?;
        let (text, ext) = match (args.get("path"), args.get("literal")) {
            (Some(Value::String(p)), None) => {
                let rel = p.trim_start_matches('/');
                let candidates: Vec<PathBuf> = vec![
                    self.root.join(rel),
                    self.root.join("content").join(rel),
                    self.root.join("static").join(rel),
                ];
                if let Some(outside) = candidates
                    .iter()
                    .find(|c| c.is_file() && !self.inside_site(c))
                {
                    if !candidates
                        .iter()
                        .any(|c| c.is_file() && self.inside_site(c))
                    {
                        return Err(format!(
                            "`load_data` cannot read `{p}`: `{}` is outside the site",
                            outside.display()
                        ));
                    }
                }
                let Some(file) = candidates
                    .into_iter()
                    .find(|c| c.is_file() && self.inside_site(c))
                else {
                    if required {
                        return Err(format!("`load_data` could not find `{p}` in the site"));
                    }
                    return Ok(Value::Null);
                };
                let text = std::fs::read_to_string(&file)
                    .map_err(|e| format!("cannot read `{p}`: {e}"))?;
                let ext = Path::new(rel)
                    .extension()
                    .map(|e| e.to_string_lossy().to_lowercase())
                    .unwrap_or_default();
                (text, ext)
            }
            (None, Some(Value::String(l))) => (l.clone(), String::new()),
            _ => return Err("`load_data` needs either `path` or `literal`".into()),
        };
        let format = match args.get("format") {
            Some(Value::String(f)) => f.to_lowercase(),
            _ => match ext.as_str() {
                "toml" | "json" | "csv" | "yaml" | "yml" | "bib" | "xml" => ext.clone(),
                _ => "plain".into(),
            },
        };
        parse_data(&text, &format)
    }
}

/// Parse loaded data in one of Zola's `load_data` formats.
pub(crate) fn parse_data(text: &str, format: &str) -> Result<Value, String> {
    match format {
        "plain" => Ok(Value::String(text.to_string())),
        "json" => serde_json::from_str(text).map_err(|e| format!("the JSON is not valid: {e}")),
        "toml" => toml::from_str::<toml::Table>(text)
            .map(|t| crate::value::toml_to_json(&toml::Value::Table(t)))
            .map_err(|e| format!("the TOML is not valid: {}", e.message())),
        "yaml" | "yml" => {
            serde_norway::from_str::<Value>(text).map_err(|e| format!("the YAML is not valid: {e}"))
        }
        "csv" => {
            let mut r = csv::ReaderBuilder::new()
                .has_headers(true)
                .from_reader(text.as_bytes());
            let headers: Vec<String> = r
                .headers()
                .map_err(|e| format!("the CSV is not valid: {e}"))?
                .iter()
                .map(str::to_string)
                .collect();
            let mut records = Vec::new();
            for rec in r.records() {
                let rec = rec.map_err(|e| format!("the CSV is not valid: {e}"))?;
                records.push(Value::Array(
                    rec.iter().map(|c| Value::String(c.to_string())).collect(),
                ));
            }
            Ok(json!({"headers": headers, "records": records}))
        }
        other => Err(format!(
            "`load_data` cannot read the format `{other}`; use toml, json, csv, yaml or plain"
        )),
    }
}

// ---- filters ----

pub(crate) fn regex_replace(value: &str, args: &Args) -> Result<Value, String> {
    let pattern = str_arg(args, "pattern", "regex_replace")?;
    let rep = str_arg(args, "rep", "regex_replace")?;
    let re = regex::Regex::new(pattern)
        .map_err(|e| format!("`{pattern}` is not a valid regular expression: {e}"))?;
    Ok(Value::String(re.replace_all(value, rep).into_owned()))
}

pub(crate) fn num_format(value: &Value, _args: &Args) -> Result<Value, String> {
    let n = value
        .as_i64()
        .ok_or_else(|| format!("`num_format` takes a whole number, not {value}"))?;
    Ok(Value::String(thousands(n)))
}

/// `1234567` → `1,234,567`.
pub(crate) fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 {
        format!("-{out}")
    } else {
        out
    }
}

pub(crate) fn base64_encode(value: &str) -> Value {
    Value::String(base64::engine::general_purpose::STANDARD.encode(value.as_bytes()))
}

pub(crate) fn base64_decode(value: &str) -> Result<Value, String> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(value.as_bytes())
        .map_err(|e| format!("`base64_decode` was given text that is not base64: {e}"))?;
    String::from_utf8(bytes)
        .map(Value::String)
        .map_err(|_| "`base64_decode` produced bytes that are not UTF-8 text".into())
}

/// The `markdown` filter: Markdown to HTML, `inline=true` strips the
/// wrapping paragraph.
pub(crate) fn markdown_filter(value: &str, args: &Args, config: &Config) -> Result<Value, String> {
    let inline = bool_arg(args, "inline", false)?;
    let mut o = comrak::Options::default();
    o.extension.strikethrough = true;
    o.extension.table = true;
    o.extension.autolink = true;
    o.extension.tasklist = true;
    o.extension.footnotes = true;
    o.parse.smart = config.markdown.smart_punctuation;
    o.render.r#unsafe = true;
    let mut html = comrak::markdown_to_html(value, &o);
    if inline {
        let t = html.trim();
        if t.starts_with("<p>") && t.ends_with("</p>") && t.matches("<p>").count() == 1 {
            html = t[3..t.len() - 4].to_string();
        }
    }
    Ok(Value::String(html))
}

/// Tera's `date` filter, for engines that lack it: a timestamp, an RFC
/// 3339 date-time or a `YYYY-MM-DD` date, formatted with strftime's
/// `format` (`%Y-%m-%d` by default), in `locale` when given (`fr_FR`).
pub(crate) fn date_filter(
    v: &Value,
    format: Option<&str>,
    locale: Option<&str>,
) -> Result<String, String> {
    use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, TimeZone, Utc};
    let format = format.unwrap_or("%Y-%m-%d");
    let date: DateTime<FixedOffset> = match v {
        Value::Number(n) => {
            let t = n.as_i64().ok_or("`date` needs a whole number of seconds")?;
            Utc.timestamp_opt(t, 0)
                .single()
                .ok_or("`date`: that timestamp is out of range")?
                .fixed_offset()
        }
        Value::String(s) => {
            if let Ok(d) = DateTime::parse_from_rfc3339(s) {
                d
            } else if let Ok(d) = NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S") {
                d.and_utc().fixed_offset()
            } else if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
                d.and_hms_opt(0, 0, 0)
                    .ok_or("`date`: not a date")?
                    .and_utc()
                    .fixed_offset()
            } else {
                return Err(format!("`date` cannot read `{s}` as a date"));
            }
        }
        other => return Err(format!("`date` needs a date or a timestamp, not {other}")),
    };
    Ok(match locale {
        Some(l) => {
            let locale = chrono::Locale::try_from(l)
                .map_err(|_| format!("`date`: `{l}` is not a locale (write it as `fr_FR`)"))?;
            date.format_localized(format, locale).to_string()
        }
        None => date.format(format).to_string(),
    })
}

/// Tera's `escape_xml`.
pub(crate) fn escape_xml(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&apos;"),
            _ => o.push(c),
        }
    }
    o
}

/// HTML escaping as Tera does it: `& < > " ' /`.
pub(crate) fn escape_html(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#x27;"),
            '/' => o.push_str("&#x2F;"),
            _ => o.push(c),
        }
    }
    o
}

/// Tera's `striptags`: comments and tags out.
pub(crate) fn strip_tags(s: &str) -> String {
    static RE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let re = RE.get_or_init(|| regex::Regex::new(r"(?s)<!--.*?-->|<[^>]*>").expect("static regex"));
    re.replace_all(s, "").into_owned()
}

/// Tera's `truncate`: at most `length` characters, then `end` if cut.
pub(crate) fn truncate(s: &str, length: usize, end: &str) -> String {
    use unicode_segmentation::UnicodeSegmentation;
    let graphemes: Vec<&str> = s.graphemes(true).collect();
    if graphemes.len() <= length {
        return s.to_string();
    }
    format!("{}{end}", graphemes[..length].concat())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(647000), "647,000");
        assert_eq!(thousands(-1234567), "-1,234,567");
        assert_eq!(thousands(12), "12");
    }

    #[test]
    fn csv_data_shape() {
        let v = parse_data("period,value\n2022/23,58.9\n", "csv").unwrap();
        assert_eq!(v["headers"], json!(["period", "value"]));
        assert_eq!(v["records"][0][1], json!("58.9"));
    }
}

#[cfg(test)]
mod image_tests {
    use super::*;

    fn png(w: u32, h: u32) -> Vec<u8> {
        let mut b = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
        b.extend(w.to_be_bytes());
        b.extend(h.to_be_bytes());
        b.extend([8, 6, 0, 0, 0, 0, 0, 0, 0]);
        b
    }

    #[test]
    fn raster_sizes_and_formats() {
        let v = image_metadata("a.png", &png(640, 480)).unwrap();
        assert_eq!(
            v,
            json!({"width": 640, "height": 480, "format": "png", "mime": "image/png"})
        );
        assert!(image_metadata("a.png", b"not an image").is_err());
    }

    #[test]
    fn svg_sizes_from_attributes_or_view_box() {
        let both = br#"<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="120px" height='80'>"#;
        assert_eq!(image_metadata("x.svg", both).unwrap()["width"], 120);
        assert_eq!(image_metadata("x.svg", both).unwrap()["height"], 80);
        let vb = br#"<svg stroke-width="2" viewBox="0 0 300 150">"#;
        let v = image_metadata("x.SVG", vb).unwrap();
        assert_eq!(
            (v["width"].as_u64(), v["height"].as_u64()),
            (Some(300), Some(150))
        );
        assert!(image_metadata("x.svg", b"<svg>").is_err());
    }
}
