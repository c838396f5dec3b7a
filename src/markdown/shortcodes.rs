//! Finding Zola shortcodes in Markdown: `{{ name(arg=value) }}` (inline) and
//! `{% name(arg=value) %} … {% end %}` (with a body), plus the escapes
//! `{{/* … */}}` and `{%/* … */%}` that print a shortcode call literally.

use serde_json::{Map, Value};

/// A piece of a Markdown body.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Segment<'a> {
    Text(&'a str),
    /// Text written by an escape (`{{/* x() */}}` becomes `{{ x() }}`).
    Literal(String),
    Call(Call<'a>),
}

/// One shortcode invocation.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Call<'a> {
    pub name: &'a str,
    pub args: Map<String, Value>,
    pub body: Option<&'a str>,
    /// Byte offset of the call in the body, for error locations.
    pub offset: usize,
    /// How many lines the call spans (for keeping line numbers).
    pub newlines: usize,
}

/// A problem with a shortcode call's syntax.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SyntaxError {
    pub offset: usize,
    pub message: String,
}

/// A body split into text and calls, and the calls that could not be read.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Parsed<'a> {
    pub segments: Vec<Segment<'a>>,
    /// Calls written wrongly (`{{ x(a="1" b="2") }}`). As in Zola, they are
    /// left in the text as written; the caller warns about each.
    pub skipped: Vec<SyntaxError>,
}

/// Split `text` into plain text and shortcode calls. A body shortcode
/// without its `{% end %}` is an error (Zola fails on it too); a call whose
/// arguments cannot be read stays as text and is listed in `skipped`.
pub(crate) fn parse(text: &str) -> Result<Parsed<'_>, SyntaxError> {
    let mut skipped = Vec::new();
    let mut out = Vec::new();
    let mut pos = 0;
    let mut plain_start = 0;
    let bytes = text.as_bytes();
    while pos + 1 < bytes.len() {
        if bytes[pos] != b'{' || !(bytes[pos + 1] == b'{' || bytes[pos + 1] == b'%') {
            pos += 1;
            continue;
        }
        let inline = bytes[pos + 1] == b'{';
        let (open, close) = if inline { ("{{", "}}") } else { ("{%", "%}") };
        // Escapes: only of a call (`{{/* name(args) */}}`, and
        // `{%/* end */%}`); anything else between the markers stays as
        // written, markers and all, as in Zola 0.22.1.
        if text[pos + 2..].starts_with("/*") {
            let end_marker = format!("*/{close}");
            let found = text[pos + 4..].find(&end_marker);
            if let Some(end) =
                found.filter(|&e| escapes_a_call(&text[pos + 4..pos + 4 + e], inline))
            {
                if plain_start < pos {
                    out.push(Segment::Text(&text[plain_start..pos]));
                }
                let inner = &text[pos + 4..pos + 4 + end];
                out.push(Segment::Literal(format!("{open}{inner}{close}")));
                pos = pos + 4 + end + end_marker.len();
                plain_start = pos;
                continue;
            }
        }
        match parse_call(text, pos, inline) {
            Ok(Some((call, end))) => {
                if plain_start < pos {
                    out.push(Segment::Text(&text[plain_start..pos]));
                }
                out.push(Segment::Call(call));
                pos = end;
                plain_start = pos;
            }
            Ok(None) => pos += 2,
            Err(Bad::Skip(e)) => {
                skipped.push(e);
                pos += 2;
            }
            Err(Bad::Fatal(e)) => return Err(e),
        }
    }
    if plain_start < text.len() {
        out.push(Segment::Text(&text[plain_start..]));
    }
    Ok(Parsed {
        segments: out,
        skipped,
    })
}

/// Why a call could not be read: one that stays as text, or one that
/// stops the page (a body with no end).
enum Bad {
    Skip(SyntaxError),
    Fatal(SyntaxError),
}

struct Cursor<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn rest(&self) -> &'a str {
        &self.text[self.pos..]
    }
    fn skip_ws(&mut self) {
        let r = self.rest();
        self.pos += r.len() - r.trim_start().len();
    }
    fn eat(&mut self, s: &str) -> bool {
        if self.rest().starts_with(s) {
            self.pos += s.len();
            true
        } else {
            false
        }
    }
    fn ident(&mut self) -> Option<&'a str> {
        let r = self.rest();
        let len = r
            .char_indices()
            .find(|(i, c)| !(c.is_ascii_alphanumeric() || *c == '_' || (*i > 0 && *c == '-')))
            .map(|(i, _)| i)
            .unwrap_or(r.len());
        if len == 0 || r.as_bytes()[0].is_ascii_digit() {
            return None;
        }
        self.pos += len;
        Some(&r[..len])
    }
}

