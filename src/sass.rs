//! Sass: compile `sass/**/*.scss|sass` into CSS, as Zola does.
//!
//! A named theme's `sass/` is always compiled (as in Zola); the site's own
//! `sass/` when `compile_sass = true`. Files and folders whose names start
//! with `_` are partials: imported, never compiled on their own. Each file
//! becomes a CSS file at the same path under the output folder, compressed.
//! The site's files are compiled after the theme's and win over them.
//!
//! The result is held in memory ([`Compiled`]) and handed to the writer with
//! the static files, and to template functions (`get_url(cachebust=true)`,
//! `get_hash`) that look a file up by its output path.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::config::Config;
use crate::diagnostics::{Diagnostic, Diagnostics, Location};

/// Output path (`css/main.css`) → compiled bytes. (`serve` compiles again
/// when anything under a [`folders`] entry changes.)
#[derive(Default, Clone, Debug)]
pub(crate) struct Compiled {
    pub files: BTreeMap<String, Arc<[u8]>>,
}

impl Compiled {
    pub(crate) fn get(&self, rel: &str) -> Option<&Arc<[u8]>> {
        self.files.get(rel.trim_start_matches('/'))
    }
}

/// The `sass/` folders a site compiles, theme first.
pub(crate) fn folders(root: &Path, config: &Config) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Some(t) = &config.theme {
        let d = root.join("themes").join(t).join("sass");
        if d.is_dir() {
            out.push(d);
        }
    }
    if config.compile_sass {
        out.push(root.join("sass"));
    }
    out
}

/// Compile every non-partial Sass file. Errors are reported located at the
/// Sass file, line and column; a file that fails is left out.
pub(crate) fn compile(root: &Path, config: &Config, diags: &Diagnostics) -> Compiled {
    let mut compiled = Compiled::default();
    for dir in folders(root, config) {
        if !dir.is_dir() {
            diags.push(
                Diagnostic::error("`compile_sass = true` but the site has no `sass/` folder")
                    .in_file(root.join("config.toml"))
                    .with_hint("make `sass/` with your .scss files, or remove `compile_sass`"),
            );
            continue;
        }
        let mut sources: Vec<(String, PathBuf)> = Vec::new();
        let walk = walkdir::WalkDir::new(&dir).sort_by_file_name().into_iter();
        for entry in walk.filter_entry(|e| {
            e.depth() == 0 || !e.file_name().to_string_lossy().starts_with(['_', '.'])
        }) {
            let Ok(entry) = entry else { continue };
            if !entry.file_type().is_file() {
                continue;
            }
            let p = entry.path();
            let is_sass = matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("scss") | Some("sass")
            );
            if !is_sass {
                continue;
            }
            let Ok(rel) = p.strip_prefix(&dir) else {
                continue;
            };
            let rel = rel
                .with_extension("css")
                .to_string_lossy()
                .replace('\\', "/");
            sources.push((rel, p.to_path_buf()));
        }
        // Two sources writing one file (`a.scss` and `a.sass`) is a mistake.
        for w in sources.windows(2) {
            if w[0].0 == w[1].0 {
                diags.push(
                    Diagnostic::error(format!(
                        "`{}` and `{}` would both be compiled to `{}`",
                        w[0].1.display(),
                        w[1].1.display(),
                        w[0].0
                    ))
                    .in_file(&w[1].1)
                    .with_hint("keep one of them, or rename the other"),
                );
            }
        }
        let results: Vec<(String, PathBuf, Result<String, Box<grass::Error>>)> = {
            use rayon::prelude::*;
            sources
                .into_par_iter()
                .map(|(rel, p)| {
                    let options = grass::Options::default().style(grass::OutputStyle::Compressed);
                    let r = grass::from_path(&p, &options);
                    (rel, p, r)
                })
                .collect()
        };
        for (rel, p, r) in results {
            match r {
                Ok(css) => {
                    compiled.files.insert(rel, Arc::from(css.into_bytes()));
                }
                Err(e) => diags.push(sass_error(&p, *e)),
            }
        }
    }
    compiled
}

