//! Stage 2: Markdown. Renders a page's or section's body to HTML with
//! comrak, the way Zola does: shortcodes expanded first, heading ids
//! slugified and de-duplicated (`{#id}` honoured), a table of contents,
//! `<!-- more -->` summaries, `@/path.md#anchor` links resolved to
//! permalinks, and the `[markdown]` options applied.
//!
//! This module knows nothing about template engines: shortcodes and the
//! anchor-link snippet are rendered through the [`Hooks`] trait, which the
//! render stage implements.

pub(crate) mod highlight;
pub(crate) mod lint;
pub(crate) mod shortcodes;

use std::fmt::Write as _;
use std::path::Path;

use comrak::html::ChildRendering;
use comrak::nodes::{AstNode, NodeValue};
use comrak::{create_formatter, Arena, Options};
use regex::Regex;
use serde_json::{Map, Value};

use crate::config::{Config, InsertAnchor};
use crate::content::{Heading, InternalLink, Rendered};
use crate::diagnostics::{closest, Diagnostic, Location};
use crate::slug::slugify_anchor;

/// How a shortcode's template is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ShortcodeKind {
    /// `shortcodes/name.md`: its output is Markdown, rendered with the page.
    Markdown,
    /// `shortcodes/name.html`: its output is inserted as HTML.
    Html,
}

/// What the Markdown stage needs from the template engine.
pub(crate) trait Hooks: Sync {
    fn shortcode_kind(&self, name: &str) -> Option<ShortcodeKind>;
    fn shortcode_names(&self) -> Vec<String>;
    /// Render shortcode `name` with its arguments, body and `nth` count,
    /// and `context` (the page or section being rendered, under `page` or
    /// `section`, plus `config` and `lang`).
    fn render_shortcode(
        &self,
        name: &str,
        args: &Map<String, Value>,
        body: Option<&str>,
        nth: usize,
        context: &Value,
    ) -> Result<String, String>;
    /// The anchor-link snippet for a heading (`anchor-link.html`).
    fn anchor_link(&self, id: &str, level: u8, lang: &str) -> Result<String, String>;
}

/// One body to render.
pub(crate) struct Input<'a> {
    pub file: &'a Path,
    /// The whole file, for locating errors.
    pub text: &'a str,
    pub body_offset: usize,
    pub permalink: &'a str,
    pub lang: &'a str,
    pub insert_anchor: InsertAnchor,
    /// The template data shortcodes see (`page` or `section`, …).
    pub shortcode_context: &'a Value,
}

/// What a render needs from the rest of the site.
pub(crate) struct Env<'a> {
    pub config: &'a Config,
    /// Resolves a content path (`blog/post.md`) to its permalink.
    pub resolve: &'a (dyn Fn(&str) -> Option<String> + Sync),
    /// Whether a content path is a draft left out of this build.
    pub is_draft: &'a (dyn Fn(&str) -> bool + Sync),
    pub hooks: &'a dyn Hooks,
    /// `[markdown.highlighting]`, when the config has it.
    pub highlighter: Option<std::sync::Arc<highlight::Highlighter>>,
    /// The upright size of the image the build publishes at an output
    /// path (`blog/post/photo.jpg`), when it can measure it: an image's
    /// `width` and `height` (`None`: none are written).
    pub image_size: Option<&'a ImageSize<'a>>,
}

/// How the Markdown stage asks an image's size (see [`Env::image_size`]).
pub(crate) type ImageSize<'a> = dyn Fn(&str) -> Option<(u32, u32)> + Sync + 'a;

/// The summary marker, as Zola finds it: `<!-- more -->` with any spacing
/// and case (`<!--more-->`, `<!-- MORE -->`).
static MORE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new(r"(?is)<!--\s*more\s*-->").expect("a valid pattern")
});

