//! External links, requested only with `check --external`. Each URL is
//! requested once however many pages link it (the cache), hosts are worked
//! on concurrently but no host gets more than [`PER_HOST`] requests at a
//! time, every request has a timeout, and `[link_checker] skip_prefixes` and
//! `skip_anchor_prefixes` are honoured as in Zola.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Mutex;
use std::time::Duration;

use super::html;
use super::internal::{classify, SiteUrl, Target};
use super::{Broken, Settings, Sources};
use crate::diagnostics::Diagnostic;

/// At most this many requests to one host at once.
pub const PER_HOST: usize = 2;
/// At most this many requests at once in all.
pub const WORKERS: usize = 8;
/// The most of a page read when looking for an anchor.
const BODY_LIMIT: u64 = 8 * 1024 * 1024;

/// What one URL gave.
#[derive(Debug, Clone)]
enum Answer {
    /// It answered; with the page's ids when we needed them.
    Fine(Option<HashSet<String>>),
    /// It did not, and why (in words).
    Failed(String),
}

/// Check every external link on `pages`. Returns the diagnostics and how
/// many distinct URLs were requested.
pub fn check(
    pages: &BTreeMap<String, html::Scan>,
    site: &SiteUrl,
    sources: &Sources,
    settings: &Settings,
) -> (Vec<Diagnostic>, usize) {
    // URL (without fragment) → does any link to it need the page's ids?
    let mut wanted: BTreeMap<String, bool> = BTreeMap::new();
    let mut uses: Vec<(String, String, String, Option<String>)> = Vec::new();
    for (from, scan) in pages {
        for link in &scan.links {
            if classify(&link.url, from, site) != Target::External {
                continue;
            }
            if settings
                .skip_prefixes
                .iter()
                .any(|p| link.url.starts_with(p.as_str()))
            {
                continue;
            }
            let url = if link.url.starts_with("//") {
                format!("https:{}", link.url)
            } else {
                link.url.clone()
            };
            let (base, fragment) = match url.split_once('#') {
                Some((b, f)) if !f.is_empty() => (b.to_string(), Some(f.to_string())),
                Some((b, _)) => (b.to_string(), None),
                None => (url.clone(), None),
            };
            let fragment = fragment.filter(|_| {
                !settings
                    .skip_anchor_prefixes
                    .iter()
                    .any(|p| link.url.starts_with(p.as_str()))
            });
            *wanted.entry(base.clone()).or_default() |= fragment.is_some();
            uses.push((from.clone(), link.url.clone(), base, fragment));
        }
    }
    let answers = fetch_all(&wanted, settings.timeout_secs);
    let mut broken = Vec::new();
    let mut seen = HashSet::new();
    for (from, url, base, fragment) in uses {
        if !seen.insert((from.clone(), url.clone())) {
            continue;
        }
        let (why, hint) = match answers.get(&base) {
            Some(Answer::Failed(why)) => (
                format!("the link `{url}` is broken: {why}"),
                "check the address in a browser; if the site blocks checkers, add its address to `[link_checker] skip_prefixes` in the config",
            ),
            Some(Answer::Fine(Some(ids))) => match &fragment {
                Some(f) if !ids.contains(f) => (
                    format!("the link `{url}` points at `#{f}`, but that page has no such anchor"),
                    "check the anchor on the page; if it is made by a script, add the address to `[link_checker] skip_anchor_prefixes`",
                ),
                _ => continue,
            },
            _ => continue,
        };
        broken.push(Broken {
            from,
            url,
            why,
            hint: Some(hint.to_string()),
        });
    }
    (
        super::locate(
            broken,
            sources,
            super::CODE_EXTERNAL,
            settings.external_level,
        ),
        wanted.len(),
    )
}

/// The host of a URL, for the per-host limit.
fn host_of(url: &str) -> String {
    let after = url.find("://").map(|i| i + 3).unwrap_or(0);
    url[after..]
        .split(['/', '?', '#'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase()
}

/// Request every URL, hosts in parallel, at most [`PER_HOST`] at a time per
/// host: each host's URLs are dealt into that many queues, and workers take
/// whole queues.
fn fetch_all(wanted: &BTreeMap<String, bool>, timeout: u64) -> HashMap<String, Answer> {
    let mut by_host: BTreeMap<String, Vec<(&String, bool)>> = BTreeMap::new();
    for (url, ids) in wanted {
        by_host.entry(host_of(url)).or_default().push((url, *ids));
    }
    let mut queues: Vec<Vec<(&String, bool)>> = Vec::new();
    for (_, urls) in by_host {
        let n = urls.len().min(PER_HOST);
        let mut dealt: Vec<Vec<(&String, bool)>> = vec![Vec::new(); n];
        for (i, u) in urls.into_iter().enumerate() {
            dealt[i % n].push(u);
        }
        queues.extend(dealt);
    }
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(timeout)))
        .http_status_as_error(false)
        .max_redirects(10)
        .user_agent(concat!(
            "throughline-link-checker/",
            env!("CARGO_PKG_VERSION")
        ))
        .build()
        .into();
    let work = Mutex::new(queues);
    let answers = Mutex::new(HashMap::new());
    let workers = WORKERS.min(work.lock().map(|q| q.len()).unwrap_or(0));
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| loop {
                let next = work.lock().unwrap_or_else(|e| e.into_inner()).pop();
                let Some(queue) = next else { break };
                for (url, want_ids) in queue {
                    let a = fetch(&agent, url, want_ids);
                    answers
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .insert(url.clone(), a);
                }
            });
        }
    });
    answers.into_inner().unwrap_or_else(|e| e.into_inner())
}

fn fetch(agent: &ureq::Agent, url: &str, want_ids: bool) -> Answer {
    // HEAD is cheap; some servers refuse it, so fall back to GET. A page
    // whose anchors we must see is fetched with GET at once.
    if !want_ids {
        match agent.head(url).call() {
            Ok(r) if r.status().is_success() => return Answer::Fine(None),
            Ok(r) if ![403, 405, 501].contains(&r.status().as_u16()) => {
                return Answer::Failed(status_words(r.status().as_u16()))
            }
            Ok(_) => {}
            Err(e) => return Answer::Failed(error_words(&e)),
        }
    }
    match agent.get(url).call() {
        Ok(r) if r.status().is_success() => {
            if !want_ids {
                return Answer::Fine(None);
            }
            let mut r = r;
            match r
                .body_mut()
                .with_config()
                .limit(BODY_LIMIT)
                .read_to_string()
            {
                Ok(body) => Answer::Fine(Some(html::scan(&body).ids)),
                Err(e) => Answer::Failed(format!("the page could not be read ({e})")),
            }
        }
        Ok(r) => Answer::Failed(status_words(r.status().as_u16())),
        Err(e) => Answer::Failed(error_words(&e)),
    }
}

fn status_words(status: u16) -> String {
    let what = match status {
        404 => "not found",
        410 => "gone",
        401 | 403 => "the server refused the checker",
        429 => "the server asked the checker to slow down",
        500..=599 => "the server had an error",
        _ => "an unexpected answer",
    };
    format!("the server answered {status} ({what})")
}

fn error_words(e: &ureq::Error) -> String {
    match e {
        ureq::Error::Timeout(_) => "no answer within the time limit".into(),
        ureq::Error::HostNotFound => "the host name was not found".into(),
        ureq::Error::Io(io) => format!("could not connect ({io})"),
        other => format!("the request failed ({other})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts() {
        assert_eq!(host_of("https://Example.org/a?b"), "example.org");
        assert_eq!(host_of("http://x.org:8080#a"), "x.org:8080");
    }
}
