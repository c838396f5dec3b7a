//! Stage 1: load. Walks `content/`, reads every Markdown file, splits and
//! parses its front matter, and builds the raw [`Page`]s and [`Section`]s
//! with their slugs, paths and permalinks. Nothing here knows about
//! templates or strategies.

pub(crate) mod frontmatter;
pub(crate) mod meta;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use regex::Regex;

use crate::config::Config;
use crate::content::{FileInfo, Page, Rendered, Section, Source, Words};
use crate::diagnostics::{closest, Diagnostic, Diagnostics, Location};
use crate::slug::slugify;

/// Everything found under `content/`.
#[derive(Debug, Default)]
pub struct Loaded {
    pub sections: Vec<Section>,
    pub pages: Vec<Page>,
    /// Pages and sections left out as drafts (relative paths), so that links
    /// to them can be reported as links to drafts rather than as broken.
    pub drafts: Vec<String>,
    /// The draft pages themselves (for plugins: a reference to a draft is
    /// reported as such, not as unknown).
    pub draft_pages: Vec<Page>,
    /// Pages that could not be loaded (their error is reported), so that a
    /// reference to one is not reported again as unknown.
    pub unreadable: Vec<Unreadable>,
}

/// A page whose file could not be read or parsed: what its address would
/// have been, as far as the file's name tells.
#[derive(Debug, Clone)]
pub struct Unreadable {
    pub path: PathBuf,
    /// From the content folder (`blog/post.md`).
    pub relative: String,
    /// The slug its name gives (`x`, or the folder's for `x/index.md`).
    pub slug: String,
    /// Its section's file (`blog/_index.md`).
    pub parent_section: String,
}

impl Unreadable {
    fn new(content: &Path, path: &Path, config: &Config) -> Option<Unreadable> {
        let relative = relative(content, path);
        let (file_name, lang) = language_of(path, config)
            .unwrap_or_else(|_| (String::new(), config.default_language.clone()));
        if file_name.starts_with("_index.") {
            return None;
        }
        let mut dirs: Vec<String> = relative.split('/').map(str::to_string).collect();
        dirs.pop();
        let stem = file_name
            .strip_suffix(".md")
            .unwrap_or(&file_name)
            .to_string();
        let stem = if stem == "index" { dirs.pop()? } else { stem };
        Some(Unreadable {
            path: path.to_path_buf(),
            relative,
            slug: slugify(&stem, config.slugify.paths),
            parent_section: section_file(&dirs, &lang, &config.default_language),
        })
    }
}

/// Whether `path`, opened as the system opens it (symlinks followed, `..`
/// after a link taken from the link's target), lies inside the folder
/// `root`. A path that does not exist resolves as far as it exists.
pub(crate) fn resolves_inside(root: &Path, path: &Path) -> bool {
    let real_root = match root.canonicalize() {
        Ok(r) => r,
        Err(_) => return false,
    };
    let path = if path.is_absolute() {
        path.to_path_buf()
    } else {
        root.join(path)
    };
    crate::output::resolve(&path).starts_with(&real_root)
}

pub(crate) use crate::diagnostics::invalid_utf8;

/// Whether a file or folder name is an editor's or system's leftover that is
/// never content: dotfiles, swap and backup files.
pub(crate) fn is_ignored_name(name: &str) -> bool {
    name.starts_with('.')
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with(".tmp")
        || (name.starts_with('#') && name.ends_with('#'))
}

fn date_in_name() -> &'static Regex {
    static RE: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r"^(?P<datetime>\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])(T([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d))?)(\s|_|-)(?P<slug>.+$)",
        )
        .expect("static regex")
    })
}

/// Content files read by an earlier build, with their size and time of
/// change: `serve` reads again only what changed.
#[derive(Default)]
pub(crate) struct LoadCache {
    files: std::collections::HashMap<PathBuf, CachedFile>,
    /// The last walk of `content/`: Markdown files and other files.
    walk: Option<(Vec<PathBuf>, Vec<PathBuf>)>,
    /// Files named as changed (by the watcher) since the last load: when
    /// set, the walk is skipped if none of them appeared or went, and only
    /// they are looked at again.
    hints: Option<Vec<PathBuf>>,
}

struct CachedFile {
    stamp: (u64, std::time::SystemTime),
    item: Option<Item>,
    diagnostics: Vec<Diagnostic>,
}

