//! All that throughline knows of template syntax, in one place: which
//! templates a template pulls in (`extends`, `include`, `import`), the
//! loops among them, and which fields of a variable a template reads.
//! The scanner reads template text as bytes; it never parses a template
//! fully, and answers `None` ("unsure") where a template uses a value in
//! a way it does not follow, so a caller falls back to the whole value.
//! Both engines' dialects (Tera's and MiniJinja's) are read the same way.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::Arc;

use crate::diagnostics::{Diagnostic, Location};

/// Where a template came from, for error messages.
#[derive(Debug, Clone)]
pub(crate) struct Origin {
    pub path: PathBuf,
    pub text: Arc<str>,
}

/// Where `needle` first is in `hay`.
fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return None;
    }
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Where `name` stands in `text` as a name of its own: not part of a
/// longer name, a field of something else (`x.name`) or a path or word
/// with hyphens (`name.html`, `name-list`). A hyphen that is a tag's or an
/// expression's whitespace control (`{{-name-}}`) does not join.
fn names<'a>(text: &'a [u8], name: &'a str) -> impl Iterator<Item = usize> + 'a {
    let mut from = 0;
    std::iter::from_fn(move || {
        while let Some(at) = find(&text[from..], name.as_bytes()) {
            let start = from + at;
            from = start + name.len();
            if is_name_at(text, start, name.len()) {
                return Some(start);
            }
        }
        None
    })
}

