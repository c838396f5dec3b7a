//! `throughline serve` end to end: a server on an ephemeral port over a copy
//! of the strategy fixture; files are edited, renamed and deleted on disk,
//! and the tests read the reload events and the pages over HTTP.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use common::TestSite;
use serde_json::Value;

struct Served {
    site: TestSite,
    addr: SocketAddr,
    events: BufReader<TcpStream>,
}

fn start() -> Served {
    start_with("strategy")
}

fn start_with(fixture: &str) -> Served {
    let site = TestSite::fixture(fixture);
    let opts = throughline::serve::ServeOptions {
        build: site.options(),
        interface: "127.0.0.1".parse().unwrap(),
        port: 0,
        debounce: Duration::from_millis(50),
        open: false,
    };
    let running =
        throughline::serve::start(opts, Box::new(throughline::build::default_plugins), false)
            .expect("the server starts");
    let addr = running.addr;
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    write!(
        s,
        "GET /__throughline/events HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n"
    )
    .unwrap();
    let mut events = BufReader::new(s);
    let mut line = String::new();
    events.read_line(&mut line).unwrap();
    assert!(line.starts_with("HTTP/1.1 200"), "{line}");
    let mut served = Served { site, addr, events };
    let hello = served.next_event();
    assert_eq!(hello["type"], "hello", "{hello}");
    served
}

impl Served {
    /// The next event's JSON.
    fn next_event(&mut self) -> Value {
        let mut line = String::new();
        loop {
            line.clear();
            let n = self.events.read_line(&mut line).expect("an event in time");
            assert!(n > 0, "the event stream closed");
            if let Some(data) = line.strip_prefix("data: ") {
                return serde_json::from_str(data.trim()).unwrap();
            }
        }
    }

    /// Events until one of type `kind` (a save may need two rebuilds).
    fn wait_for(&mut self, kind: &str, pred: impl Fn(&Value) -> bool) -> Value {
        let until = Instant::now() + Duration::from_secs(20);
        while Instant::now() < until {
            let e = self.next_event();
            if e["type"] == kind && pred(&e) {
                return e;
            }
        }
        panic!("no `{kind}` event in time");
    }

    fn get(&self, path: &str) -> (u16, String, String) {
        raw(
            self.addr,
            &format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
        )
    }

    fn write(&self, path: &str, text: &str) {
        self.site.write(path, text);
    }

    fn read(&self, path: &str) -> String {
        std::fs::read_to_string(self.site.root().join(path)).unwrap()
    }
}

/// Send a raw request; return status, head and body.
fn raw(addr: SocketAddr, request: &str) -> (u16, String, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s.write_all(request.as_bytes()).unwrap();
    let mut buf = Vec::new();
    let _ = s.read_to_end(&mut buf);
    let text = String::from_utf8_lossy(&buf).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    (status, head.to_string(), body.to_string())
}