impl LoadCache {
    /// Read this file again next time, whatever its time of change says.
    pub(crate) fn forget(&mut self, path: &Path) {
        self.files.remove(path);
    }

    /// The next load may trust that only these files changed (the watcher
    /// saw every change). Without it, every file is walked and stat'ed.
    pub(crate) fn only_changed(&mut self, paths: &[PathBuf]) {
        self.hints = Some(paths.to_vec());
    }

    /// The last walk, if the hints say nothing under `content/` appeared
    /// or went.
    fn reusable_walk(&self, content: &Path) -> Option<(Vec<PathBuf>, Vec<PathBuf>)> {
        let hints = self.hints.as_ref()?;
        let (md, other) = self.walk.as_ref()?;
        let still = |p: &PathBuf| {
            !p.starts_with(content)
                || (p.is_file()
                    && (self.files.contains_key(p) || md.contains(p) || other.contains(p)))
        };
        hints.iter().all(still).then(|| (md.clone(), other.clone()))
    }
}

/// The file's text now, when only its body changed since `old` was read:
/// the front matter and its fences are byte for byte the same, so
/// everything loading derives from them is too. `None` otherwise (or when
/// the file cannot be read as text): the caller loads the site again, which
/// reports any problem.
pub(crate) fn reread_body(path: &Path, old: &Source) -> Option<Arc<str>> {
    let bytes = std::fs::read(path).ok()?;
    let text = std::str::from_utf8(&bytes).ok()?;
    let split = frontmatter::split(path, text).ok()?;
    let same = split.body_offset == old.body_offset
        && text.as_bytes().get(..split.body_offset) == old.text.as_bytes().get(..old.body_offset);
    same.then(|| Arc::from(text))
}

/// Read one content page again, as loading the site would, with what
/// loading it said. `None` when it is not a page any more, or cannot be
/// read (loading the whole site then reports why).
pub(crate) fn reload_page(
    root: &Path,
    config: &Config,
    path: &Path,
) -> Option<(Box<Page>, Vec<Diagnostic>)> {
    let own = Diagnostics::new();
    match load_file(&root.join("content"), path, config, &own) {
        Ok(Item::Page(p)) => Some((p, own.snapshot())),
        _ => None,
    }
}

fn stamp(path: &Path) -> Option<(u64, std::time::SystemTime)> {
    let m = std::fs::metadata(path).ok()?;
    Some((m.len(), m.modified().ok()?))
}