/// Parse a call at `start` (which holds `{{` or `{%`). `Ok(None)` when the
/// text there is not a shortcode call at all (plain text or a Tera tag the
/// author wrote literally); `Err` when it clearly is one but is malformed.
/// Whether the text between an escape's markers is a shortcode call
/// (`name(args)`), or for `{%/* … */%}` also `end`: what Zola 0.22.1
/// unescapes.
fn escapes_a_call(inner: &str, inline: bool) -> bool {
    if !inline && inner.trim() == "end" {
        return true;
    }
    let mut c = Cursor {
        text: inner,
        pos: 0,
    };
    c.skip_ws();
    if c.ident().is_none() {
        return false;
    }
    c.skip_ws();
    if !c.eat("(") || parse_args(&mut c).is_err() {
        return false;
    }
    c.skip_ws();
    c.pos == inner.len()
}

fn parse_call(text: &str, start: usize, inline: bool) -> Result<Option<(Call<'_>, usize)>, Bad> {
    let mut c = Cursor {
        text,
        pos: start + 2,
    };
    c.skip_ws();
    let Some(name) = c.ident() else {
        return Ok(None);
    };
    c.skip_ws();
    if !c.eat("(") {
        return Ok(None);
    }
    let args = parse_args(&mut c).map_err(Bad::Skip)?;
    c.skip_ws();
    let close = if inline { "}}" } else { "%}" };
    if !c.eat(close) {
        return Err(Bad::Skip(SyntaxError {
            offset: c.pos,
            message: format!("the shortcode `{name}` is not closed with `{close}`"),
        }));
    }
    let mut end = c.pos;
    let body = if inline {
        None
    } else {
        // Find `{% end %}`.
        let re_end = find_end(text, end).ok_or_else(|| {
            Bad::Fatal(SyntaxError {
                offset: start,
                message: format!("the shortcode `{name}` has no `{{% end %}}`"),
            })
        })?;
        let body = &text[end..re_end.0];
        end = re_end.1;
        Some(body.strip_prefix('\n').unwrap_or(body))
    };
    Ok(Some((
        Call {
            name,
            args,
            body,
            offset: start,
            newlines: text[start..end].matches('\n').count(),
        },
        end,
    )))
}

fn find_end(text: &str, from: usize) -> Option<(usize, usize)> {
    let mut pos = from;
    while let Some(i) = text[pos..].find("{%") {
        let at = pos + i;
        let mut c = Cursor { text, pos: at + 2 };
        c.skip_ws();
        if c.eat("end") {
            c.skip_ws();
            if c.eat("%}") {
                let body_end = if text[..at].ends_with('\n') {
                    at - 1
                } else {
                    at
                };
                return Some((body_end.max(from), c.pos));
            }
        }
        pos = at + 2;
    }
    None
}

fn parse_args(c: &mut Cursor<'_>) -> Result<Map<String, Value>, SyntaxError> {
    let mut args = Map::new();
    loop {
        c.skip_ws();
        if c.eat(")") {
            return Ok(args);
        }
        let Some(key) = c.ident() else {
            return Err(SyntaxError {
                offset: c.pos,
                message: "expected an argument name such as `title=\"…\"` or `)`".into(),
            });
        };
        c.skip_ws();
        if !c.eat("=") {
            return Err(SyntaxError {
                offset: c.pos,
                message: format!("the argument `{key}` needs a value: `{key}=\"…\"`"),
            });
        }
        c.skip_ws();
        let value = parse_value(c)?;
        args.insert(key.to_string(), value);
        c.skip_ws();
        // Zola's grammar takes arguments with or without commas between.
        if !c.eat(",") {
            c.skip_ws();
            if c.eat(")") {
                return Ok(args);
            }
            let next_is_name = c
                .rest()
                .starts_with(|ch: char| ch.is_ascii_alphabetic() || ch == '_');
            if !next_is_name {
                return Err(SyntaxError {
                    offset: c.pos,
                    message: "expected `,` or `)` after an argument".into(),
                });
            }
        }
    }
}

