//! The local HTTP server: answers from the last good build in memory.
//!
//! axum on a tokio runtime of its own (two worker threads): each connection
//! is a task, so a burst of connections is accepted at once, a client that
//! stops reading a large file holds only its own connection (the body is
//! written as the socket takes it), and an event stream per open tab costs a
//! task, not a thread.
//!
//! Safe by construction: a request names a key in the map of files the
//! build made (or a static file the build would copy), never a path on
//! disk, so `..`, encoded variants and symlinks cannot reach anything
//! else; requests that try are refused outright. GET and HEAD only,
//! content types by extension, `ETag` with `If-None-Match` (304), the
//! site's own 404 page, and `/dir` redirected to `/dir/`.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::Response;
use bytes::Bytes;

use super::{Published, Shared};
use crate::output::Source;

const LIVE_JS: &str = include_str!("live.js");
const EVENTS: &str = "/__throughline/events";
const SCRIPT: &str = "/__throughline/live.js";

/// Serve on `listener` from a thread of its own, until the process ends.
pub(super) fn spawn(listener: std::net::TcpListener, shared: Arc<Shared>) -> Result<(), String> {
    listener
        .set_nonblocking(true)
        .map_err(|e| format!("cannot serve: {e}"))?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("serve-http")
        .enable_io()
        .enable_time()
        .build()
        .map_err(|e| format!("cannot start the server: {e}"))?;
    std::thread::Builder::new()
        .name("serve-http".into())
        .spawn(move || {
            runtime.block_on(async move {
                let listener = match tokio::net::TcpListener::from_std(listener) {
                    Ok(l) => l,
                    Err(e) => {
                        crate::say!("cannot serve: {e}");
                        return;
                    }
                };
                let app = axum::Router::new().fallback(route).with_state(shared);
                // `serve` only returns on an error of the listener itself;
                // a failed connection is that connection's alone.
                if let Err(e) = axum::serve(listener, app).await {
                    crate::say!("the server stopped: {e}");
                }
            })
        })
        .map_err(|e| format!("cannot start the server: {e}"))?;
    Ok(())
}

async fn route(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    if uri.path() == EVENTS {
        return events(shared);
    }
    answer(shared, method, uri, headers).await
}

/// The content type for a file name.
pub(super) fn content_type(path: &str) -> &'static str {
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
pub(super) enum Refused {
    /// Not valid percent-encoded UTF-8.
    BadEncoding,
    /// `..`, a backslash or a NUL: an attempt to leave the site.
    Escapes,
}

/// The output file a request path names (`/a/b/` → `a/b/index.html`), or
/// why it is refused. Percent-encoding is decoded first, so `%2e%2e` and
/// `%2f` are judged as what they spell.
pub(super) fn key_for(url: &str) -> Result<String, Refused> {
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
fn read_copy(src: &Source, site: &Published) -> Option<Bytes> {
    match src {
        Source::Bytes(b) => Some(Bytes::from_static(b)),
        Source::Compiled(b) => Some(Bytes::from_owner(b.clone())),
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
            std::fs::read(real).ok().map(Bytes::from)
        }
    }
}