/// Load every content file under `root/content`, reusing what `cache`
/// holds of files that have not changed (and filling it).
pub(crate) fn load_content_cached(
    root: &Path,
    config: &Config,
    drafts: bool,
    diags: &Diagnostics,
    cache: Option<&mut LoadCache>,
) -> Loaded {
    let content = root.join("content");
    let ignore = build_globset(&config.ignored_content, diags);
    let mut md_files = Vec::new();
    let mut other_files = Vec::new();
    let reused = cache.as_ref().and_then(|c| c.reusable_walk(&content));
    let hints: Option<std::collections::HashSet<PathBuf>> = match (&reused, &cache) {
        (Some(_), Some(c)) => c.hints.as_ref().map(|h| h.iter().cloned().collect()),
        _ => None,
    };
    if let Some((md, other)) = reused {
        md_files = md;
        other_files = other;
    } else if content.is_dir() {
        let walker = walkdir::WalkDir::new(&content)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| e.depth() == 0 || !is_ignored_name(&e.file_name().to_string_lossy()));
        for entry in walker {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    diags.push(Diagnostic::error(format!(
                        "cannot read the content folder: {e}"
                    )));
                    continue;
                }
            };
            if !entry.file_type().is_file() {
                continue;
            }
            let path = entry.path().to_path_buf();
            let rel = relative(&content, &path);
            // Zola matches the globs against the whole path (so
            // `*/README.md` skips `content/README.md`); the path inside
            // `content/` is matched too, so `drafts/**` means what it says.
            if ignore
                .as_ref()
                .is_some_and(|g| g.is_match(&rel) || g.is_match(&path))
            {
                continue;
            }
            if path.extension().is_some_and(|e| e == "md") {
                if let Some(code) = unread_section_language(&path, config) {
                    diags.push(
                        Diagnostic::warning(format!(
                            "this section file is skipped: `{code}` is not one of the site's other languages (Zola skips it too)"
                        ))
                        .in_file(&path)
                        .with_hint(if code == config.default_language {
                            format!("the default language's section file is `_index.md`; `{code}` is the default")
                        } else {
                            format!("add `[languages.{code}]` to the config, or remove the file")
                        }),
                    );
                    continue;
                }
                md_files.push(path);
            } else {
                other_files.push(path);
            }
        }
    }

    let results: Vec<Result<Item, ()>> = match cache {
        None => md_files
            .par_iter()
            .map(|path| load_file(&content, path, config, diags))
            .collect(),
        Some(cache) => {
            let fresh: Vec<Option<CachedFile>> = md_files
                .par_iter()
                .map(|path| {
                    // With the watcher's word, unnamed files are unchanged.
                    if hints.as_ref().is_some_and(|h| !h.contains(path))
                        && cache.files.contains_key(path)
                    {
                        return None;
                    }
                    let stamp = stamp(path)?;
                    match cache.files.get(path) {
                        Some(c) if c.stamp == stamp => None,
                        _ => {
                            let own = Diagnostics::new();
                            let item = load_file(&content, path, config, &own).ok();
                            Some(CachedFile {
                                stamp,
                                item,
                                diagnostics: own.snapshot(),
                            })
                        }
                    }
                })
                .collect();
            let mut kept = std::collections::HashMap::with_capacity(md_files.len());
            for (path, f) in md_files.iter().zip(fresh) {
                let entry = match f {
                    Some(f) => f,
                    None => match cache.files.remove(path) {
                        Some(c) => c,
                        None => CachedFile {
                            stamp: (0, std::time::UNIX_EPOCH),
                            item: load_file(&content, path, config, diags).ok(),
                            diagnostics: Vec::new(),
                        },
                    },
                };
                kept.insert(path.clone(), entry);
            }
            cache.files = kept;
            cache.walk = Some((md_files.clone(), other_files.clone()));
            cache.hints = None;
            md_files
                .iter()
                .map(|path| {
                    let c = &cache.files[path];
                    diags.extend(c.diagnostics.iter().cloned());
                    c.item.clone().ok_or(())
                })
                .collect()
        }
    };
    let mut loaded = Loaded::default();
    // A page is about a kilobyte before its text: at 10,000 pages, the
    // doubling of a list grown one by one left 7 MB unused.
    loaded.pages.reserve_exact(results.len());
    for (path, item) in md_files.iter().zip(results) {
        let Ok(item) = item else {
            loaded
                .unreadable
                .extend(Unreadable::new(&content, path, config));
            continue;
        };
        match item {
            Item::Page(p) if p.meta.draft && !drafts => {
                loaded.drafts.push(p.file.relative.clone());
                loaded.draft_pages.push(*p);
            }
            Item::Section(s) if s.meta.draft && !drafts => {
                loaded.drafts.push(s.file.relative.clone())
            }
            Item::Page(p) => loaded.pages.push(*p),
            Item::Section(s) => loaded.sections.push(*s),
        }
    }

    // A draft section hides everything beneath it.
    let draft_dirs: Vec<String> = loaded
        .drafts
        .iter()
        // A section's `_index.md` or `_index.fr.md` (not the root's).
        .filter_map(|r| r.rsplit_once('/'))
        .filter(|(_, name)| name.starts_with("_index."))
        .map(|(dir, _)| format!("{dir}/"))
        .collect();
    if !draft_dirs.is_empty() {
        let (hidden, kept): (Vec<_>, Vec<_>) = std::mem::take(&mut loaded.pages)
            .into_iter()
            .partition(|p| draft_dirs.iter().any(|d| p.file.relative.starts_with(d)));
        loaded
            .drafts
            .extend(hidden.iter().map(|p| p.file.relative.clone()));
        loaded.draft_pages.extend(hidden);
        loaded.pages = kept;
        let (hidden, kept): (Vec<_>, Vec<_>) = std::mem::take(&mut loaded.sections)
            .into_iter()
            .partition(|s| draft_dirs.iter().any(|d| s.file.relative.starts_with(d)));
        loaded
            .drafts
            .extend(hidden.into_iter().map(|s| s.file.relative));
        loaded.sections = kept;
    }

    // The index section exists even without `content/_index.md`, in
    // every language.
    for lang in config.all_languages() {
        if !loaded
            .sections
            .iter()
            .any(|s| s.is_index() && s.lang == lang)
        {
            loaded.sections.push(default_index(&content, config, lang));
        }
    }

    attach_assets(&content, &mut loaded, &other_files);
    loaded
        .sections
        .sort_by(|a, b| a.file.relative.cmp(&b.file.relative));
    loaded
        .pages
        .sort_by(|a, b| a.file.relative.cmp(&b.file.relative));
    check_unique_paths(&loaded, diags);
    loaded.pages.shrink_to_fit();
    loaded
}