/// Render a body. Errors (bad shortcodes, broken `@/` links) are returned
/// with the output so that one run reports every problem.
pub(crate) fn render(input: &Input<'_>, env: &Env<'_>) -> (Rendered, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let body = &input.text[input.body_offset..];
    let (markdown, html_shortcodes) = expand_shortcodes(input, env, body, &mut diags);

    let options = comrak_options(env.config);
    let arena = Arena::new();
    let root = comrak::parse_document(&arena, &markdown, &options);
    let body_line = input.text[..input.body_offset].matches('\n').count() + 1;

    let mut state = State {
        headings: Vec::new(),
        next_heading: 0,
        insert_anchor: input.insert_anchor,
        anchor_html: Vec::new(),
        external: ExternalLinks::from(env.config),
        internal_urls: Default::default(),
        lazy_images: env.config.markdown.lazy_async_image,
        image_sizes: Default::default(),
        highlighter: env.highlighter.clone(),
        missing_languages: Vec::new(),
    };
    let mut rendered = Rendered::default();
    prepare(
        root,
        input,
        env,
        body_line,
        &mut state,
        &mut rendered,
        &mut diags,
    );

    let mut html = String::with_capacity(markdown.len() * 2);
    let state = match Formatter::format_document(root, &options, &mut html, state) {
        Ok(s) => s,
        Err(_) => {
            diags.push(
                Diagnostic::error("the Markdown could not be turned into HTML").in_file(input.file),
            );
            return (rendered, diags);
        }
    };

    for (line, lang) in &state.missing_languages {
        let error = state
            .highlighter
            .as_ref()
            .is_some_and(|h| h.error_on_missing_language);
        let message = format!(
            "the highlighter has no language `{lang}`; this code block is shown without colours"
        );
        let d = if error {
            Diagnostic::error(message)
        } else {
            Diagnostic::warning(message)
        };
        diags.push(
            d.at(Location::from_line(
                input.file,
                input.text,
                body_line + line - 1,
                1,
            ))
            .with_hint("check the language's name after the ``` (such as `rust`, `toml`, `html`), or leave it out"),
        );
    }
    if !html_shortcodes.is_empty() {
        html = fill_placeholders(&html, &html_shortcodes);
    }

    diags.extend(
        lint::lint(root, input.file, input.text, body_line, &html)
            .into_iter()
            .map(|d| d.with_code(lint::CODE)),
    );

    if let Some(m) = MORE.find(&html) {
        let (at, after) = (m.start(), m.end());
        rendered.summary = Some(close_tags(&html[..at]).trim_end().to_string());
        // As in Zola: the summary ends at the last tag before the marker,
        // and the marker's own line break goes with it.
        let end = after + usize::from(html[after..].starts_with('\n'));
        html.replace_range(at..end, "<span id=\"continue-reading\"></span>");
    }
    rendered.toc = toc_tree(&state.headings, input.permalink);
    rendered.anchors = state.headings.iter().map(|h| h.id.clone()).collect();
    rendered.anchors.extend(other_ids(&html));
    // Its capacity was a guess (twice the Markdown): every page's HTML is
    // kept until the render, so the slack would be kept too.
    html.shrink_to_fit();
    rendered.content = html;
    (rendered, diags)
}

fn placeholder(i: usize) -> String {
    format!("zTLsC{i}Cz")
}

/// Put HTML shortcode output in place of its placeholders. A placeholder
/// alone in a paragraph replaces the whole paragraph; one inside a code
/// block is shown as text, escaped, as Zola does (a page showing how a
/// shortcode call turns into HTML).
fn fill_placeholders(html: &str, outputs: &[String]) -> String {
    static PH: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    let ph = PH.get_or_init(|| Regex::new(r"zTLsC(\d+)Cz").expect("placeholder pattern"));
    let mut code: Vec<(usize, usize)> = Vec::new();
    let mut from = 0;
    while let Some(s) = html[from..].find("<pre") {
        let s = from + s;
        let e = html[s..].find("</pre>").map_or(html.len(), |e| s + e);
        code.push((s, e));
        from = e;
    }
    let mut out =
        String::with_capacity(html.len() + outputs.iter().map(String::len).sum::<usize>());
    let mut last = 0;
    for caps in ph.captures_iter(html) {
        let m = caps.get(0).expect("whole match");
        let Some(text) = caps[1].parse::<usize>().ok().and_then(|i| outputs.get(i)) else {
            continue;
        };
        out.push_str(&html[last..m.start()]);
        last = m.end();
        if code.iter().any(|(s, e)| m.start() > *s && m.start() < *e) {
            out.push_str(&escape_attr(text));
        } else if out.ends_with("<p>") && html[m.end()..].starts_with("</p>") {
            out.truncate(out.len() - 3);
            out.push_str(text.trim_end());
            last += 4;
        } else {
            out.push_str(text);
        }
    }
    out.push_str(&html[last..]);
    out
}

