//! Time from a file write to `serve`'s reload message, on a generated site.
//!
//! ```text
//! cargo run --release --example serve_latency -- 10000 /dev/shm/serve-10k
//! ```
//!
//! Generates the site (as `gen_site` does), starts `serve` in this process
//! on an ephemeral port, listens to its event stream like a browser, and
//! for each kind of edit writes a file 20 times, timing each write to the
//! `built` event. Prints the median and worst of each, with how many
//! outputs each rebuild rendered.

/// As in the `throughline` binary (see src/main.rs).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[path = "gen_site.rs"]
#[allow(dead_code)]
mod gen_site;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(10000);
    let out = PathBuf::from(
        args.get(2)
            .cloned()
            .unwrap_or("/dev/shm/serve-latency".into()),
    );
    let runs: usize = args.get(3).and_then(|a| a.parse().ok()).unwrap_or(20);
    // The shape (gen_site's): a news page's body is the page edit on the
    // news shape; a programme's update in the first year on the others.
    let shape = args.get(4).map(String::as_str).unwrap_or("news");
    let page = if shape == "news" {
        gen_site::generate(n, &out);
        "content/news/item-5.md"
    } else {
        gen_site::generate_shape(shape, n, &out);
        "content/annual-review/2016-17/programme-5.md"
    };
    let root = out.join("throughline");

    let start = Instant::now();
    let running = throughline::serve::start(
        throughline::serve::ServeOptions {
            build: throughline::Options {
                root: root.clone(),
                ..Default::default()
            },
            interface: "127.0.0.1".parse().unwrap(),
            port: 0,
            debounce: Duration::from_millis(50),
            open: false,
        },
        Box::new(throughline::build::default_plugins),
        false,
    )
    .expect("serve starts");
    println!(
        "first build of {n} pages: {:.0} ms; resident {} MB",
        start.elapsed().as_secs_f64() * 1000.0,
        resident_mb()
    );
    let mut s = TcpStream::connect(running.addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(120))).unwrap();
    write!(s, "GET /__throughline/events HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    let mut events = BufReader::new(s);
    next(&mut events); // hello

    let page = root.join(page);
    let entity = root.join("content/commitments/commitment-2.md");
    let template = root.join("templates/page.html");
    let kinds: [(&str, &Path, &str, &str); 3] = [
        ("page edit (a page's body)", &page, "\n\nEdited.", ""),
        (
            "cross-linked entity edit (a commitment's title)",
            &entity,
            "title = \"",
            "title = \"Edited ",
        ),
        ("template edit (page.html)", &template, "</h1>", "</h1> "),
    ];
    for (name, path, from, to) in kinds {
        let original = std::fs::read_to_string(path).unwrap();
        let mut times = Vec::new();
        let mut rendered = Vec::new();
        for i in 0..runs {
            // Alternate between two versions so every write is a change.
            let text = if i % 2 == 0 {
                if to.is_empty() {
                    format!("{original}{from}")
                } else {
                    original.replacen(from, to, 1)
                }
            } else {
                original.clone()
            };
            // Let the watcher's burst window close before the next write.
            std::thread::sleep(Duration::from_millis(150));
            let t = Instant::now();
            std::fs::write(path, text).unwrap();
            let e = loop {
                let e = next(&mut events);
                // (A rebuild that changed nothing is not this write's.)
                let changed =
                    e["all"] == true || !e["changed"].as_array().is_none_or(|c| c.is_empty());
                if e["type"] == "built" && changed {
                    break e;
                }
                if e["type"] == "errors" {
                    panic!("the edit broke the site: {e}");
                }
            };
            times.push(t.elapsed());
            let mut count = e["rendered"].as_u64().unwrap_or(0);
            // The feeds may follow: wait for the rebuild to finish.
            if e["phase"] == "pages" {
                loop {
                    let f = next(&mut events);
                    if f["phase"] == "done" {
                        count = f["rendered"].as_u64().unwrap_or(0);
                        break;
                    }
                }
            }
            rendered.push(count);
        }
        std::fs::write(path, original).unwrap();
        while next(&mut events)["phase"] != "done" {}
        times.sort();
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        rendered.sort();
        println!(
            "{name}: median {:.1} ms, worst {:.1} ms over {runs} writes; outputs rendered per rebuild: median {}",
            ms(times[times.len() / 2]),
            ms(*times.last().unwrap()),
            rendered[rendered.len() / 2]
        );
    }
    println!("resident after the edits: {} MB", resident_mb());
}

/// This process's resident size (serve runs in it), from /proc; 0 where
/// there is no /proc.
fn resident_mb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb / 1024)
}

fn next(events: &mut BufReader<TcpStream>) -> serde_json::Value {
    let mut line = String::new();
    loop {
        line.clear();
        if events.read_line(&mut line).unwrap() == 0 {
            panic!("the event stream closed");
        }
        if let Some(d) = line.strip_prefix("data: ") {
            return serde_json::from_str(d.trim()).unwrap();
        }
    }
}