#[derive(Clone)]
enum Item {
    Page(Box<Page>),
    Section(Box<Section>),
}

fn relative(base: &Path, path: &Path) -> String {
    path.strip_prefix(base)
        .unwrap_or(path)
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

fn build_globset(patterns: &[String], diags: &Diagnostics) -> Option<globset::GlobSet> {
    if patterns.is_empty() {
        return None;
    }
    let mut b = globset::GlobSetBuilder::new();
    for p in patterns {
        match globset::Glob::new(p) {
            Ok(g) => {
                b.add(g);
            }
            Err(e) => diags.push(
                Diagnostic::error(format!(
                    "`{p}` in `ignored_content` is not a valid glob: {e}"
                ))
                .with_hint("globs look like `*.xlsx` or `drafts/**`"),
            ),
        }
    }
    b.build().ok()
}

fn load_file(
    content: &Path,
    path: &Path,
    config: &Config,
    diags: &Diagnostics,
) -> Result<Item, ()> {
    let bytes = std::fs::read(path).map_err(|e| {
        diags.push(Diagnostic::error(format!("cannot read this file: {e}")).in_file(path));
    })?;
    let text: Arc<str> = match std::str::from_utf8(&bytes) {
        Ok(t) => Arc::from(t),
        Err(e) => {
            diags.push(invalid_utf8(path, &bytes, e));
            return Err(());
        }
    };
    let split = frontmatter::split(path, &text).map_err(|d| diags.push(d))?;
    let mut fm = frontmatter::parse(path, &text, &split).map_err(|d| diags.push(d))?;
    let body_offset = split.body_offset;
    let rel = relative(content, path);
    let (file_name, lang) = language_of(path, config).map_err(|d| diags.push(d))?;
    let prefix = config.lang_prefix(&lang);
    let mut dirs: Vec<String> = rel.split('/').map(str::to_string).collect();
    dirs.pop();
    // The front matter moves into the page's `Source` once read.
    let into_source = |fm: frontmatter::FrontMatter| Source {
        text: text.clone(),
        body_offset,
        spans: fm.spans,
        front: fm.table,
    };

    if file_name == "_index.md" {
        let (meta, ds) = meta::section_meta(path, &text, &mut fm);
        let source = into_source(fm);
        diags.extend(ds);
        let path_str = if dirs.is_empty() {
            format!("{prefix}/")
        } else {
            format!("{prefix}/{}/", dirs.join("/"))
        };
        let parent_section = if dirs.is_empty() {
            String::new()
        } else {
            section_file(&dirs[..dirs.len() - 1], &lang, &config.default_language)
        };
        let permalink = config.permalink(&path_str);
        return Ok(Item::Section(Box::new(Section {
            file: FileInfo {
                path: path.to_path_buf(),
                relative: rel,
                colocated_path: None,
                components: dirs.clone(),
                name: "_index".into(),
                parent_section,
            },
            source,
            meta,
            path: path_str,
            components: dirs,
            permalink,
            assets: Vec::new(),
            serialized_assets: Vec::new(),
            lang,
            words: Words::default(),
            rendered: Rendered::default(),
            pages: Vec::new(),
            ignored_pages: Vec::new(),
            subsections: Vec::new(),
            ancestors: Vec::new(),
            backlinks: Vec::new(),
            translations: Vec::new(),
        })));
    }

    let (mut meta, ds) = meta::page_meta(path, &text, &mut fm);
    diags.extend(ds);
    let stem = file_name.trim_end_matches(".md").to_string();
    let is_bundle = stem == "index" && !dirs.is_empty();
    let (name, components, colocated_path) = if is_bundle {
        let name = dirs.last().cloned().unwrap_or_default();
        let colocated = format!("{}/", dirs.join("/"));
        let comps = dirs[..dirs.len() - 1].to_vec();
        (name, comps, Some(colocated))
    } else {
        (stem.clone(), dirs.clone(), None)
    };
    let mut slug_source = name.clone();
    if let Some(caps) = date_in_name().captures(&name) {
        if !config.slugify.paths_keep_dates {
            slug_source = caps["slug"].to_string();
        }
        if meta.date.is_none() {
            meta.date = meta::Date::parse(&caps["datetime"]);
        }
    }
    let slug = match &meta.slug {
        Some(s) => slugify(s, config.slugify.paths),
        None => slugify(&slug_source, config.slugify.paths),
    };
    let mut page_path = match &meta.path {
        Some(p) => {
            let p = p.trim();
            if p.starts_with('/') {
                p.to_string()
            } else {
                format!("/{p}")
            }
        }
        // A translation goes under its language's prefix (`/fr/…`), unless
        // it sets its own `path`, as in Zola.
        None => {
            if components.is_empty() {
                if stem == "index" && !is_bundle {
                    format!("{prefix}/")
                } else {
                    format!("{prefix}/{slug}")
                }
            } else {
                format!("{prefix}/{}/{}", components.join("/"), slug)
            }
        }
    };
    if !page_path.ends_with('/') {
        page_path.push('/');
    }
    if let Some(bad) = escaping_component(&page_path) {
        let key = if meta.path.is_some() { "path" } else { "slug" };
        let mut d = Diagnostic::error(format!(
            "this page's address `{page_path}` contains `{bad}`, which would put it outside the site"
        ))
        .in_file(path)
        .with_hint("use a path inside the site, such as `path = \"about/team\"`");
        if let Some(span) = fm.spans.value(key) {
            d = d.at(Location::from_span(path, &text, span));
        }
        diags.push(d);
        return Err(());
    }
    let page_components: Vec<String> = page_path
        .split('/')
        .filter(|c| !c.is_empty())
        .map(str::to_string)
        .collect();
    let permalink = config.permalink(&page_path);
    let parent_dirs = if is_bundle {
        &dirs[..dirs.len() - 1]
    } else {
        &dirs[..]
    };
    let source = into_source(fm);
    Ok(Item::Page(Box::new(Page {
        file: FileInfo {
            path: path.to_path_buf(),
            relative: rel,
            colocated_path,
            components,
            name,
            parent_section: section_file(parent_dirs, &lang, &config.default_language),
        },
        source,
        meta,
        slug,
        path: page_path,
        components: page_components,
        permalink,
        assets: Vec::new(),
        serialized_assets: Vec::new(),
        lang,
        words: Words::default(),
        rendered: Rendered::default(),
        ancestors: Vec::new(),
        lower: None,
        higher: None,
        backlinks: Vec::new(),
        translations: Vec::new(),
    })))
}

/// A path component that would leave the output folder, if any.
pub(crate) fn escaping_component(path: &str) -> Option<&str> {
    path.split(['/', '\\'])
        .find(|c| *c == ".." || *c == "." || c.contains(':'))
}

/// For a section file Zola does not read (`_index.CODE.md` where `CODE`
/// is not one of the config's languages other than the default, and so
/// also the default's own code), that code.
fn unread_section_language(path: &Path, config: &Config) -> Option<String> {
    let name = path.file_name()?.to_str()?;
    let code = name.strip_prefix("_index.")?.strip_suffix(".md")?;
    let other = code != config.default_language && config.languages.contains_key(code);
    (!other).then(|| code.to_string())
}

/// The file name of a content file with its language taken out
/// (`post.fr.md` → `post.md`, `_index.fr.md` → `_index.md`), and its
/// language (the default's own code stays in the name, as in Zola). Only a site with `[languages]` has translations; in one, a
/// second extension that is not one of its languages is an error, as in
/// Zola.
fn language_of(path: &Path, config: &Config) -> Result<(String, String), Diagnostic> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let default = config.default_language.clone();
    if config.languages.is_empty() {
        return Ok((name, default));
    }
    let stem = name.strip_suffix(".md").unwrap_or(&name);
    let Some((base, code)) = stem.split_once('.') else {
        return Ok((name, default));
    };
    // The default language's own code is not taken out, as in Zola:
    // `post.fr.md` on a site whose default is `fr` keeps its whole name,
    // so its slug is `post-fr` (real sites' addresses depend on it).
    if code == default {
        return Ok((name, default));
    }
    if config.languages.contains_key(code) {
        return Ok((format!("{base}.md"), code.to_string()));
    }
    let languages = config.all_languages();
    let hint = match closest(code, languages.iter().copied()) {
        Some(l) => format!("did you mean `{base}.{l}.md`?"),
        None => format!(
            "add `[languages.{code}]` to the config, or take the dots out of the file name: `{}.md`",
            stem.replace('.', "-")
        ),
    };
    Err(Diagnostic::error(format!(
        "this file's name says it is in the language `{code}`, which the config does not list (its languages: {})",
        languages.join(", ")
    ))
    .in_file(path)
    .with_hint(hint))
}