fn comrak_options(config: &Config) -> Options<'static> {
    let mut o = Options::default();
    o.extension.strikethrough = true;
    o.extension.table = true;
    // Zola (pulldown-cmark) leaves bare URLs as text: no autolink.
    o.extension.autolink = false;
    o.extension.tasklist = true;
    o.extension.footnotes = true;
    o.extension.description_lists = config.markdown.definition_list;
    o.extension.alerts = config.markdown.github_alerts;
    o.parse.smart = config.markdown.smart_punctuation;
    o.render.r#unsafe = true;
    o
}

/// Replace shortcode calls: Markdown shortcodes inline, HTML shortcodes by a
/// placeholder (returned with their output).
fn expand_shortcodes(
    input: &Input<'_>,
    env: &Env<'_>,
    body: &str,
    diags: &mut Vec<Diagnostic>,
) -> (String, Vec<String>) {
    if !body.contains("{{") && !body.contains("{%") {
        return (body.to_string(), Vec::new());
    }
    let locate = |offset: usize| {
        Location::from_span(
            input.file,
            input.text,
            input.body_offset + offset..input.body_offset + offset + 2,
        )
    };
    let segments = match shortcodes::parse(body) {
        Ok(parsed) => {
            for e in parsed.skipped {
                diags.push(
                    Diagnostic::warning(format!(
                        "{}; this shortcode call is shown as text, as written",
                        e.message
                    ))
                    .at(locate(e.offset))
                    .with_hint("a shortcode call looks like `{{ name(arg=\"value\", other=2) }}`, with commas between arguments and quotes that do not appear inside the text; to show braces literally write `{{/* … */}}`"),
                );
            }
            parsed.segments
        }
        Err(e) => {
            diags.push(
                Diagnostic::error(e.message)
                    .at(locate(e.offset))
                    .with_hint("a shortcode call looks like `{{ name(arg=\"value\") }}`; to show braces literally write `{{/* … */}}`"),
            );
            return (body.to_string(), Vec::new());
        }
    };
    let mut out = String::with_capacity(body.len());
    let mut html = Vec::new();
    let mut counts: std::collections::HashMap<&str, usize> = Default::default();
    for seg in segments {
        match seg {
            shortcodes::Segment::Text(t) => out.push_str(t),
            shortcodes::Segment::Literal(t) => out.push_str(&t),
            shortcodes::Segment::Call(call) => {
                let Some(kind) = env.hooks.shortcode_kind(call.name) else {
                    let names = env.hooks.shortcode_names();
                    let hint = match closest(call.name, names.iter().map(String::as_str)) {
                        Some(b) => format!("did you mean `{b}`?"),
                        None => format!(
                            "add `templates/shortcodes/{}.html`, or write `{{{{/* … */}}}}` to show the braces as text",
                            call.name
                        ),
                    };
                    diags.push(
                        Diagnostic::error(format!("there is no shortcode named `{}`", call.name))
                            .at(locate(call.offset))
                            .with_hint(hint),
                    );
                    continue;
                };
                let nth = {
                    let n = counts.entry(call.name).or_insert(0);
                    *n += 1;
                    *n
                };
                match env.hooks.render_shortcode(
                    call.name,
                    &call.args,
                    call.body,
                    nth,
                    input.shortcode_context,
                ) {
                    Ok(s) => match kind {
                        ShortcodeKind::Markdown => out.push_str(&s),
                        ShortcodeKind::Html => {
                            out.push_str(&placeholder(html.len()));
                            // An inline call's template usually ends with a
                            // newline that would split the sentence.
                            html.push(if call.body.is_none() {
                                s.trim_end().to_string()
                            } else {
                                s
                            });
                            if call.body.is_some() {
                                out.push_str(&"\n".repeat(call.newlines));
                            }
                        }
                    },
                    Err(e) => diags.push(
                        Diagnostic::error(format!("the shortcode `{}` failed: {e}", call.name))
                            .at(locate(call.offset))
                            .with_hint(
                                "check the arguments this shortcode expects in its template",
                            ),
                    ),
                }
            }
        }
    }
    (out, html)
}

