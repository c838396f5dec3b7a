//! Just enough HTML reading for link checking: the links a page makes and
//! the ids it offers. The pages are ours (rendered by the theme), so a small
//! attribute scanner is enough; script, style and comments are skipped so a
//! URL in a script is not taken for a link.

use std::collections::HashSet;
use std::sync::LazyLock;

use regex::Regex;

/// One link found in a page: the URL as written (entities decoded) and
/// the element it is on (`a`, `link`, `img`, `script`, …).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub url: String,
    pub element: String,
}

static SKIP: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?is)<!--.*?-->|<script\b[^>]*>.*?</script\s*>|<style\b[^>]*>.*?</style\s*>")
        .expect("valid regex")
});
static TAG: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?s)<([a-zA-Z][a-zA-Z0-9-]*)(\s[^>]*)?>").expect("valid regex"));
static ATTR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?s)([a-zA-Z_:][-a-zA-Z0-9_:.]*)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))"#)
        .expect("valid regex")
});

/// The links and ids of a page.
#[derive(Debug, Default)]
pub struct Scan {
    pub links: Vec<Link>,
    pub ids: HashSet<String>,
}

/// Read the links (`href`, `src`) and ids (`id`, and `name` on `a`) of `html`.
/// `<script src>` counts as a link; what is inside a script does not.
pub fn scan(html: &str) -> Scan {
    let mut out = Scan::default();
    let mut visit = |tag: &str, attrs: &str| {
        let element = tag.to_ascii_lowercase();
        for a in ATTR.captures_iter(attrs) {
            let name = a[1].to_ascii_lowercase();
            let value = a
                .get(2)
                .or_else(|| a.get(3))
                .or_else(|| a.get(4))
                .map(|m| decode_entities(m.as_str()))
                .unwrap_or_default();
            match name.as_str() {
                "href" | "src" => out.links.push(Link {
                    url: value.trim().to_string(),
                    element: element.clone(),
                }),
                "id" => {
                    out.ids.insert(value);
                }
                "name" if element == "a" => {
                    out.ids.insert(value);
                }
                _ => {}
            }
        }
    };
    let mut last = 0;
    for skip in SKIP.find_iter(html) {
        scan_tags(&html[last..skip.start()], &mut visit);
        // A script's own src attribute still counts.
        if let Some(open) = TAG.captures(skip.as_str()) {
            if open.get(0).map(|m| m.start()) == Some(0) && !skip.as_str().starts_with("<!--") {
                visit(&open[1], open.get(2).map(|m| m.as_str()).unwrap_or(""));
            }
        }
        last = skip.end();
    }
    scan_tags(&html[last..], &mut visit);
    out
}

fn scan_tags(html: &str, visit: &mut impl FnMut(&str, &str)) {
    for t in TAG.captures_iter(html) {
        visit(&t[1], t.get(2).map(|m| m.as_str()).unwrap_or(""));
    }
}

/// Decode the character references an attribute value may hold.
pub fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let Some(end) = rest[..rest.len().min(12)].find(';') else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let name = &rest[1..end];
        let decoded = match name {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ if name.starts_with("#x") || name.starts_with("#X") => {
                u32::from_str_radix(&name[2..], 16)
                    .ok()
                    .and_then(char::from_u32)
            }
            _ if name.starts_with('#') => name[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_and_ids() {
        let s = scan(
            r#"<a href="/a/?x=1&amp;y=2#top" id=one>x</a><img src='/i.png' alt="">
<!-- <a href="/commented/"> --><script src="/s.js">var a = '<a href="/in-script/">';</script>
<a name="old">x</a><h2 id="two">t</h2><p>&lt;a href="/escaped/"&gt;</p>"#,
        );
        let urls: Vec<&str> = s.links.iter().map(|l| l.url.as_str()).collect();
        assert_eq!(urls, ["/a/?x=1&y=2#top", "/i.png", "/s.js"]);
        assert!(s.ids.contains("one") && s.ids.contains("two") && s.ids.contains("old"));
        assert_eq!(s.links[1].element, "img");
    }

    #[test]
    fn entities() {
        assert_eq!(
            decode_entities("a&amp;b&#39;c&#x2F;d&bogus;"),
            "a&b'c/d&bogus;"
        );
    }
}