/// The `_index.md` of the folder `dirs` in `lang` (`_index.fr.md`).
pub(crate) fn section_file(dirs: &[String], lang: &str, default_language: &str) -> String {
    let name = if lang == default_language {
        "_index.md".to_string()
    } else {
        format!("_index.{lang}.md")
    };
    if dirs.is_empty() {
        name
    } else {
        format!("{}/{name}", dirs.join("/"))
    }
}

fn default_index(content: &Path, config: &Config, lang: &str) -> Section {
    let relative = section_file(&[], lang, &config.default_language);
    let path = format!("{}/", config.lang_prefix(lang));
    Section {
        file: FileInfo {
            path: content.join(&relative),
            relative,
            colocated_path: None,
            components: Vec::new(),
            name: "_index".into(),
            parent_section: String::new(),
        },
        source: Source {
            text: Arc::from(""),
            body_offset: 0,
            spans: Default::default(),
            front: toml::Table::new(),
        },
        meta: Default::default(),
        permalink: config.permalink(&path),
        path,
        components: Vec::new(),
        assets: Vec::new(),
        serialized_assets: Vec::new(),
        lang: lang.to_string(),
        words: Words::default(),
        rendered: Rendered::default(),
        pages: Vec::new(),
        ignored_pages: Vec::new(),
        subsections: Vec::new(),
        ancestors: Vec::new(),
        backlinks: Vec::new(),
        translations: Vec::new(),
    }
}

