//! The processed images (`resize_image`) a session publishes: made after
//! each pass for the calls the served outputs still make, put over the
//! copies, and taken off again when no output asks for them.

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::output::Source;
use std::sync::Arc;

use crate::render::deps::Call;
use crate::render::OutFile;

use super::markdown_cache::MdEntry;
use super::reads::Read;
use super::Output;

/// The processed images a pass published over the copies.
#[derive(Default)]
pub(super) struct Images {
    /// Output path → cache file.
    pub(super) made: Vec<(String, Source)>,
    /// The copies (a file in `static/processed_images/`, as Zola sites
    /// may have) they are over, to put back when they go.
    pub(super) covered: BTreeMap<String, Source>,
}

impl Images {
    /// Take the last pass's images off `copies` (putting back what they
    /// covered), put `made` over them, and return the paths that changed.
    pub(super) fn place(
        &mut self,
        copies: &mut BTreeMap<String, Source>,
        made: Vec<(String, Source)>,
    ) -> Vec<String> {
        let mut before: HashMap<String, Source> = HashMap::new();
        for (p, src) in std::mem::take(&mut self.made) {
            copies.remove(&p);
            if let Some(c) = self.covered.remove(&p) {
                copies.insert(p.clone(), c);
            }
            before.insert(p, src);
        }
        let mut changed: Vec<String> = Vec::new();
        for (p, src) in &made {
            if before.remove(p).is_none_or(|b| !same_source(&b, src)) {
                changed.push(p.clone());
            }
            if let Some(c) = copies.insert(p.clone(), src.clone()) {
                self.covered.insert(p.clone(), c);
            }
        }
        changed.extend(before.into_keys());
        self.made = made;
        changed
    }

    /// The output paths of images this pass asks for that the last did not
    /// publish: a request for one waits until it is made.
    pub(super) fn new_paths(&self, images: &crate::images::Processor) -> HashSet<String> {
        let published: HashSet<&str> = self.made.iter().map(|(p, _)| p.as_str()).collect();
        images
            .names()
            .into_iter()
            .map(|n| format!("{}/{n}", crate::images::PROCESSED))
            .filter(|p| !published.contains(p.as_str()))
            .collect()
    }
}

fn same_source(a: &Source, b: &Source) -> bool {
    match (a, b) {
        (Source::File(a), Source::File(b)) => a == b,
        (Source::Compiled(a), Source::Compiled(b)) => a == b,
        (Source::Bytes(a), Source::Bytes(b)) => a == b,
        _ => false,
    }
}

/// The `resize_image` calls (their arguments, as recorded) the outputs
/// served after a pass make: those `rendered` in it, the `served` ones not
/// rendered again (each distinct set of reads looked at once), and the
/// bodies' shortcodes.
pub(super) fn live_images<'a>(
    rendered: &[OutFile],
    served: impl Iterator<Item = (&'a String, &'a Output)>,
    bodies: impl Iterator<Item = &'a MdEntry>,
) -> HashSet<String> {
    let mut live: HashSet<String> = HashSet::new();
    for f in rendered {
        if let Some(r) = &f.record {
            note_image_calls(&mut live, &r.calls);
        }
    }
    let again: HashSet<&str> = rendered.iter().map(|f| f.path.as_str()).collect();
    let mut seen: HashSet<*const Read> = HashSet::new();
    for (p, o) in served {
        if !again.contains(p.as_str()) && seen.insert(Arc::as_ptr(&o.read)) {
            note_image_calls(&mut live, &o.read.calls);
        }
    }
    for e in bodies {
        note_image_calls(&mut live, &e.read.calls);
    }
    live
}

fn note_image_calls(live: &mut HashSet<String>, calls: &[(Call, Option<u64>)]) {
    for (c, _) in calls {
        if c.name == "resize_image" {
            live.insert(c.args.clone());
        }
    }
}