/// Whether the `len` bytes at `start` stand as a name of their own (see
/// [`names`]).
fn is_name_at(text: &[u8], start: usize, len: usize) -> bool {
    let (head, tail) = (&text[..start], &text[start + len..]);
    let joins_before = match head.last() {
        Some(b'-') => !(head.ends_with(b"{{-") || head.ends_with(b"{%-")),
        Some(&b) => is_ident(b) || b == b'.' || b == b'/',
        None => false,
    };
    let joins_after = match tail.first() {
        Some(b'-') => !(tail.starts_with(b"-}}") || tail.starts_with(b"-%}")),
        Some(&b) => is_ident(b) || b == b'/',
        None => false,
    };
    !joins_before && !joins_after
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

fn trim_start(t: &[u8]) -> &[u8] {
    &t[t.iter().take_while(|b| b.is_ascii_whitespace()).count()..]
}

fn trim_end(t: &[u8]) -> &[u8] {
    &t[..t.len()
        - t.iter()
            .rev()
            .take_while(|b| b.is_ascii_whitespace())
            .count()]
}

/// Whether text ending here is inside a `{# comment #}`.
fn in_comment(head: &[u8]) -> bool {
    let open = head.windows(2).rposition(|w| w == b"{#");
    let close = head.windows(2).rposition(|w| w == b"#}");
    open.is_some_and(|o| close.is_none_or(|c| c < o))
}

/// The loop variable when text ending here is `{% for x in`.
fn loop_variable(head: &[u8]) -> Option<String> {
    let head = trim_end(head).strip_suffix(b"in")?;
    let trimmed = trim_end(head);
    if trimmed.len() == head.len() {
        return None;
    }
    let n = trimmed.iter().rev().take_while(|b| is_ident(**b)).count();
    let (rest, var) = trimmed.split_at(trimmed.len() - n);
    let rest = trim_end(rest).strip_suffix(b"for")?;
    let rest = trim_end(rest);
    let rest = rest.strip_suffix(b"-").unwrap_or(rest);
    if n == 0 || var[0].is_ascii_digit() || !rest.ends_with(b"{%") {
        return None;
    }
    Some(String::from_utf8_lossy(var).into_owned())
}

/// A loop's body: the text up to its own `endfor` (nested loops
/// counted). `None` when it has none.
fn loop_body(text: &[u8]) -> Option<&[u8]> {
    let mut depth = 0usize;
    let mut from = 0;
    while let Some(at) = find(&text[from..], b"{%") {
        let tag_start = from + at;
        let tag = trim_start(
            text[tag_start + 2..]
                .strip_prefix(b"-")
                .unwrap_or(&text[tag_start + 2..]),
        );
        let word = &tag[..tag.iter().take_while(|b| is_ident(**b)).count()];
        match word {
            b"for" => depth += 1,
            b"endfor" if depth == 0 => return Some(&text[..tag_start]),
            b"endfor" => depth -= 1,
            _ => {}
        }
        from = tag_start + 2;
    }
    None
}

/// Add to `fields` the fields `text` reads of `var` (see
/// [`fields_read`]); `None` when it uses `var` any other way.
/// Says whether `var` is passed on to a macro's argument of the same
/// name (`var=var`), whose reads are where the macro is.
fn scan_fields(text: &[u8], var: &str, fields: &mut BTreeSet<String>) -> Option<bool> {
    let mut passed = false;
    for start in names(text, var) {
        let end = start + var.len();
        let after = text.get(end).copied();
        // `var=` names an argument (or `var =` a variable being set),
        // `var=var` passes it on to a macro's argument of the same name
        // (whose reads are counted where the macro is), a macro's header
        // declares its arguments, and `for var in` declares a loop's.
        let rest = trim_start_spaces(&text[end..]);
        let names_argument = rest.first() == Some(&b'=') && rest.get(1) != Some(&b'=');
        let head = trim_end_spaces(&text[..start]);
        let passed_on = head.ends_with(b"=") && {
            let name = trim_end_spaces(&head[..head.len() - 1]);
            name.ends_with(var.as_bytes())
                && !name[..name.len() - var.len()]
                    .last()
                    .is_some_and(|b| is_ident(*b))
        };
        let in_macro_header = {
            let tag = head
                .windows(2)
                .rposition(|w| w == b"{%")
                .map(|i| &head[i + 2..]);
            tag.is_some_and(|t| {
                let t: Vec<u8> = t
                    .iter()
                    .copied()
                    .skip_while(|b| *b == b'-' || *b == b' ')
                    .collect();
                t.starts_with(b"macro ") && !t.windows(2).any(|w| w == b"%}")
            })
        };
        let declares_loop = rest.starts_with(b"in ") && {
            let h = trim_end(head).strip_suffix(b"for").unwrap_or(b"x");
            let h = trim_end(h);
            let h = h.strip_suffix(b"-").unwrap_or(h);
            h.ends_with(b"{%")
        };
        passed |= passed_on;
        if names_argument || passed_on || in_macro_header || declares_loop || in_comment(head) {
            continue;
        }
        if after != Some(b'.') {
            return None;
        }
        let field: String = text[end + 1..]
            .iter()
            .take_while(|b| is_ident(**b))
            .map(|b| *b as char)
            .collect();
        if field.is_empty() {
            return None;
        }
        fields.insert(field);
    }
    Some(passed)
}

fn trim_start_spaces(t: &[u8]) -> &[u8] {
    &t[t.iter().take_while(|b| **b == b' ').count()..]
}

fn trim_end_spaces(t: &[u8]) -> &[u8] {
    &t[..t.len() - t.iter().rev().take_while(|b| **b == b' ').count()]
}

/// What a template reads of each element of a list: see
/// [`element_fields`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ListFields {
    /// Every field read, sorted.
    pub fields: Vec<String>,
    /// `(field, other)`: `field` is read only where `other` is falsy.
    pub only_when_falsy: Vec<(String, String)>,
}

