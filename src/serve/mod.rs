//! `throughline serve`: build in memory, serve it, watch the site, rebuild
//! what changed (`crate::session`) and tell the browser.
//!
//! - `watch.rs` turns file-system events into batches of changed paths
//!   (leading-edge debounce: the first event rebuilds at once, the burst
//!   that follows is folded into one more rebuild);
//! - `http.rs` answers requests from the last good build, in memory, and
//!   keeps a Server-Sent Events stream open to each page;
//! - `live.js` (added to HTML pages by the server only) reloads the page,
//!   swaps changed stylesheets, and shows build errors in a dialog.

mod http;
mod watch;

use std::collections::{HashMap, HashSet};
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::{Arc, Condvar, Mutex, RwLock};
use std::time::Duration;

use serde_json::json;

use crate::build::Options;
use crate::diagnostics::{shown_path, Diagnostic};
use crate::output::Source;
use crate::session::{Early, Outcome, PluginFactory, Session};

/// What `serve` is asked to do.
pub struct ServeOptions {
    pub build: Options,
    pub interface: IpAddr,
    pub port: u16,
    /// Fold events arriving this long after a rebuild into one more.
    pub debounce: Duration,
    /// Open the site in the default browser once it is built.
    pub open: bool,
}

/// The site as served: the last good build, and the errors of the last
/// build if it failed.
#[derive(Default)]
pub struct Published {
    pub files: HashMap<String, Arc<[u8]>>,
    pub copies: HashMap<String, Source>,
    /// The errors to show over the page (empty when the last build was good).
    pub errors: Vec<serde_json::Value>,
    pub root: PathBuf,
    /// Outputs still being rendered: a request for one waits for it.
    pub pending: HashSet<String>,
}

/// What the server threads share.
pub struct Shared {
    pub published: RwLock<Arc<Published>>,
    /// Messages to every open event stream.
    pub events: tokio::sync::broadcast::Sender<Arc<str>>,
    /// Signalled whenever `published` changes.
    pub changed: (Mutex<u64>, Condvar),
}

impl Default for Shared {
    fn default() -> Shared {
        Shared {
            published: RwLock::new(Arc::new(Published::default())),
            events: tokio::sync::broadcast::channel(64).0,
            changed: (Mutex::new(0), Condvar::new()),
        }
    }
}

impl Shared {
    fn set(&self, p: Published) {
        *self.published.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(p);
        let (m, cv) = &self.changed;
        *m.lock().unwrap_or_else(|e| e.into_inner()) += 1;
        cv.notify_all();
    }

    /// The published site once `key` is no longer pending (or after a
    /// while, whatever it holds).
    pub fn when_ready(&self, key: &str) -> Arc<Published> {
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        let (m, cv) = &self.changed;
        let mut guard = m.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            let site = self
                .published
                .read()
                .unwrap_or_else(|e| e.into_inner())
                .clone();
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            if !site.pending.contains(key) || left.is_zero() {
                return site;
            }
            guard = cv
                .wait_timeout(guard, left.min(Duration::from_millis(200)))
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }

    fn broadcast(&self, message: &serde_json::Value) {
        // An error only means no page is listening.
        let _ = self.events.send(Arc::from(message.to_string()));
    }
}

/// The JSON the overlay shows for a diagnostic.
fn overlay_entry(d: &Diagnostic, root: &std::path::Path) -> serde_json::Value {
    let file = d
        .location
        .as_ref()
        .map(|l| l.file.clone())
        .or_else(|| d.file.clone())
        .map(|f| shown_path(&f, root));
    json!({
        "file": file,
        "line": d.location.as_ref().map(|l| l.line),
        "column": d.location.as_ref().map(|l| l.column),
        "width": d.location.as_ref().map(|l| l.width),
        "source_line": d.location.as_ref().map(|l| l.source_line.clone()),
        "message": d.message,
        "hint": d.hint,
    })
}

/// A running server: its address, and what it shares with its threads (for
/// tests and the command line).
pub struct Running {
    pub addr: SocketAddr,
    pub shared: Arc<Shared>,
}

/// The message sent to pages after a rebuild.
fn message_for(outcome: &Outcome, errors: &[serde_json::Value]) -> serde_json::Value {
    if !outcome.ok {
        return json!({"type": "errors", "diagnostics": errors});
    }
    let all = outcome.changed.len() > 2000;
    json!({
        "type": "built",
        "phase": "done",
        "all": all,
        "changed": if all { Vec::new() } else { outcome.changed.clone() },
        "rendered": outcome.rendered,
        "ms": outcome.elapsed.as_secs_f64() * 1000.0,
    })
}

/// Print what making the search index said (as a build prints it with
/// the rest).
fn report_search(session: &Session, root: &std::path::Path) {
    for d in session.search_diagnostics() {
        crate::say_part!("{}", d.render(root));
    }
}

