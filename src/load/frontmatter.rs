//! Splitting a content file into front matter and body, and parsing the
//! front matter as TOML while keeping the byte span of every value so that
//! later stages (the core's key checks, plugins' reference checks) can point
//! at the exact line and column.

use std::collections::HashMap;
use std::path::Path;

use crate::diagnostics::{Diagnostic, Location};

/// Which fence the front matter used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fence {
    Toml,
    Yaml,
}

/// The parts of a content file.
#[derive(Debug, Clone)]
pub(crate) struct Split<'a> {
    pub fence: Fence,
    /// The front matter text, between the fences.
    pub front: &'a str,
    /// Byte offset of `front` in the file.
    pub front_offset: usize,
    /// Byte offset of `body` in the file.
    pub body_offset: usize,
}

/// Split a file into front matter and body. Zola requires front matter, so
/// a file without it, or with an unclosed fence, is an error.
pub(crate) fn split<'a>(file: &Path, text: &'a str) -> Result<Split<'a>, Diagnostic> {
    let trimmed_start = text.len() - text.trim_start().len();
    let rest = &text[trimmed_start..];
    let fence = if rest.starts_with("+++") {
        Fence::Toml
    } else if rest.starts_with("---") {
        Fence::Yaml
    } else {
        return Err(Diagnostic::error("this file has no front matter")
            .at(Location::from_line(file, text, 1, 1))
            .with_hint(
                "start the file with a line `+++`, then keys such as `title = \"…\"`, then another line `+++`",
            ));
    };
    let marker = if fence == Fence::Toml { "+++" } else { "---" };
    let open_line_end = rest.find('\n').map(|i| i + 1).unwrap_or(rest.len());
    let front_offset = trimmed_start + open_line_end;
    // Find the closing fence: a line that is the marker (trailing spaces allowed).
    let mut pos = front_offset;
    while pos < text.len() {
        let line_end = text[pos..]
            .find('\n')
            .map(|i| pos + i + 1)
            .unwrap_or(text.len());
        let line = text[pos..line_end].trim_end();
        if line == marker {
            let front = &text[front_offset..pos];
            return Ok(Split {
                fence,
                front,
                front_offset,
                body_offset: line_end,
            });
        }
        pos = line_end;
    }
    let open_line = text[..trimmed_start].matches('\n').count() + 1;
    Err(Diagnostic::error(format!(
        "the front matter opened with `{marker}` is never closed"
    ))
    .at(Location::from_line(file, text, open_line, 1))
    .with_hint(format!(
        "add a line containing only `{marker}` after the last front matter key"
    )))
}

pub(crate) use crate::content::Spans;

/// Parsed front matter: the values and where they are.
#[derive(Debug, Clone, Default)]
pub(crate) struct FrontMatter {
    pub table: toml::Table,
    pub spans: Spans,
}

/// Parse the front matter of `split` (which came from `text`, the file).
pub(crate) fn parse(file: &Path, text: &str, split: &Split<'_>) -> Result<FrontMatter, Diagnostic> {
    match split.fence {
        Fence::Toml => parse_toml(file, text, split.front, split.front_offset),
        Fence::Yaml => parse_yaml(file, text, split.front, split.front_offset),
    }
}

fn parse_toml(
    file: &Path,
    text: &str,
    front: &str,
    offset: usize,
) -> Result<FrontMatter, Diagnostic> {
    let located = |e: toml::de::Error| {
        let mut d = Diagnostic::error(format!(
            "the front matter is not valid TOML: {}",
            e.message().trim()
        ))
        .in_file(file)
        .with_hint(
            "strings need double quotes (`title = \"Our plan\"`), lists need square brackets (`tags = [\"a\", \"b\"]`)",
        );
        if let Some(span) = e.span() {
            d = d.at(Location::from_span(
                file,
                text,
                span.start + offset..span.end + offset,
            ));
        }
        d
    };
    // Parsed once: the spans are read off the parsed document, which is
    // then turned into the table (what `toml::from_str` does after the
    // same parse).
    let doc = toml::de::DeTable::parse(front).map_err(located)?;
    let mut spans = Spans::default();
    collect_table(doc.get_ref(), "", offset, &mut spans);
    let table = <toml::Table as serde::Deserialize>::deserialize(toml::de::Deserializer::from(doc))
        .map_err(located)?;
    Ok(FrontMatter { table, spans })
}

fn collect_table(t: &toml::de::DeTable<'_>, prefix: &str, offset: usize, spans: &mut Spans) {
    for (k, v) in t.iter() {
        let path = if prefix.is_empty() {
            k.get_ref().to_string()
        } else {
            format!("{prefix}.{}", k.get_ref())
        };
        let ks = k.span();
        spans
            .keys
            .insert(path.clone(), ks.start + offset..ks.end + offset);
        collect_value(v, &path, offset, spans);
    }
}