/// When every read of `var.field` in a loop's `body` is in a later
/// branch (`elif`, `else`) of an `{% if var.other %}` (the condition
/// exactly that), `other`.
fn guard_of(body: &[u8], var: &str, field: &str) -> Option<String> {
    // Open blocks: an `if` (with the field its condition tests, and
    // whether a later branch has begun), or any other.
    enum Open {
        If(Option<String>, bool),
        Other,
    }
    let read = format!("{var}.{field}");
    // Whether `text` reads `var.field`.
    let reads_in = |text: &[u8]| names(text, &read).next().is_some();
    // The field whose falsiness the open blocks imply here, if any; each
    // read must be under the same one.
    let note = |open: &[Open], guard: &mut Option<String>| -> Option<()> {
        let here = open.iter().find_map(|o| match o {
            Open::If(Some(g), true) if g != field => Some(g.clone()),
            _ => None,
        })?;
        match guard {
            Some(g) if *g != here => None,
            _ => {
                *guard = Some(here);
                Some(())
            }
        }
    };
    let mut open: Vec<Open> = Vec::new();
    let mut guard: Option<String> = None;
    let mut i = 0;
    while i < body.len() {
        let rest = &body[i..];
        if rest.starts_with(b"{#") {
            i += find(rest, b"#}")? + 2;
            continue;
        }
        if rest.starts_with(b"{%") {
            let end = find(rest, b"%}")?;
            let tag = &rest[2..end];
            let tag = trim_start(tag.strip_prefix(b"-").unwrap_or(tag));
            let tag = trim_end(tag);
            let tag = trim_end(tag.strip_suffix(b"-").unwrap_or(tag));
            let word_len = tag.iter().take_while(|b| is_ident(**b)).count();
            let (word, args) = tag.split_at(word_len);
            let args = trim_start(args);
            // Read in the tag itself (a condition, a `set`): counted where
            // the tag is, before it opens or turns a branch.
            if reads_in(args) {
                note(&open, &mut guard)?;
            }
            match word {
                b"if" => {
                    let tested = args
                        .strip_prefix(var.as_bytes())
                        .and_then(|a| a.strip_prefix(b"."))
                        .filter(|a| !a.is_empty() && a.iter().all(|b| is_ident(*b)))
                        .map(|a| String::from_utf8_lossy(a).into_owned());
                    open.push(Open::If(tested, false));
                }
                b"elif" | b"else" => match open.last_mut() {
                    Some(Open::If(_, later)) => *later = true,
                    // An `else` of a `for`: no branch of an `if`.
                    Some(Open::Other) if word == b"else" => {}
                    _ => return None,
                },
                b"for" | b"filter" | b"macro" | b"block" => open.push(Open::Other),
                b"endif" | b"endfor" | b"endfilter" | b"endmacro" | b"endblock" => {
                    // A block closed that is not the one open: unsure.
                    let closed_if = match open.pop() {
                        Some(Open::If(..)) => true,
                        Some(Open::Other) => false,
                        None => return None,
                    };
                    if closed_if != (word == b"endif") {
                        return None;
                    }
                }
                b"raw" => return None,
                _ => {}
            }
            i += end + 2;
            continue;
        }
        if rest.starts_with(read.as_bytes()) && is_name_at(body, i, read.len()) {
            note(&open, &mut guard)?;
            i += read.len();
            continue;
        }
        i += 1;
    }
    guard
}

/// Whether `texts` print the whole context (Tera's `__tera_context`,
/// MiniJinja's `debug()`), which reads every field of every variable.
fn dumps_context(texts: &[&[u8]]) -> bool {
    texts
        .iter()
        .any(|t| find(t, b"__tera_context").is_some() || find(t, b"debug(").is_some())
}

/// The fields of the variable `var` that `texts` (a template with
/// everything it extends, includes or imports) read, when they only
/// ever read it as `var.field`: for `strategy` in a template that
/// says `strategy.plan` and `strategy.labels`, `["labels", "plan"]`.
/// `None` when they use `var` any other way (whole, by index, passed
/// on, or the word in their text): unsure.
pub(crate) fn fields_read(texts: &[&[u8]], var: &str) -> Option<Vec<String>> {
    if dumps_context(texts) {
        return None;
    }
    let mut fields = BTreeSet::new();
    for text in texts {
        scan_fields(text, var, &mut fields)?;
    }
    Some(fields.into_iter().collect())
}

