//! A replica's changes in the text forms JS parses in one call (`PscReplica.drain` and
//! `drainKeys`); the engine hands them over through `Replica::drain_with`.
use alova_core::psc::protocol::is_json;
use alova_core::psc::replica::Change;
use alova_core::psc::Replica;

use crate::json::{push_str, push_str_array};

/// Changed keys per drain whose values travel with it (see `drain_keys`).
pub const HAND_OVER: usize = 16;

/// `{"full":bool,"set":{key:value,...},"del":[key,...]}`.
pub fn drain_json(r: &Replica) -> String {
    let mut set = String::with_capacity(256);
    let mut del = String::new();
    let mut full = false;
    r.drain_with(
        |f| full = f,
        |k, v| {
            // A value that is not JSON (written into the shared log by a peer) would break
            // the whole text: it is reported as removed.
            let v = v.json().filter(|v| is_json(v));
            let out = if v.is_some() { &mut set } else { &mut del };
            if !out.is_empty() {
                out.push(',');
            }
            push_str(k, out);
            if let Some(v) = v {
                out.push(':');
                out.push_str(v);
            }
        },
    );
    format!("{{\"full\":{full},\"set\":{{{set}}},\"del\":[{del}]}}")
}

/// Only the keys, for a reader that takes values on first read (`Replica::take`) and asks
/// for an absent key while entries are unlisted (a full drain names only the keys it holds:
/// `Replica::drain_lazily_with`). Plain text
/// split by JS in one call: `'1'|'0'` (full), the changed keys joined by NUL, `\u{1}`, the
/// removed keys joined by NUL and, in a full drain where the reader holds some values, `\u{1}`
/// and the keys it holds (unchanged: it keeps them). If a key contains either separator (or
/// is empty) the whole drain is JSON instead: `[full ? 1 : 0, [changed], [removed], [held]]`.
///
/// A small drain (not full, at most [`HAND_OVER`] changed keys) hands the values over at once
/// (`Replica::take`), saving the reader a call per key: `'2'`, then each changed key and its
/// JSON, all joined by NUL, `\u{1}`, the removed keys. An empty value means "take it later"
/// (JSON is never empty; a value containing a separator is not JSON and is left behind).
pub fn drain_keys(r: &Replica) -> String {
    // Changed, removed, held.
    let mut lists: [String; 3] = Default::default();
    // Filled only once a key contains a separator; the plain part so far splits safely.
    let mut json: Option<[Vec<String>; 3]> = None;
    let mut full = false;
    let split = |s: &str| -> Vec<String> {
        s.split('\0')
            .filter(|k| !k.is_empty())
            .map(str::to_string)
            .collect()
    };
    r.drain_lazily_with(
        |f| full = f,
        |k, c| {
            let i = match c {
                Change::Set(_) => 0,
                Change::Removed => 1,
                Change::Held => 2,
            };
            if json.is_none() && (k.is_empty() || k.contains(['\0', '\u{1}'])) {
                json = Some(lists.each_ref().map(|l| split(l)));
            }
            if let Some(j) = &mut json {
                j[i].push(k.to_string());
                return;
            }
            let out = &mut lists[i];
            if !out.is_empty() {
                out.push('\0');
            }
            out.push_str(k);
        },
    );
    if let Some(j) = json {
        let mut out = format!("[{}", full as u8);
        for l in &j {
            out.push(',');
            push_str_array(l.iter().map(String::as_str), &mut out);
        }
        out.push(']');
        return out;
    }
    let [set, del, held] = lists;
    if !full && held.is_empty() && !set.is_empty() && set.split('\0').nth(HAND_OVER).is_none() {
        let mut out = String::with_capacity(256 + del.len());
        out.push('2');
        for (i, k) in set.split('\0').enumerate() {
            if i > 0 {
                out.push('\0');
            }
            out.push_str(k);
            out.push('\0');
            // Taken only when it can travel in this form: otherwise it stays for `take`.
            if let Some(v) = r.take_if(k, |v| !v.contains(['\0', '\u{1}'])) {
                out.push_str(&v);
            }
        }
        out.push('\u{1}');
        out.push_str(&del);
        return out;
    }
    let mut out = String::with_capacity(3 + set.len() + del.len() + held.len());
    out.push(if full { '1' } else { '0' });
    out.push_str(&set);
    out.push('\u{1}');
    out.push_str(&del);
    if !held.is_empty() {
        out.push('\u{1}');
        out.push_str(&held);
    }
    out
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use alova_core::psc::protocol::{Write, WriteOp};
    use alova_core::psc::replica::Outbox;
    use alova_core::psc::{Limits, Replica};

    use super::*;

    struct Sink;
    impl Outbox for Sink {
        fn send(&self, _: Write) {}
    }

    fn replica() -> Replica {
        Replica::new(None, Arc::new(Sink), Limits::default(), 1)
    }

    fn apply(r: &Replica, seq: u64, op: WriteOp) {
        let write = Write {
            scope: None,
            origin: 9,
            seq,
            op,
        };
        r.apply(&write, false);
    }

    fn set(k: &str, v: &str) -> WriteOp {
        WriteOp::Set {
            key: k.into(),
            value: v.into(),
        }
    }

    fn remove(k: &str) -> WriteOp {
        WriteOp::Remove { key: k.into() }
    }

    #[test]
    fn drains_as_json_and_as_keys() {
        let r = replica();
        apply(&r, 1, set("a", "1"));
        let _ = drain_json(&r);
        apply(&r, 2, set("q\"uote", "{\"x\":1}"));
        apply(&r, 3, remove("a"));
        let text = drain_json(&r);
        assert!(
            text == r#"{"full":false,"set":{"q\"uote":{"x":1}},"del":["a"]}"#,
            "{text}"
        );
        // A small drain hands its values over (the reader then holds them).
        apply(&r, 4, set("b", "1"));
        assert_eq!(drain_keys(&r), "2b\u{0}1\u{1}");
        assert_eq!(r.get("b"), None);
        apply(&r, 5, set("c", "1"));
        apply(&r, 6, set("d", "1"));
        apply(&r, 7, remove("c"));
        assert_eq!(drain_keys(&r), "2d\u{0}1\u{1}c");
        // A value that cannot travel in that form stays for `take`.
        apply(&r, 71, set("e", "\u{1}"));
        assert_eq!(drain_keys(&r), "2e\u{0}\u{1}");
        assert_eq!(r.take("e").as_deref(), Some("\u{1}"));
        // A larger one names the keys only.
        for i in 0..=HAND_OVER as u64 {
            apply(&r, 100 + i, set(&format!("k{i}"), "1"));
        }
        assert!(drain_keys(&r).starts_with('0'));
        apply(&r, 8, set("n\0l", "1"));
        assert_eq!(drain_keys(&r), "[0,[\"n\\u0000l\"],[],[]]");
    }

    #[test]
    fn a_drain_never_hands_text_that_is_not_json_to_js() {
        let r = replica();
        apply(&r, 1, set("bad", "[é"));
        apply(&r, 2, set("good", "[1]"));
        let text = drain_json(&r);
        assert!(text.contains("\"good\":[1]"), "{text}");
        assert!(text.contains("\"del\":[\"bad\"]"), "{text}");
    }
}