#[derive(Default)]
struct ExternalLinks {
    tweak: bool,
    rel: String,
    target_blank: bool,
    class: Option<String>,
}

impl ExternalLinks {
    fn from(config: &Config) -> ExternalLinks {
        let m = &config.markdown;
        let mut rel = Vec::new();
        if m.external_links_target_blank {
            rel.push("noopener");
        }
        if m.external_links_no_follow {
            rel.push("nofollow");
        }
        if m.external_links_no_referrer {
            rel.push("noreferrer");
        }
        if m.external_links_external {
            rel.push("external");
        }
        ExternalLinks {
            tweak: m.has_external_link_tweaks(),
            rel: rel.join(" "),
            target_blank: m.external_links_target_blank,
            class: m.external_links_class.clone(),
        }
    }
}

/// The output path an image URL in a page at `page_path` (`/blog/post/`)
/// fetches: `photo.jpg` → `blog/post/photo.jpg`, `/img/a.png` →
/// `img/a.png`. `None` for another site's address, a `data:` URL, an
/// `@/` link, or one that climbs above the site.
pub(crate) fn image_output_path(url: &str, page_path: &str) -> Option<String> {
    let url = url.trim();
    let scheme = url.find(':').is_some_and(|c| {
        url[..c]
            .chars()
            .all(|ch| ch.is_ascii_alphanumeric() || "+-.".contains(ch))
    });
    if url.is_empty()
        || url.starts_with('#')
        || url.starts_with("//")
        || url.starts_with("@/")
        || scheme
    {
        return None;
    }
    let url = url.split(['?', '#']).next().unwrap_or_default();
    let url = percent_decode(url);
    let joined = match url.strip_prefix('/') {
        Some(abs) => abs.to_string(),
        None => {
            let dir = &page_path[..page_path.rfind('/').map_or(0, |i| i + 1)];
            format!("{dir}{url}")
        }
    };
    let mut parts: Vec<&str> = Vec::new();
    for part in joined.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    if parts.is_empty() || joined.ends_with('/') {
        return None;
    }
    Some(parts.join("/"))
}

pub(crate) fn is_external(url: &str) -> bool {
    let l = url.to_ascii_lowercase();
    l.starts_with("http://") || l.starts_with("https://") || l.starts_with("//")
}

struct FlatHeading {
    level: u8,
    id: String,
    title: String,
}

#[derive(Default)]
struct State {
    headings: Vec<FlatHeading>,
    next_heading: usize,
    insert_anchor: InsertAnchor,
    anchor_html: Vec<String>,
    external: ExternalLinks,
    /// URLs that came from `@/` links: internal, whatever their scheme.
    internal_urls: std::collections::HashSet<String>,
    lazy_images: bool,
    /// The measured size of each image URL (see [`Env::image_size`]).
    image_sizes: std::collections::HashMap<String, (u32, u32)>,
    highlighter: Option<std::sync::Arc<highlight::Highlighter>>,
    /// Code blocks in a language the highlighter lacks: (line in the body,
    /// language).
    missing_languages: Vec<(usize, String)>,
}

fn heading_attr_re() -> &'static Regex {
    static RE: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    RE.get_or_init(|| Regex::new(r"\s*\{((?:\s*[#.][\w\-:]+)+)\s*\}\s*$").expect("static regex"))
}