/// A response with `body` (hyper leaves the body out for HEAD, keeping
/// its length), an `ETag` on a 200, and 304 when the client has it.
fn respond(
    headers: &HeaderMap,
    status: u16,
    ctype: &str,
    body: Bytes,
    extra: &[(header::HeaderName, String)],
) -> Response {
    let etag = format!("\"{:016x}\"", xxhash_rust::xxh3::xxh3_64(&body));
    let matches = headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    let (status, body) = if status == 200 && matches {
        (304, Bytes::new())
    } else {
        (status, body)
    };
    let mut r = Response::new(Body::from(body));
    *r.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let h = r.headers_mut();
    let mut set = |name: header::HeaderName, value: &str| {
        if let Ok(v) = HeaderValue::from_str(value) {
            h.insert(name, v);
        }
    };
    set(header::CONTENT_TYPE, ctype);
    set(header::CACHE_CONTROL, "no-cache");
    set(header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    if status == 200 || status == 304 {
        set(header::ETAG, &etag);
    }
    for (name, value) in extra {
        set(name.clone(), value);
    }
    r
}

const TEXT: &str = "text/plain; charset=utf-8";

async fn answer(shared: Arc<Shared>, method: Method, uri: Uri, headers: HeaderMap) -> Response {
    if method != Method::GET && method != Method::HEAD {
        return respond(
            &headers,
            405,
            TEXT,
            Bytes::from_static(b"Only GET and HEAD are served.\n"),
            &[(header::ALLOW, "GET, HEAD".into())],
        );
    }
    if uri.path() == SCRIPT {
        return respond(
            &headers,
            200,
            "text/javascript; charset=utf-8",
            Bytes::from_static(LIVE_JS.as_bytes()),
            &[],
        );
    }
    let url = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
    let key = match key_for(url) {
        Ok(k) => k,
        Err(why) => {
            let text: &'static str = match why {
                Refused::BadEncoding => "This address is not valid.\n",
                Refused::Escapes => "This address points outside the site.\n",
            };
            return respond(
                &headers,
                400,
                TEXT,
                Bytes::from_static(text.as_bytes()),
                &[],
            );
        }
    };
    let now = shared
        .published
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    // A feed still rendering is waited for off the async threads; the
    // file itself is read there too (a static file may be large).
    let (site, found) = {
        let shared = shared.clone();
        let key = key.clone();
        let work = move || {
            let site = if now.pending.contains(&key) {
                shared.when_ready(&key)
            } else {
                now
            };
            let found = match site.files.get(&key) {
                Some(b) => Some(Bytes::from_owner(b.clone())),
                None => site.copies.get(&key).and_then(|s| read_copy(s, &site)),
            };
            (site, found)
        };
        match tokio::task::spawn_blocking(work).await {
            Ok(r) => r,
            Err(_) => {
                return respond(
                    &headers,
                    500,
                    TEXT,
                    Bytes::from_static(b"The file could not be read.\n"),
                    &[],
                )
            }
        }
    };
    match found {
        Some(bytes) => {
            let ctype = content_type(&key);
            let body = if ctype.starts_with("text/html") {
                Bytes::from(with_script(&bytes))
            } else {
                bytes
            };
            respond(&headers, 200, ctype, body, &[])
        }
        None if site.files.contains_key(&format!("{key}/index.html")) => respond(
            &headers,
            301,
            TEXT,
            Bytes::new(),
            &[(header::LOCATION, format!("{}/", uri.path()))],
        ),
        None => {
            let body = match site.files.get("404.html") {
                Some(b) => with_script(b),
                None => with_script(b"<!DOCTYPE html><title>Not found</title><h1>Not found</h1>"),
            };
            respond(
                &headers,
                404,
                "text/html; charset=utf-8",
                Bytes::from(body),
                &[],
            )
        }
    }
}

/// A Server-Sent Events stream: the current state at once, then one
/// message per rebuild, and a comment every 15 s (which keeps proxies
/// from closing it), until the page goes away.
fn events(shared: Arc<Shared>) -> Response {
    let rx = shared.events.subscribe();
    let hello = {
        let site = shared.published.read().unwrap_or_else(|e| e.into_inner());
        if site.errors.is_empty() {
            serde_json::json!({"type": "hello"})
        } else {
            serde_json::json!({"type": "errors", "diagnostics": site.errors})
        }
    };
    let first = Some(format!("data: {hello}\n\n"));
    let stream = futures_util::stream::unfold((rx, first), |(mut rx, first)| async move {
        use tokio::sync::broadcast::error::RecvError;
        let chunk = match first {
            Some(f) => Bytes::from(f),
            None => match tokio::time::timeout(Duration::from_secs(15), rx.recv()).await {
                Ok(Ok(m)) => Bytes::from(format!("data: {m}\n\n")),
                // Fell behind: the messages missed become one that
                // reloads the page.
                Ok(Err(RecvError::Lagged(_))) => {
                    let all = serde_json::json!({"type": "built", "phase": "done", "all": true, "changed": []});
                    Bytes::from(format!("data: {all}\n\n"))
                }
                Ok(Err(RecvError::Closed)) => return None,
                Err(_) => Bytes::from_static(b": ping\n\n"),
            },
        };
        Some((Ok::<_, std::convert::Infallible>(chunk), (rx, None)))
    });
    let mut r = Response::new(Body::from_stream(stream));
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/event-stream"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert("x-accel-buffering", HeaderValue::from_static("no"));
    r
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