fn sass_error(entry: &Path, e: grass::Error) -> Diagnostic {
    match e.kind() {
        grass::ErrorKind::ParseError { message, loc, .. } => {
            let file = PathBuf::from(loc.file.name());
            let file = if file.as_os_str().is_empty() {
                entry.to_path_buf()
            } else {
                file
            };
            let text = std::fs::read_to_string(&file).unwrap_or_default();
            let mut d = Diagnostic::error(format!("Sass: {message}"))
                .in_file(&file)
                .with_hint("fix the Sass at this line; its CSS is not written until it compiles");
            if !text.is_empty() {
                d = d.at(Location::from_line(
                    &file,
                    &text,
                    loc.begin.line + 1,
                    loc.begin.column + 1,
                ));
            }
            if file != entry {
                d = d.with_hint(format!(
                    "imported from `{}`; fix the Sass at this line",
                    entry.file_name().unwrap_or_default().to_string_lossy()
                ));
            }
            d
        }
        grass::ErrorKind::IoError(io) => {
            Diagnostic::error(format!("Sass: cannot read a file: {io}")).in_file(entry)
        }
        grass::ErrorKind::FromUtf8Error(s) => {
            Diagnostic::error(format!("Sass: the file is not UTF-8 text: {s}")).in_file(entry)
        }
        _ => Diagnostic::error("Sass: the file could not be compiled").in_file(entry),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(files: &[(&str, &str)], compile_sass: bool) -> (tempfile::TempDir, Config) {
        let dir = tempfile::tempdir().unwrap();
        for (p, t) in files {
            let f = dir.path().join(p);
            std::fs::create_dir_all(f.parent().unwrap()).unwrap();
            std::fs::write(f, t).unwrap();
        }
        let config = Config {
            compile_sass,
            ..Config::default()
        };
        (dir, config)
    }

    #[test]
    fn compiles_non_partials_with_imports_and_skips_partials() {
        let (dir, config) = site(
            &[
                ("sass/_vars.scss", "$ink: #0b0c0c;"),
                (
                    "sass/main.scss",
                    "@import 'vars';\nbody { p { color: $ink; } }",
                ),
                ("sass/print/page.sass", "a\n  color: red\n"),
                ("sass/_parts/x.scss", "this is not compiled {"),
            ],
            true,
        );
        let diags = Diagnostics::new();
        let c = compile(dir.path(), &config, &diags);
        assert!(!diags.has_errors(), "{:?}", diags.snapshot());
        let keys: Vec<&str> = c.files.keys().map(|s| s.as_str()).collect();
        assert_eq!(keys, ["main.css", "print/page.css"]);
        assert_eq!(&*c.files["main.css"], b"body p{color:#0b0c0c}".as_slice());
    }

    #[test]
    fn off_without_compile_sass() {
        let (dir, config) = site(&[("sass/main.scss", "a{b:c}")], false);
        let c = compile(dir.path(), &config, &Diagnostics::new());
        assert!(c.files.is_empty());
    }

    #[test]
    fn errors_point_at_the_file_and_line() {
        let (dir, config) = site(
            &[
                ("sass/main.scss", "@import 'broken';\na { color: red; }"),
                ("sass/_broken.scss", "a {\n  color: $nope;\n}\n"),
            ],
            true,
        );
        let diags = Diagnostics::new();
        let c = compile(dir.path(), &config, &diags);
        assert!(c.files.is_empty());
        let d = &diags.snapshot()[0];
        let shown = d.render(dir.path());
        assert!(shown.contains("Undefined variable"), "{shown}");
        assert!(shown.contains("_broken.scss:2:10"), "{shown}");
        assert!(shown.contains("imported from"), "{shown}");
    }
}
