//! The local HTTP server: answers from the last good build in memory.
//!
//! Safe by construction: a request names a key in the map of files the
//! build made (or a static file the build would copy), never a path on
//! disk, so `..`, encoded variants and symlinks cannot reach anything
//! else; requests that try are refused outright. GET and HEAD only,
//! content types by extension, `ETag` with `If-None-Match` (304), the
//! site's own 404 page, and `/dir` redirected to `/dir/`.

use std::io::Write;
use std::sync::{mpsc, Arc};

use tiny_http::{Header, Method, Request, Response};

use super::{Published, Shared};
use crate::output::Source;

const LIVE_JS: &str = include_str!("live.js");
const EVENTS: &str = "/__throughline/events";
const SCRIPT: &str = "/__throughline/live.js";

pub fn run(server: Arc<tiny_http::Server>, shared: Arc<Shared>) {
    for request in server.incoming_requests() {
        let shared = shared.clone();
        if request.url().split('?').next() == Some(EVENTS) {
            std::thread::spawn(move || events(request, &shared));
        } else {
            answer(request, &shared);
        }
    }
}

fn header(name: &str, value: &str) -> Header {
    Header::from_bytes(name.as_bytes(), value.as_bytes()).expect("valid header")
}

/// The content type for a file name.
pub fn content_type(path: &str) -> &'static str {
    let ext = path
        .rsplit('/')
        .next()
        .and_then(|n| n.rsplit_once('.'))
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "xml" => "application/xml",
        "rss" => "application/rss+xml",
        "atom" => "application/atom+xml",
        "txt" => "text/plain; charset=utf-8",
        "csv" => "text/csv; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "ttf" => "font/ttf",
        "otf" => "font/otf",
        "pdf" => "application/pdf",
        "wasm" => "application/wasm",
        "mp4" => "video/mp4",
        "webm" => "video/webm",
        "mp3" => "audio/mpeg",
        _ => "application/octet-stream",
    }
}

/// Why a request path is refused.
#[derive(Debug, PartialEq, Eq)]
pub enum Refused {
    /// Not valid percent-encoded UTF-8.
    BadEncoding,
    /// `..`, a backslash or a NUL: an attempt to leave the site.
    Escapes,
}

/// The output file a request path names (`/a/b/` → `a/b/index.html`), or
/// why it is refused. Percent-encoding is decoded first, so `%2e%2e` and
/// `%2f` are judged as what they spell.
pub fn key_for(url: &str) -> Result<String, Refused> {
    let path = url.split(['?', '#']).next().unwrap_or("");
    let decoded = percent_encoding::percent_decode_str(path)
        .decode_utf8()
        .map_err(|_| Refused::BadEncoding)?;
    if decoded.contains('\\') || decoded.contains('\0') {
        return Err(Refused::Escapes);
    }
    if decoded.split('/').any(|seg| seg == ".." || seg == ".") {
        return Err(Refused::Escapes);
    }
    let trimmed = decoded.trim_start_matches('/');
    Ok(if trimmed.is_empty() || trimmed.ends_with('/') {
        format!("{trimmed}index.html")
    } else {
        trimmed.to_string()
    })
}

/// Add the live-reload script to an HTML page.
fn with_script(html: &[u8]) -> Vec<u8> {
    let tag = format!("<script src=\"{SCRIPT}\" defer></script>");
    let text = String::from_utf8_lossy(html);
    match text.rfind("</body>") {
        Some(i) => format!("{}{tag}{}", &text[..i], &text[i..]).into_bytes(),
        None => format!("{text}{tag}").into_bytes(),
    }
}

/// A static file's bytes, refusing one that has become a symlink or now
/// lies outside the site.
fn read_copy(src: &Source, site: &Published) -> Option<Vec<u8>> {
    match src {
        Source::Bytes(b) => Some(b.to_vec()),
        Source::Compiled(b) => Some(b.to_vec()),
        Source::File(p) => {
            let meta = std::fs::symlink_metadata(p).ok()?;
            if meta.file_type().is_symlink() || !meta.is_file() {
                return None;
            }
            let real = p.canonicalize().ok()?;
            let root = site.root.canonicalize().ok()?;
            if !real.starts_with(&root) {
                return None;
            }
            std::fs::read(real).ok()
        }
    }
}

/// Answer with `body` (tiny_http leaves the body out for HEAD, keeping its
/// length).
fn respond(request: Request, status: u16, ctype: &str, body: Vec<u8>, extra: Vec<Header>) {
    let etag = format!("\"{:016x}\"", xxhash_rust::xxh3::xxh3_64(&body));
    let matches = request
        .headers()
        .iter()
        .find(|h| h.field.equiv("If-None-Match"))
        .is_some_and(|h| {
            h.value
                .as_str()
                .split(',')
                .any(|t| t.trim() == etag || t.trim() == "*")
        });
    let mut headers = vec![
        header("Content-Type", ctype),
        header("Cache-Control", "no-cache"),
        header("X-Content-Type-Options", "nosniff"),
    ];
    if status == 200 {
        headers.push(header("ETag", &etag));
    }
    headers.extend(extra);
    let (status, body) = if status == 200 && matches {
        (304, Vec::new())
    } else {
        (status, body)
    };
    let mut response = Response::from_data(body).with_status_code(status);
    for h in headers {
        response.add_header(h);
    }
    let _ = request.respond(response);
}

