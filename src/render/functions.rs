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

pub type Args = HashMap<String, Value>;

/// What the functions read: the serialised site and where files are.
pub struct Functions {
    pub data: Arc<SiteData>,
    pub config: Arc<Config>,
    pub root: PathBuf,
    /// relative content path → (permalink)
    pub permalinks: HashMap<String, String>,
    pub page_index: HashMap<String, usize>,
    pub section_index: HashMap<String, usize>,
    pub theme_static: Option<PathBuf>,
    /// `now()` answer when SOURCE_DATE_EPOCH is set.
    pub fixed_now: Option<chrono::DateTime<chrono::Utc>>,
}

fn str_arg<'a>(args: &'a Args, name: &str, func: &str) -> Result<&'a str, String> {
    match args.get(name) {
        Some(Value::String(s)) => Ok(s),
        Some(other) => Err(format!("`{func}` needs `{name}` to be text, not {other}")),
        None => Err(format!("`{func}` needs the argument `{name}`")),
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
        if p.split('/').any(|c| c == "..") {
            return None;
        }
        if let Some(f) = self.static_file(p) {
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

    fn static_file(&self, p: &str) -> Option<PathBuf> {
        let candidates = [
            Some(self.root.join("static").join(p)),
            Some(self.root.join("content").join(p)),
            self.theme_static.as_ref().map(|t| t.join(p)),
            Some(self.root.join(p)),
        ];
        candidates.into_iter().flatten().find(|c| c.is_file())
    }

    pub fn get_url(&self, args: &Args) -> Result<Value, String> {
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
        let mut url = format!("{}/{}", self.config.base(), path.trim_start_matches('/'));
        if trailing_slash && !url.ends_with('/') {
            url.push('/');
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

    pub fn get_page(&self, args: &Args) -> Result<Value, String> {
        let path = str_arg(args, "path", "get_page")?.trim_start_matches('/');
        let i = self.page_index.get(path).ok_or_else(|| {
            format!("`get_page` could not find the page `{path}` (paths are from content/, such as `blog/post.md`)")
        })?;
        Ok((*self.data.pages[*i]).clone())
    }

    /// Not in Zola: every page and section the site writes, sorted by title
    /// (for an A to Z, or a search page without JavaScript): each with
    /// `title`, `permalink`, `description`, `kind` (`page`/`section`) and
    /// `section` (the title of the section it is in).
    pub fn get_all_pages(&self, _args: &Args) -> Result<Value, String> {
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
        let mut all: Vec<Value> = self
            .data
            .pages
            .iter()
            .zip(&self.data.page_rendered)
            .filter(|(_, r)| **r)
            .map(|(p, _)| entry(p.as_ref(), "page"))
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

    pub fn get_section(&self, args: &Args) -> Result<Value, String> {
        let path = str_arg(args, "path", "get_section")?.trim_start_matches('/');
        let metadata_only = bool_arg(args, "metadata_only", false)?;
        let i = self.section_index.get(path).ok_or_else(|| {
            format!("`get_section` could not find the section `{path}` (paths are from content/, such as `blog/_index.md`)")
        })?;
        Ok(if metadata_only {
            self.data.sections_meta[*i].clone()
        } else {
            self.data.section(*i)
        })
    }

    fn taxonomy_index(&self, kind: &str) -> Result<usize, String> {
        self.config
            .taxonomies
            .iter()
            .position(|t| t.name == kind)
            .ok_or_else(|| format!("there is no taxonomy `{kind}` in the config"))
    }

    pub fn get_taxonomy(&self, args: &Args) -> Result<Value, String> {
        let kind = str_arg(args, "kind", "get_taxonomy")?;
        match self.taxonomy_index(kind) {
            Ok(i) => Ok(self.data.taxonomy(i)),
            Err(e) if bool_arg(args, "required", true)? => Err(e),
            Err(_) => Ok(Value::Null),
        }
    }

    pub fn get_taxonomy_term(&self, args: &Args) -> Result<Value, String> {
        let kind = str_arg(args, "kind", "get_taxonomy_term")?;
        let term = str_arg(args, "term", "get_taxonomy_term")?;
        let required = bool_arg(args, "required", true)?;
        let found = self.taxonomy_index(kind).ok().and_then(|ti| {
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

    pub fn get_taxonomy_url(&self, args: &Args) -> Result<Value, String> {
        let kind = str_arg(args, "kind", "get_taxonomy_url")?;
        let name = str_arg(args, "name", "get_taxonomy_url")?;
        let required = bool_arg(args, "required", true)?;
        let found = self.taxonomy_index(kind).ok().and_then(|ti| {
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

    pub fn trans(&self, args: &Args) -> Result<Value, String> {
        let key = str_arg(args, "key", "trans")?;
        self.config
            .translation(key)
            .map(|s| Value::String(s.to_string()))
            .ok_or_else(|| {
                format!("there is no translation for `{key}` in `[translations]` in the config")
            })
    }

    pub fn now(&self, args: &Args) -> Result<Value, String> {
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

    pub fn get_hash(&self, args: &Args) -> Result<Value, String> {
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

    pub fn load_data(&self, args: &Args) -> Result<Value, String> {
        if args.contains_key("url") {
            return Err("`load_data(url=…)` (fetching remote data) is not supported by throughline yet; save the file under the site and use `path`".into());
        }
        let required = bool_arg(args, "required", true)?;
        let (text, ext) = match (args.get("path"), args.get("literal")) {
            (Some(Value::String(p)), None) => {
                let rel = p.trim_start_matches('/');
                if rel.split('/').any(|c| c == "..") {
                    return Err(format!(
                        "`load_data` cannot read `{p}`: it is outside the site"
                    ));
                }
                let candidates: Vec<PathBuf> = vec![
                    self.root.join(rel),
                    self.root.join("content").join(rel),
                    self.root.join("static").join(rel),
                ];
                let Some(file) = candidates.into_iter().find(|c| c.is_file()) else {
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
pub fn parse_data(text: &str, format: &str) -> Result<Value, String> {
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

pub fn regex_replace(value: &str, args: &Args) -> Result<Value, String> {
    let pattern = str_arg(args, "pattern", "regex_replace")?;
    let rep = str_arg(args, "rep", "regex_replace")?;
    let re = regex::Regex::new(pattern)
        .map_err(|e| format!("`{pattern}` is not a valid regular expression: {e}"))?;
    Ok(Value::String(re.replace_all(value, rep).into_owned()))
}

pub fn num_format(value: &Value, _args: &Args) -> Result<Value, String> {
    let n = value
        .as_i64()
        .ok_or_else(|| format!("`num_format` takes a whole number, not {value}"))?;
    Ok(Value::String(thousands(n)))
}

/// `1234567` → `1,234,567`.
pub fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
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

pub fn base64_encode(value: &str) -> Value {
    Value::String(base64::engine::general_purpose::STANDARD.encode(value.as_bytes()))
}

pub fn base64_decode(value: &str) -> Result<Value, String> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(value.as_bytes())
        .map_err(|e| format!("`base64_decode` was given text that is not base64: {e}"))?;
    String::from_utf8(bytes)
        .map(Value::String)
        .map_err(|_| "`base64_decode` produced bytes that are not UTF-8 text".into())
}

/// The `markdown` filter: Markdown to HTML, `inline=true` strips the
/// wrapping paragraph.
pub fn markdown_filter(value: &str, args: &Args, config: &Config) -> Result<Value, String> {
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
