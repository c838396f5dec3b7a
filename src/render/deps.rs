//! What an output was made from, so `serve` can tell which outputs an edit
//! touches without rendering them (see `crate::session`).
//!
//! Two tools:
//! - **fingerprints**: a 64-bit hash (xxh3) of a JSON value, used for a
//!   page's value, a template's text and an output's context;
//! - **the recorder**: while one output is rendered on a thread, every
//!   template the engine is asked for and every template function called
//!   (name, arguments, and a fingerprint of the answer) is noted, so that a
//!   later build can check whether those answers are still the same.
//!
//! Recording is off unless a caller turns it on for a thread, so a normal
//! `build` pays nothing for it.

use std::cell::RefCell;
use std::hash::Hasher;

use serde_json::Value;
use xxhash_rust::xxh3::Xxh3;

/// A running fingerprint.
#[derive(Default, Clone)]
pub(crate) struct Fp(Xxh3);

impl Fp {
    pub(crate) fn new() -> Fp {
        Fp(Xxh3::new())
    }
    pub(crate) fn str(&mut self, s: &str) -> &mut Self {
        self.0.write_usize(s.len());
        self.0.write(s.as_bytes());
        self
    }
    pub(crate) fn u64(&mut self, n: u64) -> &mut Self {
        self.0.write_u64(n);
        self
    }
    /// A list of texts, with its length (so lists cannot run together).
    pub(crate) fn strs<'s>(&mut self, list: impl ExactSizeIterator<Item = &'s str>) -> &mut Self {
        self.0.write_usize(list.len());
        for s in list {
            self.str(s);
        }
        self
    }
    pub(crate) fn value(&mut self, v: &Value) -> &mut Self {
        hash_into(&mut self.0, v);
        self
    }
    pub(crate) fn finish(&self) -> u64 {
        self.0.digest()
    }
}

/// The fingerprint of one JSON value.
pub(crate) fn hash_value(v: &Value) -> u64 {
    Fp::new().value(v).finish()
}

fn hash_into(h: &mut Xxh3, v: &Value) {
    match v {
        Value::Null => h.write_u8(0),
        Value::Bool(b) => {
            h.write_u8(1);
            h.write_u8(*b as u8);
        }
        Value::Number(n) => {
            h.write_u8(2);
            let s = n.to_string();
            h.write_usize(s.len());
            h.write(s.as_bytes());
        }
        Value::String(s) => {
            h.write_u8(3);
            h.write_usize(s.len());
            h.write(s.as_bytes());
        }
        Value::Array(a) => {
            h.write_u8(4);
            h.write_usize(a.len());
            for x in a {
                hash_into(h, x);
            }
        }
        Value::Object(m) => {
            h.write_u8(5);
            h.write_usize(m.len());
            for (k, x) in m {
                h.write_usize(k.len());
                h.write(k.as_bytes());
                hash_into(h, x);
            }
        }
    }
}

/// A stand-in for a large value in a context built only to be
/// fingerprinted: it carries the value's fingerprint and, for pages and
/// sections, an empty `content` a plugin may append to.
pub(crate) fn stand_in(fp: u64) -> Value {
    let mut m = serde_json::Map::new();
    m.insert("\u{0}fp".into(), Value::String(format!("{fp:016x}")));
    m.insert("content".into(), Value::String(String::new()));
    Value::Object(m)
}

/// Fingerprints of values that live for a whole build, by address, so
/// each is hashed once however many contexts it goes into.
#[derive(Default)]
pub(crate) struct Memo(std::sync::Mutex<std::collections::HashMap<usize, u64>>);

impl Memo {
    pub(crate) fn fp(&self, v: &Value) -> u64 {
        let key = v as *const Value as usize;
        if let Some(fp) = self.0.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
            return *fp;
        }
        let fp = hash_value(v);
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key, fp);
        fp
    }
}

/// A template function call: its name and its arguments (as canonical
/// JSON, keys sorted).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Call {
    pub name: String,
    pub args: String,
}

