//! The accessibility lint: problems in a page's Markdown that would reach
//! the public as barriers, reported at the Markdown file and line (not the
//! HTML) so whoever wrote the page can fix them. `build` reports them as
//! warnings.
//!
//! Checked: images without alt text, a level-one heading in the body (the
//! page title is already the `h1`), skipped heading levels, links with no
//! text, link text that means nothing out of context ("click here"),
//! duplicate ids, and tables without header cells.

use std::path::Path;

use comrak::nodes::{AstNode, NodeValue};

use super::collect_text as text_of;
use crate::diagnostics::{Diagnostic, Location};

/// Link texts that say nothing about where the link goes.
const VAGUE: &[&str] = &[
    "click here",
    "click",
    "here",
    "read more",
    "more",
    "link",
    "this link",
    "this",
    "find out more",
    "learn more",
    "more info",
    "more information",
    "go",
    "see here",
];

/// Where a node is in the file: its Markdown line, shifted by the front
/// matter, with the caret under it when it sits on one line.
/// The code every lint finding carries; `check` makes these errors.
pub(crate) const CODE: &str = "accessibility";

fn place<'a>(node: &'a AstNode<'a>, file: &Path, text: &str, body_line: usize) -> Location {
    let pos = node.data().sourcepos;
    let line = pos.start.line + body_line - 1;
    let mut loc = Location::from_line(file, text, line, pos.start.column);
    if pos.end.line == pos.start.line && pos.end.column >= pos.start.column {
        loc.width = pos.end.column - pos.start.column + 1;
    }
    loc
}

/// Lint a parsed body. `text` is the whole file, `body_line` the file line
/// where the body starts. `html` is the rendered body, for ids and tables
/// written as raw HTML.
pub(crate) fn lint<'a>(
    root: &'a AstNode<'a>,
    file: &Path,
    text: &str,
    body_line: usize,
    html: &str,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut last_level: u8 = 1; // the page title is the h1
    for node in root.descendants() {
        let at = || place(node, file, text, body_line);
        match &node.data().value {
            NodeValue::Heading(h) => {
                if h.level == 1 {
                    out.push(
                        Diagnostic::warning(
                            "a level-one heading in the text: the page title is already the page's only level-one heading",
                        )
                        .at(at())
                        .with_hint("start the text's headings at `##`, and use `###` under those"),
                    );
                } else if h.level > last_level + 1 {
                    out.push(
                        Diagnostic::warning(format!(
                            "this heading jumps from level {last_level} to level {}: screen reader users navigate by heading levels and will think something is missing",
                            h.level
                        ))
                        .at(at())
                        .with_hint(format!(
                            "make it a level-{} heading: `{} {}`",
                            last_level + 1,
                            "#".repeat(usize::from(last_level) + 1),
                            text_of(node).trim()
                        )),
                    );
                }
                last_level = h.level.max(1);
            }
            NodeValue::Image(_) if text_of(node).trim().is_empty() => {
                out.push(
                    Diagnostic::warning(
                        "this image has no alt text, so people who cannot see it are told nothing about it",
                    )
                    .at(at())
                    .with_hint("describe what it shows between the square brackets: ![A nurse talking with a patient at home](photo.jpg)"),
                );
            }
            NodeValue::Link(link) => {
                let words = text_of(node);
                let has_image_alt = node
                    .descendants()
                    .any(|d| matches!(d.data().value, NodeValue::Image(_)));
                let squashed: String = words
                    .trim()
                    .trim_end_matches(['.', '!', ':', '…'])
                    .to_lowercase()
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ");
                if squashed.is_empty() && !has_image_alt {
                    out.push(
                        Diagnostic::warning(format!(
                            "this link to {} has no text, so nobody can tell where it goes",
                            link.url
                        ))
                        .at(at())
                        .with_hint("put words between the square brackets that say where it goes: [how to contact us](…)"),
                    );
                } else if VAGUE.contains(&squashed.as_str()) {
                    out.push(
                        Diagnostic::warning(format!(
                            "the link text \"{}\" means nothing out of context: people who list a page's links hear only that",
                            words.trim()
                        ))
                        .at(at())
                        .with_hint("name where it goes instead, for example: read [the 2024/25 annual report](…)"),
                    );
                }
            }
            NodeValue::Table(_) => {
                let header_text: String = node
                    .children()
                    .filter(|row| matches!(row.data().value, NodeValue::TableRow(true)))
                    .map(text_of)
                    .collect();
                if header_text.trim().is_empty() {
                    out.push(
                        Diagnostic::warning(
                            "this table's header row is empty, so its columns have no names",
                        )
                        .at(at())
                        .with_hint("write a short name for each column in the first row"),
                    );
                }
            }
            _ => {}
        }
    }
    out.extend(html_problems(file, text, body_line, html));
    out
}

/// What can only be seen in the HTML: duplicate ids, and tables written in
/// raw HTML without header cells. Located by searching the body for the
/// text.
fn html_problems(file: &Path, text: &str, body_line: usize, html: &str) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let ids = super::other_ids(html);
    let mut seen: Vec<&str> = Vec::new();
    let mut reported: Vec<&str> = Vec::new();
    for id in ids.iter().map(String::as_str) {
        if seen.contains(&id) && !reported.contains(&id) {
            reported.push(id);
            out.push(
                Diagnostic::warning(format!(
                    "the id `{id}` is used twice in this page: links to it and labels that point at it find only the first"
                ))
                .at(locate_text(file, text, body_line, &format!("id=\"{id}\""), &format!("{{#{id}}}")))
                .with_hint("give each heading or element its own id"),
            );
        }
        seen.push(id);
    }
    static IMG: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let img_re = IMG.get_or_init(|| regex::Regex::new(r"<img\b[^>]*>").expect("static regex"));
    for m in img_re.find_iter(html) {
        if !m.as_str().contains(" alt=") {
            out.push(
                Diagnostic::warning(
                    "this image has no alt attribute, so people who cannot see it are told nothing about it",
                )
                .at(locate_text(file, text, body_line, "<img", "<img"))
                .with_hint("add alt=\"…\" describing what it shows (alt=\"\" only if it is decoration)"),
            );
        }
    }
    let mut from = 0;
    while let Some(s) = html[from..].find("<table") {
        let start = from + s;
        let end = html[start..]
            .find("</table>")
            .map(|e| start + e)
            .unwrap_or(html.len());
        if !html[start..end].contains("<th") {
            out.push(
                Diagnostic::warning("this table has no header cells, so its rows and columns have no names for screen readers")
                    .at(locate_text(file, text, body_line, "<table", "<table"))
                    .with_hint("make the first row (and the first column, if it names the rows) header cells: <th scope=\"col\">…</th>"),
            );
        }
        from = end.max(start + 1);
    }
    out
}

/// The line of the first occurrence of `a` (or else `b`) in the body.
fn locate_text(file: &Path, text: &str, body_line: usize, a: &str, b: &str) -> Location {
    let body_start = text
        .match_indices('\n')
        .nth(body_line.saturating_sub(2))
        .map(|(i, _)| i + 1)
        .unwrap_or(0)
        .min(text.len());
    let body = &text[body_start..];
    match body.find(a).or_else(|| body.find(b)) {
        Some(i) => {
            let span = body_start + i..body_start + i + a.len().min(body.len() - i);
            Location::from_span(file, text, span)
        }
        None => Location::from_line(file, text, body_line, 1),
    }
}
