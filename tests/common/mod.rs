//! Helpers shared by the integration tests: copy a fixture or write a small
//! site into a temporary folder, build it, and read what it produced.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use throughline::{BuildFailed, Diagnostic, Options, Report};

pub struct TestSite {
    pub dir: tempfile::TempDir,
}

impl TestSite {
    /// A copy of `tests/fixtures/NAME`.
    pub fn fixture(name: &str) -> TestSite {
        let dir = tempfile::tempdir().expect("tempdir");
        let src = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name);
        copy_dir(&src, dir.path());
        TestSite { dir }
    }

    /// A site from (path, content) pairs.
    pub fn from_files(files: &[(&str, &str)]) -> TestSite {
        let dir = tempfile::tempdir().expect("tempdir");
        let site = TestSite { dir };
        for (p, c) in files {
            site.write(p, c);
        }
        site
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn write(&self, path: &str, content: &str) {
        self.write_bytes(path, content.as_bytes());
    }

    pub fn write_bytes(&self, path: &str, content: &[u8]) {
        let p = self.root().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, content).unwrap();
    }

    pub fn options(&self) -> Options {
        Options {
            root: self.root().to_path_buf(),
            ..Options::default()
        }
    }

    pub fn build(&self) -> Result<Report, BuildFailed> {
        throughline::build(&self.options())
    }

    pub fn public(&self) -> PathBuf {
        self.root().join("public")
    }

    pub fn read(&self, rel: &str) -> String {
        let p = self.public().join(rel);
        std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("reading {}: {e}", p.display()))
    }

    /// A file of the site's sources.
    #[allow(dead_code)]
    pub fn read_source(&self, rel: &str) -> String {
        let p = self.root().join(rel);
        std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("reading {}: {e}", p.display()))
    }

    /// Every file under the output, relative, sorted.
    pub fn outputs(&self) -> Vec<String> {
        list(&self.public())
    }
}

/// Every output file with its bytes.
pub fn snapshot(site: &TestSite) -> Vec<(String, Vec<u8>)> {
    site.outputs()
        .into_iter()
        .map(|f| {
            let bytes = std::fs::read(site.public().join(&f)).unwrap();
            (f, bytes)
        })
        .collect()
}

/// Build `site` (it must succeed), break it with `edit`, build again (it
/// must fail), check the output folder is byte for byte what the good build
/// wrote, and return the errors.
pub fn fails_cleanly(site: &TestSite, edit: impl FnOnce(&TestSite)) -> Vec<Diagnostic> {
    site.build().expect("the site builds before it is broken");
    let before = snapshot(site);
    edit(site);
    let failed = site.build().expect_err("the broken site must fail");
    assert_eq!(
        before,
        snapshot(site),
        "a failed build changed the output folder"
    );
    let errors: Vec<Diagnostic> = failed
        .diagnostics
        .into_iter()
        .filter(|d| d.is_error())
        .collect();
    assert!(!errors.is_empty());
    errors
}

/// The one error there must be.
pub fn only(errors: &[Diagnostic]) -> &Diagnostic {
    assert_eq!(errors.len(), 1, "expected one error, got: {errors:#?}");
    &errors[0]
}

pub fn list(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            e.path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/")
        })
        .collect();
    v.sort();
    v
}

pub fn copy_dir(src: &Path, dst: &Path) {
    for e in walkdir::WalkDir::new(src)
        .into_iter()
        .filter_map(Result::ok)
    {
        let rel = e.path().strip_prefix(src).unwrap();
        let target = dst.join(rel);
        if e.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(e.path(), &target).unwrap();
        }
    }
}

/// The text between `<p id="ID">` and `</p>` (or the element's end).
pub fn by_id<'a>(html: &'a str, id: &str) -> &'a str {
    let open = format!("id=\"{id}\">");
    let start = html
        .find(&open)
        .unwrap_or_else(|| panic!("no element #{id} in:\n{html}"))
        + open.len();
    let end = html[start..]
        .find("</")
        .map(|i| start + i)
        .unwrap_or(html.len());
    &html[start..end]
}

/// Undo Tera's HTML escaping of `/`, `&` and quotes for easier asserts.
pub fn unescape(s: &str) -> String {
    s.replace("&#x2F;", "/")
        .replace("&amp;", "&")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
}