fn answer(request: Request, shared: &Shared) {
    if !matches!(request.method(), Method::Get | Method::Head) {
        let allow = vec![header("Allow", "GET, HEAD")];
        return respond(
            request,
            405,
            "text/plain; charset=utf-8",
            b"Only GET and HEAD are served.\n".to_vec(),
            allow,
        );
    }
    let url = request.url().to_string();
    if url.split('?').next() == Some(SCRIPT) {
        return respond(
            request,
            200,
            "text/javascript; charset=utf-8",
            LIVE_JS.as_bytes().to_vec(),
            Vec::new(),
        );
    }
    let key = match key_for(&url) {
        Ok(k) => k,
        Err(why) => {
            let text = match why {
                Refused::BadEncoding => "This address is not valid.\n",
                Refused::Escapes => "This address points outside the site.\n",
            };
            return respond(
                request,
                400,
                "text/plain; charset=utf-8",
                text.as_bytes().to_vec(),
                Vec::new(),
            );
        }
    };
    let site = shared.when_ready(&key);
    let found = site
        .files
        .get(&key)
        .map(|b| b.to_vec())
        .or_else(|| site.copies.get(&key).and_then(|s| read_copy(s, &site)));
    let html = |bytes: &[u8], path: &str| {
        if content_type(path).starts_with("text/html") {
            with_script(bytes)
        } else {
            bytes.to_vec()
        }
    };
    match found {
        Some(bytes) => {
            let body = html(&bytes, &key);
            respond(request, 200, content_type(&key), body, Vec::new())
        }
        None if site.files.contains_key(&format!("{key}/index.html")) => {
            let path = url.split('?').next().unwrap_or("/");
            let location = vec![header("Location", &format!("{path}/"))];
            respond(
                request,
                301,
                "text/plain; charset=utf-8",
                Vec::new(),
                location,
            )
        }
        None => {
            let body = match site.files.get("404.html") {
                Some(b) => with_script(b),
                None => with_script(b"<!DOCTYPE html><title>Not found</title><h1>Not found</h1>"),
            };
            respond(request, 404, "text/html; charset=utf-8", body, Vec::new())
        }
    }
}

/// A Server-Sent Events stream: the current state at once, then one
/// message per rebuild, until the page goes away.
fn events(request: Request, shared: &Shared) {
    let (tx, rx) = mpsc::channel::<String>();
    shared
        .listeners
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(tx);
    let hello = {
        let site = shared.published.read().unwrap_or_else(|e| e.into_inner());
        if site.errors.is_empty() {
            serde_json::json!({"type": "hello"})
        } else {
            serde_json::json!({"type": "errors", "diagnostics": site.errors})
        }
    };
    let mut w = request.into_writer();
    let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\nConnection: close\r\nX-Accel-Buffering: no\r\n\r\n";
    if w.write_all(head.as_bytes()).is_err() {
        return;
    }
    let send = |w: &mut dyn Write, text: &str| -> bool {
        w.write_all(text.as_bytes()).is_ok() && w.flush().is_ok()
    };
    if !send(&mut w, &format!("data: {hello}\n\n")) {
        return;
    }
    loop {
        let ok = match rx.recv_timeout(std::time::Duration::from_secs(15)) {
            Ok(m) => send(&mut w, &format!("data: {m}\n\n")),
            // A comment keeps the connection alive and finds closed pages.
            Err(mpsc::RecvTimeoutError::Timeout) => send(&mut w, ": ping\n\n"),
            Err(mpsc::RecvTimeoutError::Disconnected) => false,
        };
        if !ok {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_paths_map_to_output_files() {
        assert_eq!(key_for("/").unwrap(), "index.html");
        assert_eq!(key_for("/plan/").unwrap(), "plan/index.html");
        assert_eq!(key_for("/plan/?x=1").unwrap(), "plan/index.html");
        assert_eq!(key_for("/a%20b.css").unwrap(), "a b.css");
        assert_eq!(key_for("/style.css").unwrap(), "style.css");
    }

    #[test]
    fn escapes_are_refused() {
        for u in [
            "/../etc/passwd",
            "/a/../../x",
            "/%2e%2e/etc/passwd",
            "/%2E%2E%2Fetc%2Fpasswd",
            "/a/%2e%2e%2f%2e%2e%2fx",
            "/..%5cwindows",
            "/a%00.html",
            "/./index.html",
        ] {
            assert_eq!(key_for(u), Err(Refused::Escapes), "{u}");
        }
        assert_eq!(key_for("/%ff%fe"), Err(Refused::BadEncoding));
    }
}