/// Print a rebuild's result in the terminal.
fn report(outcome: &Outcome, root: &std::path::Path, what: &str, served: bool) {
    report_once(outcome, root, what, served, &mut None);
}

/// [`report`], unless the rebuild failed with the very errors the last
/// one printed (an editor that saves a file in two writes rebuilds twice):
/// then one line says so instead of printing them again.
fn report_once(
    outcome: &Outcome,
    root: &std::path::Path,
    what: &str,
    served: bool,
    last_failure: &mut Option<Vec<String>>,
) {
    let rendered: Vec<String> = outcome.diagnostics.iter().map(|d| d.render(root)).collect();
    if said_already(outcome.ok, &rendered, last_failure) {
        crate::say!("Rebuilt: the same error(s) as above; still waiting for a fix.");
        return;
    }
    for d in &rendered {
        crate::say_part!("{d}");
    }
    if outcome.ok {
        crate::say!(
            "{what} in {:.0} ms: {} output{} rendered, {} changed",
            outcome.elapsed.as_secs_f64() * 1000.0,
            outcome.rendered,
            if outcome.rendered == 1 { "" } else { "s" },
            outcome.changed.len()
        );
    } else {
        let n = outcome.diagnostics.iter().filter(|d| d.is_error()).count();
        let s = if n == 1 { "" } else { "s" };
        if served {
            crate::say!("The site could not be built ({n} error{s}); still serving the last good build. The browser shows the errors too.");
        } else {
            crate::say!("The site could not be built ({n} error{s}); there is nothing to serve until it does. The browser shows the errors too.");
        }
    }
}

/// Whether a rebuild's result is the failure printed last (and remember
/// this one's, or forget after a success).
fn said_already(ok: bool, rendered: &[String], last_failure: &mut Option<Vec<String>>) -> bool {
    if ok {
        *last_failure = None;
        return false;
    }
    if last_failure.as_deref() == Some(rendered) {
        return true;
    }
    *last_failure = Some(rendered.to_vec());
    false
}

/// Build once, start serving, and rebuild on every change until the
/// process ends. Returns only when the server cannot start.
pub fn serve(opts: ServeOptions, plugins: PluginFactory) -> Result<(), String> {
    let running = start(opts, plugins, true)?;
    // The server threads run until the process is stopped.
    let _ = running;
    loop {
        std::thread::park();
    }
}

/// Start serving on a thread; the watcher and rebuilds run on another.
/// `print` prints each rebuild's result.
///
/// The watcher starts before the first build, so a save made while it runs
/// (or the moment the server first answers) is a second pass, never lost.
/// Rebuilds are supervised: a rebuild that panics is reported, the session
/// starts afresh, and the next save rebuilds everything.
pub fn start(
    mut opts: ServeOptions,
    plugins: PluginFactory,
    print: bool,
) -> Result<Running, String> {
    let listener = std::net::TcpListener::bind(SocketAddr::new(opts.interface, opts.port))
        .map_err(|e| format!("cannot listen on {}:{}: {e}", opts.interface, opts.port))?;
    let addr = listener
        .local_addr()
        .map_err(|e| format!("the server has no address: {e}"))?;
    if opts.build.base_url.is_none() {
        opts.build.base_url = Some(format!("http://{addr}"));
    }
    // Absolute, so the watcher's paths and the loader's agree.
    if let Ok(r) = opts.build.root.canonicalize() {
        opts.build.root = r;
    }
    let root = opts.build.root.clone();
    let watcher = watch::Watcher::new(&root, opts.build.output_dir.as_deref())?;
    let mut session = Session::new(opts.build.clone(), plugins);
    let shared = Arc::new(Shared::default());
    let first = supervised(&mut session, &[], None);
    if print {
        report(&first, &root, "Built", session.site().is_some());
    }
    // The first pass is served with its search index.
    if !session.search_index().is_empty() {
        report_search(&session, &root);
    }
    publish(&shared, &session, &first);
    http::spawn(listener, shared.clone())?;
    {
        let shared = shared.clone();
        let debounce = opts.debounce;
        std::thread::spawn(move || {
            let mut last_failure: Option<Vec<String>> = None;
            watcher.run(debounce, |changed| {
                let mut announced: HashSet<String> = HashSet::new();
                let mut early = |e: Early<'_>| {
                    announced.extend(e.changed.iter().cloned());
                    publish_early(&shared, &root, e)
                };
                let mut outcome = supervised(&mut session, changed, Some(&mut early));
                if print {
                    report_once(
                        &outcome,
                        &root,
                        "Rebuilt",
                        session.site().is_some(),
                        &mut last_failure,
                    );
                }
                // Pages told of their change already are not told twice.
                outcome.changed.retain(|p| !announced.contains(p));
                publish(&shared, &session, &outcome);
                // Then the search index catches up (the same stage as
                // `build`'s; run again only when an indexed page changed),
                // served without telling the pages again.
                if outcome.ok && !session.search_index().is_empty() {
                    report_search(&session, &root);
                    republish(&shared, &session);
                }
            })
        });
    }
    if print {
        crate::say!("Serving the site at http://{addr}/ (Ctrl+C to stop)");
    }
    if opts.open {
        open_browser(&format!("http://{addr}/"));
    }
    Ok(Running { addr, shared })
}

