//! A replica's changes in the text forms JS parses in one call (`PscReplica.drain` and
//! `drainKeys`); the engine hands them over through `Replica::drain_with`.
use alova_core::psc::protocol::is_json;
use alova_core::psc::replica::Change;
use alova_core::psc::Replica;

use crate::json::{push_str, push_str_array};

/// Changed keys per drain whose values travel with it (see `drain_keys`), and their bytes at
/// most: a value JS keeps unread holds on to the whole drain's text (V8 slices share it).
pub const HAND_OVER: usize = 256;
pub const HAND_OVER_BYTES: usize = 32 << 10;

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

/// Whether `s` holds NUL or U+0001, the plain form's separators: such a key or value cannot
/// travel in it (JSON never does: a value that does is not JSON, and is left behind). A byte
/// scan: a value's whole text is checked on every drain that hands it over.
fn has_separator(s: &str) -> bool {
    s.bytes().any(|b| b <= 1)
}

/// Only the keys, for a reader that takes values on first read (`Replica::take`) and asks
/// for an absent key while entries are unlisted (a full drain names only the keys it holds:
/// `Replica::drain_lazily_with`). Plain text split by JS in one call:
/// - a full drain: `'1'`, the changed keys joined by NUL, `\u{1}`, the removed keys joined by
///   NUL and, where the reader holds some values, `\u{1}` and the keys it holds (unchanged: it
///   keeps them);
/// - any other: `'2'`, each changed key followed by its JSON, all joined by NUL, `\u{1}`, the
///   removed keys. The first [`HAND_OVER`] values ([`HAND_OVER_BYTES`] at most) travel with
///   the drain (handed over, saving the reader a call per key); an empty one means "take it
///   later" (JSON is never empty).
///
/// If a key contains a separator (or is empty) the whole drain is JSON instead:
/// `[full ? 1 : 0, [changed], [removed], [held]]`, with `[JSON or '']` last when not full.
pub fn drain_keys(r: &Replica) -> String {
    let full = std::cell::Cell::new(false);
    // Changed (each followed by its JSON when not full), removed, held: joined by NUL.
    let mut lists: [String; 3] = Default::default();
    // Filled only once a key contains a separator; the plain part so far splits safely.
    let mut json: Option<JsonDrain> = None;
    let (mut handed, mut bytes) = (0, 0);
    r.drain_lazily_with(
        |f| full.set(f),
        |k, c| {
            let full = full.get();
            let (i, text) = match c {
                Change::Set(v)
                    if !full
                        && handed < HAND_OVER
                        && bytes + v.len() <= HAND_OVER_BYTES
                        && !has_separator(v) =>
                {
                    handed += 1;
                    bytes += v.len();
                    (0, Some(v))
                }
                Change::Set(_) => (0, None),
                Change::Removed => (1, None),
                // Held keys matter only to a full drain (the reader keeps their values).
                Change::Held if !full => return false,
                Change::Held => (2, None),
            };
            let paired = i == 0 && !full;
            if json.is_none() && (k.is_empty() || has_separator(k)) {
                json = Some(JsonDrain::from_plain(&lists, full));
            }
            if let Some(j) = &mut json {
                j.lists[i].push(k.to_string());
                if paired {
                    j.texts.push(text.unwrap_or_default().to_string());
                }
            } else {
                let out = &mut lists[i];
                if !out.is_empty() {
                    out.push('\0');
                }
                out.push_str(k);
                if paired {
                    out.push('\0');
                    out.push_str(text.unwrap_or_default());
                }
            }
            text.is_some()
        },
    );
    let full = full.get();
    if let Some(j) = json {
        return j.text(full);
    }
    let [set, del, held] = lists;
    let mut out = String::with_capacity(3 + set.len() + del.len() + held.len());
    out.push(if full { '1' } else { '2' });
    out.push_str(&set);
    out.push('\u{1}');
    out.push_str(&del);
    if !held.is_empty() {
        out.push('\u{1}');
        out.push_str(&held);
    }
    out
}

/// The JSON form of a drain (see `drain_keys`).
struct JsonDrain {
    /// Changed, removed, held.
    lists: [Vec<String>; 3],
    /// The changed keys' JSON or `""`, when not full.
    texts: Vec<String>,
}

impl JsonDrain {
    /// Takes over what the plain form holds so far.
    fn from_plain(lists: &[String; 3], full: bool) -> Self {
        let split = |s: &str| -> Vec<String> {
            if s.is_empty() {
                return Vec::new();
            }
            s.split('\0').map(str::to_string).collect()
        };
        let mut j = JsonDrain {
            lists: lists.each_ref().map(|l| split(l)),
            texts: Vec::new(),
        };
        if !full {
            let pairs = std::mem::take(&mut j.lists[0]);
            for pair in pairs.chunks(2) {
                j.lists[0].push(pair[0].clone());
                j.texts.push(pair.get(1).cloned().unwrap_or_default());
            }
        }
        j
    }

    fn text(&self, full: bool) -> String {
        let mut out = format!("[{}", full as u8);
        for l in &self.lists {
            out.push(',');
            push_str_array(l.iter().map(String::as_str), &mut out);
        }
        if !full {
            out.push(',');
            push_str_array(self.texts.iter().map(String::as_str), &mut out);
        }
        out.push(']');
        out
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use alova_core::psc::protocol::{Expiry, Write, WriteOp};
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
        r.apply(write, Expiry::Unread, false);
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
        // A larger one hands over its first values; the others are taken later.
        for i in 0..=HAND_OVER as u64 {
            apply(&r, 100 + i, set(&format!("k{i}"), "1"));
        }
        let text = drain_keys(&r);
        let pairs: Vec<&str> = text[1..text.len() - 1].split('\0').collect();
        assert_eq!((&text[..1], pairs.len()), ("2", 2 * (HAND_OVER + 1)));
        let later: Vec<&str> = pairs
            .chunks(2)
            .filter(|p| p[1].is_empty())
            .map(|p| p[0])
            .collect();
        assert_eq!(later.len(), 1);
        assert_eq!(r.take(later[0]).as_deref(), Some("1"));
        // And no more bytes than its bound: the value past it is taken later.
        let big = format!("\"{}\"", "x".repeat(HAND_OVER_BYTES / 2 - 2));
        for i in 0..3 {
            apply(&r, 200 + i, set(&format!("big{i}"), &big));
        }
        let text = drain_keys(&r);
        let handed = text[1..].split('\0').filter(|p| p.starts_with('"')).count();
        assert_eq!(handed, 2);
        // A key the reader wrote itself since (so it holds the value) is not named.
        apply(&r, 10, set("h", "1"));
        r.set_held("h".into(), "2".into(), Expiry::Unread).unwrap();
        assert_eq!(drain_keys(&r), "2\u{1}");
        // A key with a separator turns the drain into JSON, values included.
        apply(&r, 8, set("n\0l", "1"));
        apply(&r, 9, set("p", "2"));
        let text = drain_keys(&r);
        let either = [
            r#"[0,["n\u0000l","p"],[],[],["1","2"]]"#,
            r#"[0,["p","n\u0000l"],[],[],["2","1"]]"#,
        ];
        assert!(either.contains(&text.as_str()), "{text}");
        assert_eq!((r.get("p"), r.get("n\0l")), (None, None), "handed over");
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
