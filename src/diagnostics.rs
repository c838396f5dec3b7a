//! Errors and warnings a person can act on.
//!
//! Every stage reports problems as [`Diagnostic`]s into a shared
//! [`Diagnostics`] collector instead of stopping at the first one, so one run
//! shows everything that is wrong. A diagnostic points at a file and, where
//! it can, a line and column; it is rendered with the offending line and a
//! caret under the column, a plain-words message and a hint.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// How bad a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

/// A place in a source file, 1-based.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Location {
    pub file: PathBuf,
    pub line: usize,
    pub column: usize,
    /// The text of the line, for showing under the message.
    pub source_line: String,
    /// How many characters the caret underlines (at least 1).
    pub width: usize,
}

impl Location {
    /// Locate a byte offset range inside `text`, the whole content of `file`.
    pub fn from_span(file: &Path, text: &str, span: Range<usize>) -> Location {
        let start = span.start.min(text.len());
        let start = floor_char_boundary(text, start);
        let line_start = text[..start].rfind('\n').map(|i| i + 1).unwrap_or(0);
        let line_end = text[start..]
            .find('\n')
            .map(|i| start + i)
            .unwrap_or(text.len());
        let line = text[..start].matches('\n').count() + 1;
        let column = text[line_start..start].chars().count() + 1;
        let end = span.end.clamp(start, line_end);
        let end = floor_char_boundary(text, end);
        let width = text[start..end].chars().count().max(1);
        Location {
            file: file.to_path_buf(),
            line,
            column,
            source_line: text[line_start..line_end]
                .trim_end_matches('\r')
                .to_string(),
            width,
        }
    }

    /// A location known only by line (1-based) in `text`.
    pub fn from_line(file: &Path, text: &str, line: usize, column: usize) -> Location {
        let source_line = text.lines().nth(line.saturating_sub(1)).unwrap_or("");
        Location {
            file: file.to_path_buf(),
            line,
            column: column.max(1),
            source_line: source_line.trim_end_matches('\r').to_string(),
            width: 1,
        }
    }
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// One problem found in the site.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// The file at fault, when there is one.
    pub file: Option<PathBuf>,
    /// Line, column and text, when known.
    pub location: Option<Box<Location>>,
    /// What is wrong, in plain words.
    pub message: String,
    /// What to do about it.
    pub hint: Option<String>,
    /// Which family of checks found it (`accessibility`, `link`, …), for
    /// `check` (which makes accessibility findings errors) and JSON output.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<&'static str>,
}

impl Diagnostic {
    pub fn error(message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            file: None,
            location: None,
            message: message.into(),
            hint: None,
            code: None,
        }
    }

    pub fn warning(message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(message)
        }
    }

    pub fn in_file(mut self, file: impl Into<PathBuf>) -> Diagnostic {
        self.file = Some(file.into());
        self
    }

    pub fn at(mut self, location: Location) -> Diagnostic {
        self.file = Some(location.file.clone());
        self.location = Some(Box::new(location));
        self
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Diagnostic {
        self.hint = Some(hint.into());
        self
    }

    pub fn with_code(mut self, code: &'static str) -> Diagnostic {
        self.code = Some(code);
        self
    }

    /// The same diagnostic without the quoted source line: for a file that
    /// resolves outside the site, whose contents must not be printed.
    pub fn without_source(mut self) -> Diagnostic {
        if let Some(loc) = &mut self.location {
            loc.source_line.clear();
            loc.width = 0;
        }
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// Render for a terminal, paths shown relative to `base` where possible.
    pub fn render(&self, base: &Path) -> String {
        let mut out = String::new();
        let label = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        out.push_str(&format!("{label}: {}\n", self.message));
        let show = |p: &Path| shown_path(p, base);
        match (&self.location, &self.file) {
            (Some(loc), _) if loc.source_line.is_empty() && loc.width == 0 => {
                out.push_str(&format!(
                    "  --> {}:{}:{}\n",
                    show(&loc.file),
                    loc.line,
                    loc.column
                ));
            }
            (Some(loc), _) => {
                out.push_str(&format!(
                    "  --> {}:{}:{}\n",
                    show(&loc.file),
                    loc.line,
                    loc.column
                ));
                let num = loc.line.to_string();
                let pad = " ".repeat(num.len());
                out.push_str(&format!("{pad} |\n"));
                let shown_line = loc.source_line.replace('\t', " ");
                out.push_str(&format!("{num} | {shown_line}\n"));
                let caret_pad: String = " ".repeat(loc.column.saturating_sub(1));
                out.push_str(&format!(
                    "{pad} | {caret_pad}{}\n",
                    "^".repeat(loc.width.max(1))
                ));
            }
            (None, Some(file)) => out.push_str(&format!("  --> {}\n", show(file))),
            (None, None) => {}
        }
        if let Some(hint) = &self.hint {
            out.push_str(&format!("  = help: {hint}\n"));
        }
        out
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(Path::new("")))
    }
}