/// One rebuild, with a panic inside it (a bug) caught: it becomes an
/// error over the page and in the terminal, and the session forgets what it
/// kept, so the next save rebuilds everything.
fn supervised(
    session: &mut Session,
    changed: &[PathBuf],
    early: Option<&mut dyn FnMut(Early<'_>)>,
) -> Outcome {
    let start = std::time::Instant::now();
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        session.rebuild_with(changed, early)
    })) {
        Ok(outcome) => outcome,
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "an unknown failure".into());
            session.reset();
            Outcome::failed(
                Diagnostic::error(format!("throughline failed while rebuilding: {what}"))
                    .with_hint("this is a bug in throughline; the last good build is still served, and the next save rebuilds everything"),
                start.elapsed(),
            )
        }
    }
}

/// Serve the pages of a rebuild whose feeds are still rendering, and tell
/// the pages (requests for the feeds wait).
fn publish_early(shared: &Shared, root: &std::path::Path, e: Early<'_>) {
    shared.set(Published {
        files: e.files,
        copies: e
            .copies
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        errors: Vec::new(),
        root: root.to_path_buf(),
        pending: e.pending.clone(),
    });
    shared.broadcast(&json!({
        "type": "built",
        "phase": "pages",
        "all": false,
        "changed": e.changed,
        "rendered": e.rendered,
    }));
}

/// Make a rebuild's result what the server serves, and tell the pages.
fn publish(shared: &Shared, session: &Session, outcome: &Outcome) {
    let root = session.root().to_path_buf();
    let errors: Vec<serde_json::Value> = outcome
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| overlay_entry(d, &root))
        .collect();
    let next = match session.site() {
        Some(site) if outcome.ok => Published {
            files: site
                .files
                .iter()
                .map(|(k, v)| (k.clone(), v.bytes.clone()))
                .collect(),
            copies: site
                .copies
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            errors: Vec::new(),
            root: root.clone(),
            pending: HashSet::new(),
        },
        _ => {
            // Keep serving the last good build, with the errors over it.
            let old = shared
                .published
                .read()
                .unwrap_or_else(|e| e.into_inner())
                .clone();
            Published {
                files: old.files.clone(),
                copies: old.copies.clone(),
                errors: errors.clone(),
                root: root.clone(),
                pending: HashSet::new(),
            }
        }
    };
    shared.set(next);
    shared.broadcast(&message_for(outcome, &errors));
}

/// Serve the session's site as it is now, telling no page (for files no
/// page shows, such as the search index).
fn republish(shared: &Shared, session: &Session) {
    let Some(site) = session.site() else {
        return;
    };
    let old = shared
        .published
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    shared.set(Published {
        files: site
            .files
            .iter()
            .map(|(k, v)| (k.clone(), v.bytes.clone()))
            .collect(),
        copies: old.copies.clone(),
        errors: old.errors.clone(),
        root: old.root.clone(),
        pending: HashSet::new(),
    });
}

fn open_browser(url: &str) {
    let cmd = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(windows) {
        "explorer"
    } else {
        "xdg-open"
    };
    if std::process::Command::new(cmd).arg(url).spawn().is_err() {
        crate::say!("Could not open a browser: open {url} yourself.");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_failure_twice_is_said_once() {
        let mut last = None;
        let e = vec!["error: x".to_string()];
        assert!(!said_already(false, &e, &mut last));
        assert!(
            said_already(false, &e, &mut last),
            "the second save, same errors"
        );
        let other = vec!["error: y".to_string()];
        assert!(
            !said_already(false, &other, &mut last),
            "a different error is printed"
        );
        assert!(!said_already(true, &[], &mut last));
        assert!(
            !said_already(false, &other, &mut last),
            "after a success, printed again"
        );
    }

    #[test]
    fn a_request_for_a_pending_feed_waits_for_it() {
        let shared = Arc::new(Shared::default());
        let mut early = Published::default();
        early.files.insert("rss.xml".into(), Arc::from(&b"old"[..]));
        early.pending.insert("rss.xml".into());
        shared.set(early);
        let writer = {
            let shared = shared.clone();
            std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(100));
                let mut done = Published::default();
                done.files.insert("rss.xml".into(), Arc::from(&b"new"[..]));
                shared.set(done);
            })
        };
        let site = shared.when_ready("rss.xml");
        assert_eq!(&*site.files["rss.xml"], b"new");
        // Outputs not pending are answered at once.
        assert!(shared.when_ready("index.html").pending.is_empty());
        writer.join().unwrap();
    }
}