/// The fields `texts` (a template with all it pulls in) read of each
/// element of the list at `path` (`pages`, `paginator.pages`), when it only ever loops over
/// it (`{% for p in paginator.pages %}`, or asks its `length`) and
/// reads each loop variable only as `p.field` inside the loop: for a
/// feed that shows each page's title, date and summary, `["date",
/// "summary", "title"]`. `None` when unsure, as for
/// [`fields_read`]; then each element is needed whole.
///
/// A list's elements can then be copied with only those fields: the
/// feed of a 10,000-page site otherwise copies every page's content.
/// Also says which fields are read only in a later branch (`elif`,
/// `else`) of an `{% if p.other %}`: a feed's `{% if page.summary
/// %}…{% else %}{{ page.content }}{% endif %}` needs `content` only of
/// the pages without a summary.
pub(crate) fn element_fields(texts: &[&[u8]], path: &str) -> Option<ListFields> {
    if dumps_context(texts) {
        return None;
    }
    if let Some((root, _)) = path.split_once('.') {
        // `paginator` itself only read by field, so the list is not
        // reached any other way.
        fields_read(texts, root)?;
    }
    let mut fields = BTreeSet::new();
    // Each loop's variable and body; `None` once a loop hands its
    // variable to a macro (whose branches are elsewhere).
    let mut loops: Option<Vec<(String, &[u8])>> = Some(Vec::new());
    for &text in texts {
        for start in names(text, path) {
            let end = start + path.len();
            if in_comment(&text[..start]) {
                continue;
            }
            let rest = trim_start(&text[end..]);
            if let Some(var) = loop_variable(&text[..start]) {
                if !(rest.starts_with(b"%}") || rest.starts_with(b"-%}")) {
                    return None;
                }
                let body_start = end + find(&text[end..], b"%}")? + 2;
                let body = loop_body(&text[body_start..])?;
                let passed_on = scan_fields(body, &var, &mut fields)?;
                match &mut loops {
                    Some(list) if !passed_on => list.push((var.clone(), body)),
                    _ => loops = None,
                }
                if passed_on {
                    // Handed to a macro: its reads are wherever the
                    // macro is, so every template counts.
                    for m in texts {
                        scan_fields(m, &var, &mut fields)?;
                    }
                }
            } else if rest.starts_with(b"|") && {
                let f = trim_start(&rest[1..]);
                f.starts_with(b"length") && !f.get(6).is_some_and(|b| is_ident(*b))
            } {
                // Its length reads no element.
            } else {
                return None;
            }
        }
    }
    let loops = loops.unwrap_or_default();
    let only_when_falsy = fields
        .iter()
        .filter_map(|f| {
            let mut guards = loops.iter().map(|(var, body)| guard_of(body, var, f));
            let first = guards.next()??;
            guards
                .all(|g| g.as_deref() == Some(first.as_str()))
                .then(|| (f.clone(), first))
        })
        .collect();
    Some(ListFields {
        fields: fields.into_iter().collect(),
        only_when_falsy,
    })
}