/// A thread-safe collector; stages push into it and the driver reports.
#[derive(Debug, Default)]
pub struct Diagnostics {
    items: Mutex<Vec<Diagnostic>>,
}

impl Diagnostics {
    pub fn new() -> Diagnostics {
        Diagnostics::default()
    }

    pub fn push(&self, d: Diagnostic) {
        self.items.lock().unwrap_or_else(|e| e.into_inner()).push(d);
    }

    pub fn extend(&self, ds: impl IntoIterator<Item = Diagnostic>) {
        self.items
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend(ds);
    }

    pub fn has_errors(&self) -> bool {
        self.items
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .any(Diagnostic::is_error)
    }

    /// How many errors so far: a stage compares counts to learn whether
    /// what it just checked was sound.
    pub fn error_count(&self) -> usize {
        self.items
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .filter(|d| d.is_error())
            .count()
    }

    /// Add a line to the hint of each error about `file` (the pages that
    /// refer to a page that failed to load, say).
    pub fn add_hint(&self, file: &Path, line: &str) {
        let mut items = self.items.lock().unwrap_or_else(|e| e.into_inner());
        for d in items.iter_mut().filter(|d| d.is_error()) {
            let about = d
                .location
                .as_ref()
                .map(|l| l.file.as_path())
                .or(d.file.as_deref());
            if about == Some(file) {
                d.hint = Some(match d.hint.take() {
                    Some(h) => format!("{h}\n{line}"),
                    None => line.to_string(),
                });
            }
        }
    }