fn collect_value(
    v: &toml::Spanned<toml::de::DeValue<'_>>,
    path: &str,
    offset: usize,
    spans: &mut Spans,
) {
    let s = v.span();
    spans
        .values
        .insert(path.to_string(), s.start + offset..s.end + offset);
    match v.get_ref() {
        toml::de::DeValue::Table(t) => collect_table(t, path, offset, spans),
        toml::de::DeValue::Array(a) => {
            for (i, item) in a.iter().enumerate() {
                collect_value(item, &format!("{path}[{i}]"), offset, spans);
            }
        }
        _ => {}
    }
}

fn parse_yaml(
    file: &Path,
    text: &str,
    front: &str,
    offset: usize,
) -> Result<FrontMatter, Diagnostic> {
    let value: serde_norway::Value = serde_norway::from_str(front).map_err(|e| {
        let mut d =
            Diagnostic::error(format!("the YAML front matter is not valid: {e}")).in_file(file);
        if let Some(loc) = e.location() {
            let line = text[..offset].matches('\n').count() + loc.line();
            d = d.at(Location::from_line(file, text, line, loc.column()));
        }
        d
    })?;
    let json = serde_json::to_value(&value).unwrap_or(serde_json::Value::Null);
    let table = match json_to_toml(&json) {
        Some(toml::Value::Table(t)) => t,
        _ if front.trim().is_empty() => toml::Table::new(),
        _ => {
            return Err(Diagnostic::error(
                "the YAML front matter must be a mapping of keys to values",
            )
            .at(Location::from_line(file, text, 1, 1)))
        }
    };
    Ok(FrontMatter {
        table,
        spans: yaml_spans(front, offset),
    })
}

/// Where keys and values are in YAML front matter. YAML parsers give no
/// spans, so this reads the block style front matter is written in:
/// `key: value` lines nested by indentation, `- item` lists under a key,
/// and `[a, b]` lists on one line. Anything else (anchors, multi-line
/// scalars) is simply not located: errors there point at the file.
fn yaml_spans(front: &str, offset: usize) -> Spans {
    let mut spans = Spans::default();
    // (indent, path) of the keys that enclose the current line.
    let mut stack: Vec<(usize, String)> = Vec::new();
    // For `- item` lines: the list's path and the next index.
    let mut items: HashMap<String, usize> = HashMap::new();
    let mut pos = 0;
    for raw in front.split_inclusive('\n') {
        let start = pos;
        pos += raw.len();
        let line = raw.trim_end_matches(['\n', '\r']);
        let content = line.trim_start();
        let indent = line.len() - content.len();
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        if let Some(item) =
            content
                .strip_prefix("- ")
                .or(if content == "-" { Some("") } else { None })
        {
            // A list item belongs to the nearest key above with less indent
            // (or the same: YAML allows `key:` then `- a` at its indent).
            while stack.last().is_some_and(|(i, _)| *i > indent) {
                stack.pop();
            }
            let Some((_, parent)) = stack.last() else {
                continue;
            };
            let n = items.entry(parent.clone()).or_insert(0);
            let path = format!("{parent}[{n}]");
            *n += 1;
            let at = start + indent + (content.len() - item.len());
            let value = item.trim_end();
            if !value.is_empty() {
                spans
                    .values
                    .insert(path, offset + at..offset + at + value.len());
            }
            continue;
        }
        let Some(colon) = key_colon(content) else {
            continue;
        };
        while stack.last().is_some_and(|(i, _)| *i >= indent) {
            stack.pop();
        }
        let key = content[..colon].trim().trim_matches(['"', '\'']);
        let path = match stack.last() {
            Some((_, p)) => format!("{p}.{key}"),
            None => key.to_string(),
        };
        let key_at = offset + start + indent;
        spans.keys.insert(
            path.clone(),
            key_at..key_at + content[..colon].trim_end().len(),
        );
        let after = &content[colon + 1..];
        let value = after.trim();
        let value = match value.find(" #") {
            Some(c) => value[..c].trim_end(),
            None => value,
        };
        if !value.is_empty() {
            let v_at =
                offset + start + indent + colon + 1 + (after.len() - after.trim_start().len());
            spans.values.insert(path.clone(), v_at..v_at + value.len());
            if value.starts_with('[') && value.ends_with(']') {
                flow_items(&value[1..value.len() - 1], v_at + 1, &path, &mut spans);
            }
        }
        items.remove(&path);
        stack.push((indent, path));
    }
    spans
}