impl Call {
    pub fn new(name: &str, args: &std::collections::HashMap<String, Value>) -> Call {
        let sorted: std::collections::BTreeMap<&String, &Value> = args.iter().collect();
        Call {
            name: name.to_string(),
            args: serde_json::to_string(&sorted).unwrap_or_default(),
        }
    }
}

/// What rendering one output read, beyond its context.
#[derive(Debug, Clone, Default)]
pub struct Record {
    /// Templates rendered by name (the engine follows `extends`, `include`
    /// and `import` from them).
    pub templates: Vec<String>,
    /// Function calls and the fingerprint of each answer (`None`: it failed).
    pub calls: Vec<(Call, Option<u64>)>,
}

impl Record {
    fn note_template(&mut self, name: &str) {
        if !self.templates.iter().any(|t| t == name) {
            self.templates.push(name.to_string());
        }
    }
    fn note_call(&mut self, call: Call, answer: Option<u64>) {
        if !self.calls.iter().any(|(c, _)| *c == call) {
            self.calls.push((call, answer));
        }
    }
    /// Add what another record read.
    pub fn merge(&mut self, other: Record) {
        for t in other.templates {
            self.note_template(&t);
        }
        for (c, a) in other.calls {
            self.note_call(c, a);
        }
    }
}

thread_local! {
    static CURRENT: RefCell<Option<Record>> = const { RefCell::new(None) };
    static PAGE_VALUES_READ: RefCell<Vec<usize>> = const { RefCell::new(Vec::new()) };
}

/// A plugin read page `pid`'s value (through `RenderCx::page_value`) on
/// this thread: what it makes shows that page, which `serve` cannot tell
/// from the site's structure.
pub(crate) fn note_page_value_read(pid: usize) {
    PAGE_VALUES_READ.with(|c| c.borrow_mut().push(pid));
}

/// The pages whose values were read on this thread since the last call,
/// each once (and forget them).
pub(crate) fn take_page_values_read() -> Vec<usize> {
    let mut read = PAGE_VALUES_READ.with(|c| std::mem::take(&mut *c.borrow_mut()));
    read.sort_unstable();
    read.dedup();
    read
}

/// Start recording on this thread. Returns what was being recorded before
/// (nested recordings are restored by [`finish`]).
pub(crate) fn start() -> Option<Record> {
    CURRENT.with(|c| c.borrow_mut().replace(Record::default()))
}

/// Stop recording and return what was read; `outer` is what [`start`]
/// returned. What was read is also added to the outer recording.
pub(crate) fn finish(outer: Option<Record>) -> Record {
    let rec = CURRENT.with(|c| c.borrow_mut().take()).unwrap_or_default();
    if let Some(mut o) = outer {
        o.merge(rec.clone());
        CURRENT.with(|c| *c.borrow_mut() = Some(o));
    }
    rec
}

/// Whether this thread is recording.
pub(crate) fn recording() -> bool {
    CURRENT.with(|c| c.borrow().is_some())
}

pub(crate) fn note_template(name: &str) {
    CURRENT.with(|c| {
        if let Some(r) = c.borrow_mut().as_mut() {
            r.note_template(name);
        }
    });
}

pub(crate) fn note_call(call: Call, answer: Option<u64>) {
    CURRENT.with(|c| {
        if let Some(r) = c.borrow_mut().as_mut() {
            r.note_call(call, answer);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fingerprints_tell_values_apart() {
        assert_eq!(
            hash_value(&json!({"a": [1, "x"]})),
            hash_value(&json!({"a": [1, "x"]}))
        );
        assert_ne!(
            hash_value(&json!(["ab", "c"])),
            hash_value(&json!(["a", "bc"]))
        );
        assert_ne!(hash_value(&json!("1")), hash_value(&json!(1)));
        assert_ne!(hash_value(&json!({"a": 1})), hash_value(&json!({"b": 1})));
    }

    #[test]
    fn nested_recordings_add_to_the_outer_one() {
        let outer = start();
        note_template("a.html");
        let inner_outer = start();
        note_template("b.html");
        let inner = finish(inner_outer);
        assert_eq!(inner.templates, ["b.html"]);
        let rec = finish(outer);
        assert_eq!(rec.templates, ["a.html", "b.html"]);
        assert!(!recording());
    }
}