/// A minimal valid site to break in one place.
pub fn minimal() -> Vec<(&'static str, &'static str)> {
    vec![
        (
            "config.toml",
            "base_url = \"https://min.example\"\ntitle = \"Min\"\n",
        ),
        ("content/_index.md", "+++\ntitle = \"Home\"\n+++\nHello\n"),
        ("content/news/_index.md", "+++\ntitle = \"News\"\n+++\n"),
        (
            "content/news/one.md",
            "+++\ntitle = \"One\"\n+++\nBody of one.\n",
        ),
        // The default theme links the statement from every footer.
        (
            "content/accessibility.md",
            "+++\ntitle = \"Accessibility statement\"\n+++\nA test site.\n",
        ),
    ]
}

/// The text of each cell, row by row, of the first table after `marker`:
/// tags removed, entities unescaped, whitespace collapsed. Header rows are
/// included.
pub fn table_rows(html: &str, marker: &str) -> Vec<Vec<String>> {
    let start = html
        .find(marker)
        .unwrap_or_else(|| panic!("no {marker} in:\n{html}"));
    let end = start
        + html[start..]
            .find("</table>")
            .unwrap_or_else(|| panic!("no table after {marker}"));
    html[start..end]
        .split("<tr")
        .skip(1)
        .map(|row| {
            row.split("<t")
                .skip(1)
                .filter(|c| c.starts_with('h') || c.starts_with('d'))
                .filter(|c| !c.starts_with("head") && !c.starts_with("body"))
                .map(|cell| text_of(&cell[cell.find('>').map(|i| i + 1).unwrap_or(0)..]))
                .collect()
        })
        .collect()
}

/// Text without tags, unescaped, whitespace collapsed.
pub fn text_of(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    unescape(&out)
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace(" :", ":")
        .replace(" ,", ",")
        .replace(" .", ".")
        .replace(" )", ")")
        .replace("( ", "(")
}

/// (file ending, line, column, underlined text) of a diagnostic.
pub fn place(d: &Diagnostic) -> (String, usize, usize, String) {
    let l = d.location.as_ref().expect("a located error");
    let underlined: String = l
        .source_line
        .chars()
        .skip(l.column - 1)
        .take(l.width)
        .collect();
    (
        l.file
            .to_string_lossy()
            .replace('\\', "/")
            .rsplit("content/")
            .next()
            .unwrap()
            .to_string(),
        l.line,
        l.column,
        underlined,
    )
}

pub fn hint(d: &Diagnostic) -> &str {
    d.hint.as_deref().unwrap_or("")
}

/// The part of `html` from `marker` to the end of its `<section>` (or of
/// the page).
pub fn section_at<'a>(html: &'a str, marker: &str) -> &'a str {
    let start = html
        .find(marker)
        .unwrap_or_else(|| panic!("no {marker} in:\n{html}"));
    let end = html[start..]
        .find("</section>")
        .map(|e| start + e)
        .unwrap_or(html.len());
    &html[start..end]
}

/// Replace each `[FILL IN: …]` and `"FILL IN: …"` in `text` as a site's
/// owner would: with words of their own.
pub fn filled(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("FILL IN:") {
        let before = &rest[..at];
        let (keep, close) = match before.chars().next_back() {
            Some('[') => (&before[..before.len() - 1], ']'),
            Some('"') => (before, '"'),
            _ => panic!("a FILL IN outside brackets or quotes: {rest}"),
        };
        out.push_str(keep);
        out.push_str("Our own words");
        let after = &rest[at..];
        let end = after
            .find(close)
            .unwrap_or_else(|| panic!("an unclosed FILL IN: {after}"));
        rest = if close == ']' {
            &after[end + 1..]
        } else {
            &after[end..]
        };
    }
    out.push_str(rest);
    out
}

/// [`filled`] on every file under `root` that holds a marker outside a
/// comment line: the config and the content.
pub fn fill_in_everything(root: &Path) {
    for rel in list(root) {
        if !(rel.ends_with(".md") || rel.ends_with(".toml")) {
            continue;
        }
        let path = root.join(&rel);
        let text = std::fs::read_to_string(&path).unwrap();
        // Comment lines may explain the marker; they are left alone.
        let mut out = String::new();
        for line in text.split_inclusive('\n') {
            if line.trim_start().starts_with("# ") && line.contains("FILL IN:") {
                out.push_str(line);
            } else {
                out.push_str(&filled(line));
            }
        }
        if out != text {
            std::fs::write(&path, out).unwrap();
        }
    }
}
