//! Diagnostics for machines: GitHub Actions workflow commands, so errors
//! land on the pull request's lines, and JSON for anything else. (For
//! people, `Diagnostic::render`.)

use std::path::Path;

use crate::diagnostics::{shown_path, Diagnostic, Severity};

/// GitHub's escaping for a workflow command's data.
fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// GitHub's escaping for a workflow command's property values.
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// One `::error file=…,line=…,col=…::message` line per diagnostic.
pub fn github(diags: &[Diagnostic], base: &Path) -> String {
    let mut out = String::new();
    for d in diags {
        let kind = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut props = Vec::new();
        if let Some(file) = &d.file {
            props.push(format!("file={}", escape_property(&shown_path(file, base))));
        }
        if let Some(loc) = &d.location {
            props.push(format!("line={}", loc.line));
            props.push(format!("col={}", loc.column));
        }
        props.push(format!(
            "title={}",
            escape_property(&format!("throughline {}", d.code.unwrap_or("check")))
        ));
        let mut message = d.message.clone();
        if let Some(h) = &d.hint {
            message.push_str("\nhelp: ");
            message.push_str(h);
        }
        out.push_str(&format!(
            "::{kind} {}::{}\n",
            props.join(","),
            escape_data(&message)
        ));
    }
    out
}

/// The whole result as one JSON document.
pub fn json(outcome: &super::Outcome, base: &Path) -> String {
    let items: Vec<serde_json::Value> = outcome
        .diagnostics
        .iter()
        .map(|d| {
            serde_json::json!({
                "severity": d.severity,
                "code": d.code,
                "message": d.message,
                "hint": d.hint,
                "file": d.file.as_ref().map(|f| shown_path(f, base)),
                "line": d.location.as_ref().map(|l| l.line),
                "column": d.location.as_ref().map(|l| l.column),
                "source_line": d.location.as_ref().map(|l| l.source_line.clone()),
            })
        })
        .collect();
    let doc = serde_json::json!({
        "ok": outcome.errors() == 0,
        "errors": outcome.errors(),
        "warnings": outcome.warnings(),
        "pages": outcome.pages,
        "sections": outcome.sections,
        "internal_links": outcome.internal_links,
        "external_urls": outcome.external_urls,
        "diagnostics": items,
    });
    serde_json::to_string_pretty(&doc).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::Location;

    #[test]
    fn annotations_escape() {
        let text = "a\n[x](/nope/)\n";
        let d = Diagnostic::error("50% broken, really: yes")
            .at(Location::from_span(
                Path::new("/site/content/a,b.md"),
                text,
                6..12,
            ))
            .with_hint("fix it")
            .with_code("internal-link");
        let out = github(&[d], Path::new("/site"));
        assert_eq!(
            out,
            "::error file=content/a%2Cb.md,line=2,col=5,title=throughline internal-link::50%25 broken, really: yes%0Ahelp: fix it\n"
        );
    }
}