/// Walk the tree once before formatting: heading ids and text, `{#id}`
/// attributes stripped, `@/` links resolved.
fn prepare<'a>(
    root: &'a AstNode<'a>,
    input: &Input<'_>,
    env: &Env<'_>,
    body_line: usize,
    state: &mut State,
    rendered: &mut Rendered,
    diags: &mut Vec<Diagnostic>,
) {
    let mut ids = UniqueIds::default();
    // `render_emoji`: `:smile:` in text (never in code) becomes 😄, as
    // Zola does, with GitHub's names (before headings take their ids).
    if env.config.markdown.render_emoji {
        static EMOJI: std::sync::OnceLock<gh_emoji::Replacer> = std::sync::OnceLock::new();
        let emoji = EMOJI.get_or_init(gh_emoji::Replacer::new);
        for node in root.descendants() {
            let mut data = node.data_mut();
            if let NodeValue::Text(t) = &mut data.value {
                if t.contains(':') {
                    if let std::borrow::Cow::Owned(new) = emoji.replace_all(t) {
                        *t = new.into();
                    }
                }
            }
        }
    }
    // The page's own path, which relative image URLs are relative to.
    let page_path = input
        .permalink
        .strip_prefix(env.config.base())
        .unwrap_or("");
    for node in root.descendants() {
        let line = node.data().sourcepos.start.line + body_line - 1;
        let (is_heading, level) = match &node.data().value {
            NodeValue::Heading(h) => (true, h.level),
            _ => (false, 0),
        };
        if is_heading {
            // A trailing `{#id .class}` on the last text node.
            let mut custom_id = None;
            if let Some(last) = node.last_child() {
                let mut data = last.data_mut();
                if let NodeValue::Text(t) = &mut data.value {
                    if let Some(caps) = heading_attr_re().captures(t) {
                        for part in caps[1].split_whitespace() {
                            if let Some(id) = part.strip_prefix('#') {
                                custom_id = Some(id.to_string());
                            }
                        }
                        let cut = caps.get(0).map(|m| m.start()).unwrap_or(t.len());
                        let new = t[..cut].to_string();
                        *t = new.into();
                    }
                }
            }
            let title = collect_text(node);
            let base =
                custom_id.unwrap_or_else(|| slugify_anchor(&title, env.config.slugify.anchors));
            let id = ids.claim(base);
            let anchor = if state.insert_anchor == InsertAnchor::None {
                String::new()
            } else {
                env.hooks
                    .anchor_link(&id, level, input.lang)
                    .unwrap_or_else(|e| {
                        diags.push(
                            Diagnostic::error(format!("the anchor-link template failed: {e}"))
                                .in_file(input.file),
                        );
                        String::new()
                    })
            };
            state.anchor_html.push(anchor);
            state.headings.push(FlatHeading {
                level,
                id,
                title: title.trim().to_string(),
            });
            continue;
        }
        let mut data = node.data_mut();
        if let (NodeValue::Image(img), Some(size_of)) = (&data.value, env.image_size) {
            if let Some(size) = image_output_path(&img.url, page_path).and_then(|o| size_of(&o)) {
                state.image_sizes.insert(img.url.to_string(), size);
            }
        }
        if let NodeValue::Link(link) = &mut data.value {
            if let Some(target) = link.url.strip_prefix("@/") {
                let (path, anchor) = match target.split_once('#') {
                    Some((p, a)) => (p.to_string(), Some(a.to_string())),
                    None => (target.to_string(), None),
                };
                let path = percent_decode(&path);
                match (env.resolve)(&path) {
                    Some(permalink) => {
                        link.url = match &anchor {
                            Some(a) => format!("{permalink}#{a}"),
                            None => permalink,
                        };
                        state.internal_urls.insert(link.url.clone());
                        rendered.internal_links.push(InternalLink {
                            target: path,
                            anchor,
                            line,
                        });
                    }
                    None => {
                        let loc = Location::from_line(input.file, input.text, line, 1);
                        let col = loc
                            .source_line
                            .find("@/")
                            .map(|c| loc.source_line[..c].chars().count() + 1)
                            .unwrap_or(1);
                        let loc = Location {
                            column: col,
                            width: target.len() + 2,
                            ..loc
                        };
                        let d = if (env.is_draft)(&path) {
                            Diagnostic::warning(format!("this links to `{path}`, a draft that is not part of this build"))
                                .at(loc)
                                .with_hint("build with --drafts to include it, or remove the link until it is published")
                        } else {
                            Diagnostic::error(format!("this links to `@/{path}`, but there is no such file in content/"))
                                .at(loc)
                                .with_hint("internal links are paths from the content folder, such as `@/blog/post.md`")
                        };
                        diags.push(d);
                    }
                }
            } else if is_external(&link.url) {
                rendered.external_links.push(link.url.clone());
            }
        }
    }
}