/// The colon that ends a `key:` (outside quotes, followed by a space or
/// the end of the line).
fn key_colon(content: &str) -> Option<usize> {
    let mut quote = None;
    for (i, c) in content.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, ':') => {
                let next = content[i + 1..].chars().next();
                if next.is_none() || next == Some(' ') || next == Some('\t') {
                    return Some(i);
                }
            }
            (None, '[' | '{') if i == 0 => return None,
            _ => {}
        }
    }
    None
}

/// The items of a one-line `[a, "b", c]` list, split on commas outside quotes.
fn flow_items(inner: &str, at: usize, path: &str, spans: &mut Spans) {
    let mut quote = None;
    let mut item_start = 0;
    let mut n = 0;
    let mut push = |from: usize, to: usize, n: &mut usize| {
        let piece = &inner[from..to];
        let lead = piece.len() - piece.trim_start().len();
        let t = piece.trim();
        if !t.is_empty() {
            let s = at + from + lead;
            spans.values.insert(format!("{path}[{n}]"), s..s + t.len());
            *n += 1;
        }
    };
    for (i, c) in inner.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, ',') => {
                push(item_start, i, &mut n);
                item_start = i + 1;
            }
            _ => {}
        }
    }
    push(item_start, inner.len(), &mut n);
}

fn json_to_toml(v: &serde_json::Value) -> Option<toml::Value> {
    Some(match v {
        serde_json::Value::Null => return None,
        serde_json::Value::Bool(b) => toml::Value::Boolean(*b),
        serde_json::Value::Number(n) => match n.as_i64() {
            Some(i) => toml::Value::Integer(i),
            None => toml::Value::Float(n.as_f64()?),
        },
        serde_json::Value::String(s) => match s.parse::<toml::value::Datetime>() {
            Ok(d) if s.len() >= 10 && s.as_bytes()[4] == b'-' => toml::Value::Datetime(d),
            _ => toml::Value::String(s.clone()),
        },
        serde_json::Value::Array(a) => {
            toml::Value::Array(a.iter().filter_map(json_to_toml).collect())
        }
        serde_json::Value::Object(o) => toml::Value::Table(
            o.iter()
                .filter_map(|(k, v)| Some((k.clone(), json_to_toml(v)?)))
                .collect(),
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_point_into_the_file() {
        let text = "+++\ntitle = \"A\"\n[extra]\ntags = [\"x\", \"yy\"]\n+++\nBody\n";
        let s = split(Path::new("a.md"), text).unwrap();
        assert_eq!(&text[s.body_offset..], "Body\n");
        let fm = parse(Path::new("a.md"), text, &s).unwrap();
        let span = fm.spans.value("extra.tags[1]").unwrap();
        assert_eq!(&text[span], "\"yy\"");
        let key = fm.spans.key("title").unwrap();
        assert_eq!(&text[key], "title");
    }

    #[test]
    fn yaml_spans_point_into_the_file() {
        let text = "---\ntitle: \"Home: first\"  # a comment\nweight: 3\nextra:\n  tags: [fair-access, \"other one\"]\n  authors:\n    - share-data\n    - plan-together\n  status: at-risk\ntaxonomies:\n  tags:\n  - a\n---\nBody\n";
        let s = split(Path::new("a.md"), text).unwrap();
        let fm = parse(Path::new("a.md"), text, &s).unwrap();
        let v = |p: &str| &text[fm.spans.value(p).unwrap_or_else(|| panic!("{p}"))];
        assert_eq!(v("title"), "\"Home: first\"");
        assert_eq!(v("weight"), "3");
        assert_eq!(v("extra.tags[0]"), "fair-access");
        assert_eq!(v("extra.tags[1]"), "\"other one\"");
        assert_eq!(v("extra.authors[1]"), "plan-together");
        assert_eq!(v("extra.status"), "at-risk");
        assert_eq!(v("taxonomies.tags[0]"), "a");
        assert_eq!(&text[fm.spans.key("extra.status").unwrap()], "status");
        assert_eq!(
            fm.table["extra"]["authors"][1].as_str(),
            Some("plan-together")
        );
    }

    #[test]
    fn unclosed_fence_is_an_error_at_line_one() {
        let text = "+++\ntitle = \"A\"\nBody\n";
        let e = split(Path::new("a.md"), text).unwrap_err();
        assert!(e.message.contains("never closed"));
        assert_eq!(e.location.unwrap().line, 1);
    }

    #[test]
    fn toml_errors_are_located_in_the_file() {
        let text = "+++\ntitle = \"A\"\ndate = nope\n+++\n";
        let s = split(Path::new("a.md"), text).unwrap();
        let e = parse(Path::new("a.md"), text, &s).unwrap_err();
        let loc = e.location.unwrap();
        assert_eq!(loc.line, 3, "{}", e.message);
    }
}
