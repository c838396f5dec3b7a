//! Rebuild after one page edit, many times, without the server: for
//! profiling the incremental session (`perf record` on this example).
//!
//! ```text
//! cargo run --release --example rebuild_profile -- /dev/shm/serve-10k/throughline 20
//! ```

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::path::PathBuf;
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let root = PathBuf::from(&args[1]);
    let n: usize = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(20);
    let mut s = throughline::session::Session::new(
        throughline::Options {
            root: root.clone(),
            ..Default::default()
        },
        Box::new(throughline::build::default_plugins),
    );
    assert!(s.rebuild(&[]).ok);
    let page = root.join("content/news/item-5.md");
    let original = std::fs::read_to_string(&page).unwrap();
    let mut times = Vec::new();
    for i in 0..n {
        let text = if i % 2 == 0 {
            format!("{original}\n\nEdited.")
        } else {
            original.clone()
        };
        std::fs::write(&page, text).unwrap();
        let t = Instant::now();
        let out = s.rebuild(std::slice::from_ref(&page));
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        assert!(out.ok);
    }
    std::fs::write(&page, original).unwrap();
    times.sort_by(|a, b| a.total_cmp(b));
    println!(
        "rebuild after a page edit: median {:.1} ms, worst {:.1} ms",
        times[n / 2],
        times[n - 1]
    );
}