/// Give each bundle page the files in its folder, and each section the
/// non-Markdown files directly in its folder.
fn attach_assets(content: &Path, loaded: &mut Loaded, files: &[PathBuf]) {
    let mut by_dir: BTreeMap<String, Vec<&PathBuf>> = BTreeMap::new();
    for f in files {
        let rel = relative(content, f);
        let dir = rel
            .rsplit_once('/')
            .map(|(d, _)| d.to_string())
            .unwrap_or_default();
        by_dir.entry(dir).or_default().push(f);
    }
    for page in &mut loaded.pages {
        if let Some(col) = &page.file.colocated_path {
            let col = col.trim_end_matches('/');
            for (dir, fs) in &by_dir {
                if dir == col || dir.starts_with(&format!("{col}/")) {
                    for f in fs {
                        page.assets.push((*f).clone());
                        page.serialized_assets
                            .push(format!("/{}", relative(content, f)));
                    }
                }
            }
        }
    }
    for section in &mut loaded.sections {
        let dir = section.components.join("/");
        if let Some(fs) = by_dir.get(&dir) {
            for f in fs {
                section.assets.push((*f).clone());
                section
                    .serialized_assets
                    .push(format!("/{}", relative(content, f)));
            }
        }
    }
}

fn check_unique_paths(loaded: &Loaded, diags: &Diagnostics) {
    let mut seen: BTreeMap<&str, &Path> = BTreeMap::new();
    for s in &loaded.sections {
        seen.insert(&s.path, &s.file.path);
    }
    for p in &loaded.pages {
        if let Some(other) = seen.insert(&p.path, &p.file.path) {
            diags.push(
                Diagnostic::error(format!(
                    "two pieces of content would be written to the same address `{}`",
                    p.path
                ))
                .in_file(&p.file.path)
                .with_hint(format!(
                    "the other is {}; give one of them a different `slug` or `path`",
                    other.display()
                )),
            );
        }
    }
}