/// The templates a template's text names in `extends`, `include`,
/// `import` or (Jinja) `from … import`. `None` when one of them is not a
/// quoted name (Jinja can compute it at render time): then any template
/// may be pulled in.
pub(crate) fn template_deps(text: &str) -> Option<Vec<String>> {
    static DEP: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let dep = DEP.get_or_init(|| {
        regex::Regex::new(r#"\{%-?\s*(?:extends|include|import|from)\s+([^%]*)%\}"#)
            .expect("static regex")
    });
    static NAME: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let quoted =
        NAME.get_or_init(|| regex::Regex::new(r#""([^"]+)"|'([^']+)'"#).expect("static regex"));
    let mut out = Vec::new();
    for c in dep.captures_iter(text) {
        let names = c[1].trim_start();
        if !names.starts_with(['"', '\'', '[']) {
            return None;
        }
        for q in quoted.captures_iter(&c[1]) {
            if let Some(m) = q.get(1).or_else(|| q.get(2)) {
                out.push(m.as_str().to_string());
            }
        }
    }
    Some(out)
}

/// An error for each chain of `{% include %}`, `{% import %}` or
/// `{% extends %}` that leads back to where it started (`index.html`
/// including itself, `macros.html` importing itself, or `a.html` →
/// `b.html` → `a.html`): compiling or rendering it would recurse until the
/// stack overflowed, so it is refused before anything compiles, at the tag
/// that closes the loop, with the chain. (A macro calling itself stops when
/// its data does, and the engines limit that; an include has no arguments
/// to stop on.)
pub(crate) fn template_cycles(origins: &HashMap<String, Origin>) -> Vec<Diagnostic> {
    static TAG: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let tag = TAG.get_or_init(|| {
        regex::Regex::new(r#"\{%-?\s*(include|import|extends|from)\s+([^%]*?)-?%\}"#)
            .expect("static regex")
    });
    static NAME: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let quoted =
        NAME.get_or_init(|| regex::Regex::new(r#""([^"]+)"|'([^']+)'"#).expect("static regex"));
    // name → (template named, verb, byte span of the tag), in the text's order.
    type Edge<'a> = (&'a str, &'static str, std::ops::Range<usize>);
    let mut edges: BTreeMap<&str, Vec<Edge>> = BTreeMap::new();
    for (name, origin) in origins {
        let text = &origin.text;
        let mut out = Vec::new();
        for c in tag.captures_iter(text) {
            let whole = c.get(0).map(|m| m.range()).unwrap_or(0..0);
            if in_comment(&text.as_bytes()[..whole.start]) {
                continue;
            }
            let verb = match &c[1] {
                "include" => "includes",
                "extends" => "extends",
                _ => "imports",
            };
            // `from "x.html" import a`: only the name before `import`.
            let names = c[2].split(" import ").next().unwrap_or("");
            for q in quoted.captures_iter(names) {
                if let Some(m) = q.get(1).or_else(|| q.get(2)) {
                    if let Some((target, _)) = origins.get_key_value(m.as_str()) {
                        out.push((target.as_str(), verb, whole.clone()));
                    }
                }
            }
        }
        if !out.is_empty() {
            edges.insert(name.as_str(), out);
        }
    }
    // Depth-first, each template once; a template met again while still on
    // the path closes a loop.
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        OnPath,
        Done,
    }
    // A template reached by `import` is read for its macros only: its own
    // `extends` is not followed from there (a macro file that extends
    // `base.html`, which imports it, is no loop; Zola renders it). So each
    // template is visited as imported or not (`bool`).
    let mut marks: HashMap<(&str, bool), Mark> = HashMap::new();
    let mut found = Vec::new();
    for &start in edges.keys() {
        if marks.contains_key(&(start, false)) {
            continue;
        }
        // (template, next edge to follow, reached by import)
        let mut path: Vec<(&str, usize, bool)> = vec![(start, 0, false)];
        marks.insert((start, false), Mark::OnPath);
        while let Some(&mut (node, ref mut next, imported)) = path.last_mut() {
            let list = edges.get(node).map(Vec::as_slice).unwrap_or(&[]);
            let Some((target, verb, span)) = list.get(*next).cloned() else {
                marks.insert((node, imported), Mark::Done);
                path.pop();
                continue;
            };
            *next += 1;
            if imported && verb == "extends" {
                continue;
            }
            let by_import = verb == "imports";
            let on_path = path.iter().any(|(n, _, _)| *n == target);
            let mark = if on_path {
                Some(Mark::OnPath)
            } else {
                marks.get(&(target, by_import)).copied()
            };
            match mark {
                Some(Mark::OnPath) => {
                    let from = path.iter().position(|(n, _, _)| *n == target).unwrap_or(0);
                    let mut chain: Vec<&str> = path[from..].iter().map(|(n, _, _)| *n).collect();
                    chain.push(target);
                    let origin = &origins[node];
                    let what = if chain.len() == 2 {
                        format!("`{node}` {verb} itself")
                    } else {
                        format!("`{target}` leads back to itself through other templates")
                    };
                    found.push(
                        Diagnostic::error(format!(
                            "{what}: {}; following it would never end",
                            chain.join(" → ")
                        ))
                        .at(Location::from_span(&origin.path, &origin.text, span))
                        .with_hint(match verb {
                            "imports" => "remove this import: a template's own macros are called as `self::name()`",
                            "extends" => "a template cannot extend itself or one that extends it: extend a base template instead",
                            _ => "remove this include; to show something that nests (a menu of menus, say), write a macro that calls itself, which stops when the data does",
                        }),
                    );
                }
                Some(Mark::Done) => {}
                None => {
                    marks.insert((target, by_import), Mark::OnPath);
                    path.push((target, 0, by_import));
                }
            }
        }
    }
    found
}