/// Heading ids made unique as Zola makes them: the first `a` stays `a`,
/// the next is the first free of `a-1`, `a-2`, … (an id taken by a heading
/// of its own, `## a-1`, is skipped). Each base remembers where its search
/// stopped, and an id once taken stays taken, so a page of n headings costs
/// O(n) however many share a base.
#[derive(Default)]
struct UniqueIds {
    taken: std::collections::HashSet<String>,
    next: std::collections::HashMap<String, usize>,
}

impl UniqueIds {
    fn claim(&mut self, base: String) -> String {
        if self.taken.insert(base.clone()) {
            return base;
        }
        let n = self.next.entry(base.clone()).or_insert(1);
        loop {
            let candidate = format!("{base}-{n}");
            *n += 1;
            if self.taken.insert(candidate.clone()) {
                return candidate;
            }
        }
    }
}

pub(crate) fn collect_text<'a>(node: &'a AstNode<'a>) -> String {
    let mut s = String::new();
    for d in node.descendants() {
        match &d.data().value {
            NodeValue::Text(t) => s.push_str(t),
            NodeValue::Code(c) => s.push_str(&c.literal),
            NodeValue::SoftBreak | NodeValue::LineBreak => s.push(' '),
            _ => {}
        }
    }
    s
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && bytes[i + 1].is_ascii_hexdigit()
            && bytes[i + 2].is_ascii_hexdigit()
        {
            if let Ok(b) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_string())
}