fn parse_value(c: &mut Cursor<'_>) -> Result<Value, SyntaxError> {
    let r = c.rest();
    let first = r.chars().next().unwrap_or(' ');
    if first == '"' || first == '\'' || first == '`' {
        let end = r[1..].find(first).ok_or_else(|| SyntaxError {
            offset: c.pos,
            message: "this text argument has no closing quote".into(),
        })?;
        c.pos += end + 2;
        return Ok(Value::String(r[1..end + 1].to_string()));
    }
    if c.eat("[") {
        let mut items = Vec::new();
        loop {
            c.skip_ws();
            if c.eat("]") {
                return Ok(Value::Array(items));
            }
            items.push(parse_value(c)?);
            c.skip_ws();
            if !c.eat(",") {
                c.skip_ws();
                if c.eat("]") {
                    return Ok(Value::Array(items));
                }
                return Err(SyntaxError {
                    offset: c.pos,
                    message: "expected `,` or `]` in a list argument".into(),
                });
            }
        }
    }
    if c.eat("true") {
        return Ok(Value::Bool(true));
    }
    if c.eat("false") {
        return Ok(Value::Bool(false));
    }
    let len = r
        .find(|ch: char| {
            !(ch.is_ascii_digit() || ch == '.' || ch == '-' || ch == '+' || ch == 'e' || ch == 'E')
        })
        .unwrap_or(r.len());
    let num = &r[..len];
    if let Ok(i) = num.parse::<i64>() {
        c.pos += len;
        return Ok(Value::from(i));
    }
    if let Ok(f) = num.parse::<f64>() {
        c.pos += len;
        return Ok(serde_json::Number::from_f64(f)
            .map(Value::Number)
            .unwrap_or(Value::Null));
    }
    Err(SyntaxError {
        offset: c.pos,
        message: "a shortcode argument must be text in quotes, a number, true/false or a list"
            .into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_and_body_calls() {
        let text = "a {{ yt(id=\"x\", n=2, ok=true, l=[1, 'b']) }} b\n{% note(kind=\"warn\") %}\nHi *there*\n{% end %}\nc";
        let segs = parse(text).unwrap().segments;
        assert_eq!(segs.len(), 5, "{segs:?}");
        let Segment::Call(c) = &segs[1] else { panic!() };
        assert_eq!(c.name, "yt");
        assert_eq!(c.args["n"], Value::from(2));
        assert_eq!(c.args["l"], serde_json::json!([1, "b"]));
        let Segment::Call(b) = &segs[3] else { panic!() };
        assert_eq!(b.body, Some("Hi *there*"));
        assert_eq!(segs[4], Segment::Text("\nc"));
    }

    #[test]
    fn escapes_and_plain_braces() {
        let segs = parse("{{/* yt(id=1) */}} and {{ not a call }}")
            .unwrap()
            .segments;
        assert_eq!(segs[0], Segment::Literal("{{ yt(id=1) }}".into()));
        assert_eq!(segs[1], Segment::Text(" and {{ not a call }}"));
    }

    #[test]
    fn unclosed_body_is_an_error() {
        let e = parse("{% note() %}\nbody").unwrap_err();
        assert!(e.message.contains("end"));
    }

    #[test]
    fn a_malformed_call_stays_as_text_and_is_listed() {
        let text =
            "a {{ img(src=\"x.png\" alt=\"y\" w=3) }} b {{ q(text='it's') }} c {{ ok(n=1 [2]) }}";
        let p = parse(text).unwrap();
        // Commas between arguments may be left out, as in Zola.
        let Segment::Call(img) = &p.segments[1] else {
            panic!("{:?}", p.segments)
        };
        assert_eq!(img.args.len(), 3);
        assert_eq!(p.skipped.len(), 2, "{:?}", p.skipped);
        assert!(p.skipped[0].message.contains("`s` needs a value"));
        assert_eq!(&text[p.skipped[0].offset..p.skipped[0].offset + 2], "')");
        assert!(p.skipped[1].message.contains("expected `,` or `)`"));
        assert_eq!(&text[p.skipped[1].offset..p.skipped[1].offset + 3], "[2]");
        // The calls that cannot be read stay in the text as written.
        assert_eq!(
            p.segments[2],
            Segment::Text(" b {{ q(text='it's') }} c {{ ok(n=1 [2]) }}")
        );
    }
}