fn changed(e: &Value) -> Vec<String> {
    e["changed"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn an_edit_reloads_with_the_new_content() {
    let mut s = start();
    let (status, _, body) = s.get("/programmes/data-for-all/");
    assert_eq!(status, 200);
    assert!(body.contains("One shared care record."));
    assert!(
        body.contains("/__throughline/live.js"),
        "the live script is added"
    );

    let text = s.read("content/programmes/data-for-all.md");
    s.write(
        "content/programmes/data-for-all.md",
        &text.replace(
            "One shared care record.",
            "One shared care record, for everyone.",
        ),
    );
    let e = s.wait_for("built", |e| {
        changed(e).contains(&"programmes/data-for-all/index.html".to_string())
    });
    assert!(e["rendered"].as_u64().unwrap() >= 1);
    let (_, _, body) = s.get("/programmes/data-for-all/");
    assert!(body.contains("for everyone."));
}

#[test]
fn rename_and_delete() {
    let mut s = start();
    let from = s.site.root().join("content/about.md");
    let to = s.site.root().join("content/about-us.md");
    std::fs::rename(&from, &to).unwrap();
    s.wait_for("built", |e| {
        changed(e).contains(&"about-us/index.html".to_string())
    });
    assert_eq!(s.get("/about-us/").0, 200);
    let (status, _, body) = s.get("/about/");
    assert_eq!(status, 404);
    assert!(
        body.contains("/__throughline/live.js"),
        "the site's 404 page, with the script"
    );

    std::fs::remove_file(&to).unwrap();
    s.wait_for("built", |e| {
        changed(e).contains(&"about-us/index.html".to_string())
    });
    assert_eq!(s.get("/about-us/").0, 404);
}

#[test]
fn a_broken_save_shows_errors_and_a_fix_clears_them() {
    let mut s = start();
    let path = "content/programmes/data-for-all.md";
    let good = s.read(path);
    s.write(path, &good.replace("\"fair-access\"", "\"fair-acess\""));
    let e = s.wait_for("errors", |_| true);
    let d = &e["diagnostics"][0];
    assert_eq!(d["file"], "content/programmes/data-for-all.md", "{e}");
    assert_eq!(d["line"], 4, "{e}");
    assert!(
        d["source_line"].as_str().unwrap().contains("fair-acess"),
        "{e}"
    );
    assert!(d["hint"].as_str().unwrap().contains("fair-access"), "{e}");
    // The last good page is still served.
    let (status, _, body) = s.get("/programmes/data-for-all/");
    assert_eq!(status, 200);
    assert!(body.contains("One shared care record."));
    // A page opened now learns of the errors at once.
    let mut late = TcpStream::connect(s.addr).unwrap();
    late.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(
        late,
        "GET /__throughline/events HTTP/1.1\r\nHost: x\r\n\r\n"
    )
    .unwrap();
    let first = BufReader::new(late)
        .lines()
        .map_while(Result::ok)
        .find_map(|l| l.strip_prefix("data: ").map(str::to_string))
        .expect("a first event");
    let first: Value = serde_json::from_str(&first).unwrap();
    assert_eq!(first["type"], "errors", "{first}");
    assert!(first["diagnostics"][0]["message"]
        .as_str()
        .unwrap()
        .contains("fair-acess"));

    s.write(path, &good);
    s.wait_for("built", |_| true);
    let (_, _, body) = s.get("/programmes/data-for-all/");
    assert!(body.contains("One shared care record."));
}

#[test]
fn a_stylesheet_change_is_announced_alone() {
    let mut s = start();
    s.write("static/extra.css", "body { color: #111 }\n");
    let e = s.wait_for("built", |e| changed(e).contains(&"extra.css".to_string()));
    assert_eq!(changed(&e), ["extra.css"]);
    let (status, head, body) = s.get("/extra.css");
    assert_eq!(status, 200);
    assert!(head.contains("content-type: text/css"), "{head}");
    assert_eq!(body, "body { color: #111 }\n");
}

#[test]
fn requests_cannot_leave_the_site() {
    let s = start();
    for path in [
        "/../Cargo.toml",
        "/%2e%2e/Cargo.toml",
        "/%2E%2E%2Fconfig.toml",
        "/static/..%2f..%2fconfig.toml",
        "/..%5cconfig.toml",
    ] {
        let (status, _, body) = raw(
            s.addr,
            &format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
        );
        assert_eq!(status, 400, "{path}: {body}");
    }
    // Source files are not served, only what the build makes.
    assert_eq!(s.get("/config.toml").0, 404);
    assert_eq!(s.get("/content/about.md").0, 404);
}

#[cfg(unix)]
#[test]
fn a_symlink_out_of_the_site_is_not_followed() {
    let mut s = start();
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.txt"), "secret").unwrap();
    std::fs::create_dir_all(s.site.root().join("static")).unwrap();
    std::os::unix::fs::symlink(
        outside.path().join("secret.txt"),
        s.site.root().join("static/secret.txt"),
    )
    .unwrap();
    s.write("static/plain.txt", "plain");
    s.wait_for("built", |e| changed(e).contains(&"plain.txt".to_string()));
    assert_eq!(s.get("/plain.txt").2, "plain");
    let (status, _, body) = s.get("/secret.txt");
    assert_eq!(status, 404);
    assert!(!body.contains("secret"));
}

#[test]
fn head_conditional_and_methods() {
    let s = start();
    let (status, head, body) = raw(
        s.addr,
        "HEAD / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(status, 200);
    assert!(body.is_empty());
    let len: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length: "))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert!(len > 100);
    let etag = head
        .lines()
        .find_map(|l| l.strip_prefix("etag: "))
        .unwrap()
        .trim()
        .to_string();
    let (status, _, body) = raw(
        s.addr,
        &format!("GET / HTTP/1.1\r\nHost: x\r\nIf-None-Match: {etag}\r\nConnection: close\r\n\r\n"),
    );
    assert_eq!(status, 304);
    assert!(body.is_empty());
    let (status, head, _) = raw(
        s.addr,
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(status, 405);
    assert!(head.contains("allow: GET, HEAD"));
    let (status, head, _) = s.get("/sitemap.xml");
    assert_eq!(status, 200);
    assert!(head.contains("content-type: application/xml"), "{head}");
    let (status, head, _) = s.get("/programmes");
    assert_eq!(status, 301);
    assert!(head.contains("location: /programmes/"), "{head}");
}

#[test]
fn processed_images_are_served_and_follow_edits() {
    let mut s = start_with("images-zola");
    let name = |body: &str, id: &str| -> String {
        let at = body.find(&format!("id=\"{id}\"")).expect(id);
        let rest = &body[at..];
        let start = rest.find("processed_images/").expect("a processed image") + 17;
        rest[start..start + rest[start..].find('"').unwrap()].to_string()
    };
    let (status, _, body) = s.get("/");
    assert_eq!(status, 200);
    let photo = name(&body, "static/photo.jpg|fill|png");
    let (status, head, _) = s.get(&format!("/processed_images/{photo}"));
    assert_eq!(status, 200, "{photo}");
    assert!(head.to_lowercase().contains("image/png"), "{head}");

    // A new size in the template: made and served; the old one no
    // longer asked for is gone, as from a build.
    let index = s.read("templates/index.html");
    s.write(
        "templates/index.html",
        &index.replace(
            "width=30, height=20, op=op, format=f",
            "width=31, height=20, op=op, format=f",
        ),
    );
    s.wait_for("built", |e| changed(e).contains(&"index.html".to_string()));
    let (_, _, body) = s.get("/");
    let new = name(&body, "static/photo.jpg|fill|png");
    assert_ne!(new, photo);
    assert_eq!(s.get(&format!("/processed_images/{new}")).0, 200);
    assert_eq!(s.get(&format!("/processed_images/{photo}")).0, 404);

    // A changed source image: the same name, made again from it.
    let before = s.get(&format!("/processed_images/{new}")).2;
    let cat = std::fs::read(s.site.root().join("content/gallery/cat.jpg")).unwrap();
    s.site.write_bytes("static/photo.jpg", &cat);
    s.wait_for("built", |e| {
        changed(e).contains(&format!("processed_images/{new}"))
    });
    let (status, _, after) = s.get(&format!("/processed_images/{new}"));
    assert_eq!(status, 200);
    assert_ne!(before, after);

    // An edit to a body alone (the short road): the images the other
    // outputs asked for are still served.
    let gallery = s.read("content/gallery/index.md");
    s.write(
        "content/gallery/index.md",
        &gallery.replace("A colocated photo", "A photo beside the page"),
    );
    s.wait_for("built", |e| {
        changed(e).contains(&"gallery/index.html".to_string())
    });
    assert!(s
        .get("/gallery/")
        .2
        .contains(r#"alt="A cat" width="48" height="64""#));
    assert_eq!(s.get(&format!("/processed_images/{new}")).0, 200);

    // A Markdown image's file replaced by one of another size: the body
    // that shows it is made again with the new size.
    s.site.write_bytes("static/rotated.jpg", &cat);
    s.wait_for("built", |e| {
        changed(e).contains(&"gallery/index.html".to_string())
    });
    assert!(s
        .get("/gallery/")
        .2
        .contains(r#"title="Turned" width="48" height="64""#));
}