fn escape_attr(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

create_formatter!(Formatter<State>, {
    NodeValue::Heading(ref nh) => |context, entering| {
        let level = nh.level;
        if entering {
            let i = context.user.next_heading;
            let id = context.user.headings.get(i).map(|h| h.id.clone()).unwrap_or_default();
            let anchor = context.user.anchor_html.get(i).cloned().unwrap_or_default();
            context.write_str(&format!("<h{level} id=\"{}\">", escape_attr(&id)))?;
            match context.user.insert_anchor {
                InsertAnchor::Left => context.write_str(&anchor)?,
                InsertAnchor::Heading => context.write_str(&format!("<a class=\"zola-anchor\" href=\"#{}\">", escape_attr(&id)))?,
                _ => {}
            }
        } else {
            let i = context.user.next_heading;
            let anchor = context.user.anchor_html.get(i).cloned().unwrap_or_default();
            match context.user.insert_anchor {
                InsertAnchor::Right => context.write_str(&anchor)?,
                InsertAnchor::Heading => context.write_str("</a>")?,
                _ => {}
            }
            context.write_str(&format!("</h{level}>\n"))?;
            context.user.next_heading += 1;
        }
    },
    NodeValue::Link(ref nl) => |context, entering| {
        let external = is_external(&nl.url) && context.user.external.tweak && !context.user.internal_urls.contains(&nl.url);
        if entering {
            let mut tag = String::from("<a ");
            if external {
                if let Some(c) = &context.user.external.class {
                    tag.push_str(&format!("class=\"{}\" ", escape_attr(c)));
                }
                if !context.user.external.rel.is_empty() {
                    tag.push_str(&format!("rel=\"{}\" ", context.user.external.rel));
                }
                if context.user.external.target_blank {
                    tag.push_str("target=\"_blank\" ");
                }
            }
            tag.push_str("href=\"");
            context.write_str(&tag)?;
            if !comrak::html::dangerous_url(&nl.url) {
                comrak::html::escape_href(context, &nl.url, false)?;
            }
            context.write_str("\"")?;
            if !nl.title.is_empty() {
                context.write_str(" title=\"")?;
                comrak::html::escape(context, &nl.title)?;
                context.write_str("\"")?;
            }
            context.write_str(">")?;
        } else {
            context.write_str("</a>")?;
        }
    },
    // A GitHub alert as Zola writes it (`> [!NOTE]`): a blockquote with the
    // alert's class and no title, which Zola themes style and label.
    NodeValue::Alert(ref na) => |context, entering| {
        if entering {
            let class = match na.alert_type {
                comrak::nodes::AlertType::Note => "markdown-alert-note",
                comrak::nodes::AlertType::Tip => "markdown-alert-tip",
                comrak::nodes::AlertType::Important => "markdown-alert-important",
                comrak::nodes::AlertType::Warning => "markdown-alert-warning",
                comrak::nodes::AlertType::Caution => "markdown-alert-caution",
            };
            context.write_str(&format!("<blockquote class=\"{class}\">\n"))?;
        } else {
            context.write_str("</blockquote>\n")?;
        }
    },
    NodeValue::CodeBlock(ref ncb) => |context, node, entering| {
        if entering {
            let info = if ncb.fenced { ncb.info.as_str() } else { "" };
            let html = match &context.user.highlighter {
                Some(h) => {
                    let (html, missing) = h.block(info, &ncb.literal);
                    if let Some(m) = missing {
                        let line = node.data.borrow().sourcepos.start.line;
                        context.user.missing_languages.push((line, m.0));
                    }
                    html
                }
                None => highlight::plain_block(info, &ncb.literal),
            };
            context.write_str(&html)?;
            return Ok(ChildRendering::Skip);
        }
    },
    NodeValue::Image(ref nl) => |context, node, entering| {
        if entering {
            context.write_str("<img src=\"")?;
            if !comrak::html::dangerous_url(&nl.url) {
                comrak::html::escape_href(context, &nl.url, false)?;
            }
            context.write_str("\" alt=\"")?;
            let alt = collect_text(node);
            comrak::html::escape(context, &alt)?;
            context.write_str("\"")?;
            if !nl.title.is_empty() {
                context.write_str(" title=\"")?;
                comrak::html::escape(context, &nl.title)?;
                context.write_str("\"")?;
            }
            if let Some(&(w, h)) = context.user.image_sizes.get(&*nl.url) {
                write!(context, " width=\"{w}\" height=\"{h}\"")?;
            }
            if context.user.lazy_images {
                context.write_str(" loading=\"lazy\" decoding=\"async\"")?;
            }
            context.write_str(" />")?;
            return Ok(ChildRendering::Skip);
        }
    },
});

/// Nest flat headings into a tree: each heading is a child of the nearest
/// earlier heading with a lower level.
fn toc_tree(flat: &[FlatHeading], permalink: &str) -> Vec<Heading> {
    fn insert(list: &mut Vec<Heading>, h: Heading) {
        if let Some(last) = list.last_mut() {
            if h.level > last.level {
                insert(&mut last.children, h);
                return;
            }
        }
        list.push(h);
    }
    let mut out = Vec::new();
    for h in flat {
        insert(
            &mut out,
            Heading {
                level: h.level,
                id: h.id.clone(),
                title: h.title.clone(),
                permalink: format!("{permalink}#{}", h.id),
                children: Vec::new(),
            },
        );
    }
    out
}

/// Ids in the HTML that are not heading ids (footnotes, raw HTML), for
/// anchor checks.
pub(crate) fn other_ids(html: &str) -> Vec<String> {
    static RE: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    let re = RE.get_or_init(|| Regex::new(r#"\sid="([^"]+)""#).expect("static regex"));
    re.captures_iter(html).map(|c| c[1].to_string()).collect()
}

/// Close any tags left open when HTML is cut (for summaries).
pub(crate) fn close_tags(html: &str) -> String {
    static RE: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    let re = RE.get_or_init(|| {
        Regex::new(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)[^>]*?(/?)>").expect("static regex")
    });
    const VOID: &[&str] = &[
        "br", "hr", "img", "input", "meta", "link", "source", "wbr", "col", "area", "embed",
        "track",
    ];
    let mut stack: Vec<String> = Vec::new();
    for c in re.captures_iter(html) {
        let name = c[2].to_ascii_lowercase();
        if VOID.contains(&name.as_str()) || &c[3] == "/" {
            continue;
        }
        if &c[1] == "/" {
            if let Some(pos) = stack.iter().rposition(|n| *n == name) {
                stack.truncate(pos);
            }
        } else {
            stack.push(name);
        }
    }
    let mut out = html.trim_end().to_string();
    for name in stack.iter().rev() {
        out.push_str(&format!("</{name}>"));
    }
    if !out.is_empty() {
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_decoding_never_splits_characters() {
        assert_eq!(percent_decode("a%20b.md"), "a b.md");
        assert_eq!(percent_decode("caf%é.md"), "caf%é.md");
        assert_eq!(percent_decode("end%"), "end%");
    }

    #[test]
    fn summaries_close_open_tags() {
        assert_eq!(close_tags("<p>One <em>two"), "<p>One <em>two</em></p>\n");
    }
}