    /// How many diagnostics so far (a stage's are those pushed between
    /// two counts: see [`Diagnostics::between`]).
    pub fn len(&self) -> usize {
        self.items.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The diagnostics pushed between two counts, in the order pushed.
    pub fn between(&self, from: usize, to: usize) -> Vec<Diagnostic> {
        let items = self.items.lock().unwrap_or_else(|e| e.into_inner());
        items
            .get(from.min(items.len())..to.min(items.len()))
            .unwrap_or_default()
            .to_vec()
    }

    /// All diagnostics so far, sorted by file and line so output is stable
    /// whatever order parallel stages finished in.
    pub fn snapshot(&self) -> Vec<Diagnostic> {
        let mut v = self.items.lock().unwrap_or_else(|e| e.into_inner()).clone();
        sort(&mut v);
        v.dedup();
        one_per_place(&mut v);
        v
    }
}

/// One mistake, one message: a warning at the very place (file, line and
/// column) of an error says less than the error (a strategy key written
/// above `[extra]` is an error that says to move it; the loader's "not a
/// front matter key" warning about the same word would contradict it).
pub fn one_per_place(v: &mut Vec<Diagnostic>) {
    let place = |d: &Diagnostic| {
        d.location
            .as_ref()
            .map(|l| (l.file.clone(), l.line, l.column))
    };
    let errors: std::collections::HashSet<(PathBuf, usize, usize)> = v
        .iter()
        .filter(|d| d.is_error())
        .filter_map(place)
        .collect();
    if errors.is_empty() {
        return;
    }
    v.retain(|d| d.is_error() || place(d).is_none_or(|p| !errors.contains(&p)));
}

/// A path for people and CI logs: relative to `base` where it is inside it,
/// without `./` (`./content/x.md` reads better, and matches editors' and
/// GitHub's links, as `content/x.md`), with `/` separators.
pub fn shown_path(p: &Path, base: &Path) -> String {
    let p = p.strip_prefix(base).unwrap_or(p);
    if p.is_absolute() {
        return p.to_string_lossy().replace('\\', "/");
    }
    p.components()
        .filter(|c| !matches!(c, std::path::Component::CurDir))
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// Sort by file, line and column, then message, so output is stable
/// whatever order parallel stages finished in.
pub fn sort(v: &mut [Diagnostic]) {
    v.sort_by(|a, b| {
        let ka = (
            a.file.clone(),
            a.location.as_ref().map(|l| (l.line, l.column)),
        );
        let kb = (
            b.file.clone(),
            b.location.as_ref().map(|l| (l.line, l.column)),
        );
        ka.cmp(&kb).then_with(|| a.message.cmp(&b.message))
    });
}

/// The closest candidate to `wanted`, if any is close enough to be a likely
/// typo. Used for "did you mean …?" hints.
pub fn closest<'a>(wanted: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let wanted_l = wanted.to_lowercase();
    let mut best: Option<(&str, f64)> = None;
    for c in candidates {
        let score = strsim::jaro_winkler(&wanted_l, &c.to_lowercase());
        if score > best.map(|b| b.1).unwrap_or(0.0) {
            best = Some((c, score));
        }
    }
    best.filter(|b| b.1 >= 0.8).map(|b| b.0)
}

/// A failed build: the diagnostics that made it fail (warnings included).
#[derive(Debug)]
pub struct BuildFailed {
    pub diagnostics: Vec<Diagnostic>,
}

impl fmt::Display for BuildFailed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.diagnostics.iter().filter(|d| d.is_error()).count();
        write!(f, "the site has {n} error{}", if n == 1 { "" } else { "s" })
    }
}

impl std::error::Error for BuildFailed {}

/// The error for a file that is not UTF-8, pointing at the first bad byte.
pub fn invalid_utf8(path: &std::path::Path, bytes: &[u8], e: std::str::Utf8Error) -> Diagnostic {
    let good = &bytes[..e.valid_up_to()];
    let text = String::from_utf8_lossy(bytes);
    let line = good.iter().filter(|b| **b == b'\n').count() + 1;
    let line_start = good
        .iter()
        .rposition(|b| *b == b'\n')
        .map(|i| i + 1)
        .unwrap_or(0);
    let column = String::from_utf8_lossy(&good[line_start..]).chars().count() + 1;
    let byte = bytes.get(e.valid_up_to()).copied().unwrap_or(0);
    Diagnostic::error(format!(
        "this file is not UTF-8 text: byte 0x{byte:02X} cannot be read"
    ))
    .at(Location::from_line(path, &text, line, column))
    .with_hint("open the file in your editor and save it with the UTF-8 encoding (\"Save with encoding\" → UTF-8)")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn span_to_line_and_column() {
        let text = "a = 1\nb = \"héllo\"\nc = 3\n";
        let start = text.find("\"h").unwrap();
        let loc = Location::from_span(Path::new("x.md"), text, start..start + 8);
        assert_eq!((loc.line, loc.column), (2, 5));
        assert_eq!(loc.source_line, "b = \"héllo\"");
        assert_eq!(loc.width, 7);
        let rendered = Diagnostic::error("bad").at(loc).render(Path::new(""));
        assert!(rendered.contains("x.md:2:5"), "{rendered}");
        assert!(rendered.contains("    ^^^^^^^"), "{rendered}");
    }

    #[test]
    fn closest_suggests_typos_only() {
        let ids = ["equality-of-access", "healthy-lives", "workforce"];
        assert_eq!(
            closest("equalty-of-access", ids),
            Some("equality-of-access")
        );
        assert_eq!(closest("zzz", ids), None);
    }
}
