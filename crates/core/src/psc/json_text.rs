//! One pass over a value's JSON text: whether it is one JSON value, and where an alova
//! entry `[data, expireTs, ...]` expires. Every process runs this on every shared write (the
//! hub to refuse what `JSON.parse` would reject, each copy for the expiry), so it is a plain
//! byte loop: serde's generic skipping cost a reading worker a twentieth of its time.
//!
//! The grammar is JSON's (RFC 8259); nesting depth is not limited (as with `JSON.parse`),
//! and the loop keeps its own stack, so a deep value cannot exhaust the thread's.

use super::protocol::expiry_time;

/// `Some(expiry)` if `text` is exactly one JSON value (whitespace around it allowed), where
/// `expiry` is slot 1 of a top-level array under [`expiry_time`]; `None` if it is not JSON.
pub fn scan(text: &str) -> Option<Option<f64>> {
    let b = text.as_bytes();
    let mut i = ws(b, 0);
    let entry = b.get(i) == Some(&b'[');
    let mut expiry = None;
    let mut open = Stack::default();
    // The index of the current element of the top-level array.
    let mut slot = 0usize;
    loop {
        // A value starts at `i` (whitespace skipped).
        let start = i;
        let mut closed = false;
        match *b.get(i)? {
            c @ (b'[' | b'{') => {
                i = ws(b, i + 1);
                let close = if c == b'{' { b'}' } else { b']' };
                if b.get(i) == Some(&close) {
                    i += 1;
                    closed = true;
                } else {
                    open.push(c == b'{');
                    if c == b'{' {
                        i = key(b, i)?;
                    }
                }
            }
            b'"' => {
                i = string(b, i)?;
                closed = true;
            }
            b't' => (i, closed) = (literal(b, i, b"true")?, true),
            b'f' => (i, closed) = (literal(b, i, b"false")?, true),
            b'n' => (i, closed) = (literal(b, i, b"null")?, true),
            b'-' | b'0'..=b'9' => {
                i = number(b, i)?;
                if entry && open.len == 1 && slot == 1 {
                    expiry = text[start..i].parse::<f64>().ok().and_then(expiry_time);
                }
                closed = true;
            }
            _ => return None,
        }
        // After a complete value: close containers until one continues with a comma.
        while closed {
            if open.len == 0 {
                return (ws(b, i) == b.len()).then_some(expiry);
            }
            i = ws(b, i);
            let object = open.top();
            match *b.get(i)? {
                b',' => {
                    if open.len == 1 {
                        slot += 1;
                    }
                    i = ws(b, i + 1);
                    if object {
                        i = key(b, i)?;
                    }
                    closed = false;
                }
                b'}' if object => {
                    open.pop();
                    i += 1;
                }
                b']' if !object => {
                    open.pop();
                    i += 1;
                }
                _ => return None,
            }
        }
        i = ws(b, i);
    }
}

/// The open containers, `true` for an object; the first 64 levels in bits.
#[derive(Default)]
struct Stack {
    bits: u64,
    len: usize,
    deeper: Vec<bool>,
}

impl Stack {
    fn push(&mut self, object: bool) {
        if self.len < 64 {
            self.bits = (self.bits & !(1 << self.len)) | ((object as u64) << self.len);
        } else {
            self.deeper.push(object);
        }
        self.len += 1;
    }
    fn pop(&mut self) {
        if self.len > 64 {
            self.deeper.pop();
        }
        self.len -= 1;
    }
    fn top(&self) -> bool {
        match self.len {
            0 => false,
            n if n <= 64 => self.bits >> (n - 1) & 1 == 1,
            _ => self.deeper.last() == Some(&true),
        }
    }
}

fn ws(b: &[u8], mut i: usize) -> usize {
    while matches!(b.get(i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
        i += 1;
    }
    i
}

/// An object key and its colon; returns where its value starts.
fn key(b: &[u8], i: usize) -> Option<usize> {
    if b.get(i) != Some(&b'"') {
        return None;
    }
    let i = ws(b, string(b, i)?);
    (b.get(i) == Some(&b':')).then(|| ws(b, i + 1))
}

/// A string starting at its opening quote; returns the index after the closing one.
fn string(b: &[u8], mut i: usize) -> Option<usize> {
    i += 1;
    loop {
        match *b.get(i)? {
            b'"' => return Some(i + 1),
            b'\\' => {
                i += match *b.get(i + 1)? {
                    b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => 2,
                    b'u' if b.get(i + 2..i + 6)?.iter().all(u8::is_ascii_hexdigit) => 6,
                    _ => return None,
                }
            }
            0..=0x1f => return None,
            _ => i += 1,
        }
    }
}

fn literal(b: &[u8], i: usize, word: &[u8]) -> Option<usize> {
    b[i..].starts_with(word).then_some(i + word.len())
}

/// `-? (0 | [1-9][0-9]*) (.[0-9]+)? ([eE][+-]?[0-9]+)?`
fn number(b: &[u8], mut i: usize) -> Option<usize> {
    let digits = |i: usize| i + b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
    if b[i] == b'-' {
        i += 1;
    }
    match b.get(i)? {
        b'0' => i += 1,
        b'1'..=b'9' => i = digits(i),
        _ => return None,
    }
    if b.get(i) == Some(&b'.') {
        let end = digits(i + 1);
        if end == i + 1 {
            return None;
        }
        i = end;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let end = digits(i);
        if end == i {
            return None;
        }
        i = end;
    }
    Some(i)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn serde_is_json(v: &str) -> bool {
        serde_json::from_str::<serde::de::IgnoredAny>(v).is_ok()
    }

    /// Slot 1 of a top-level array, read through serde_json's value tree (which refuses
    /// what `JSON.parse` takes: a lone surrogate escape, a number beyond f64; then `None`).
    fn serde_expiry(v: &str) -> Option<Option<f64>> {
        let value: serde_json::Value = serde_json::from_str(v).ok()?;
        let slot = value.as_array().and_then(|a| a.get(1));
        Some(slot.and_then(|n| n.as_f64()).and_then(expiry_time))
    }

    /// serde_json's default float parsing may be one ulp off (`JSON.parse` and Rust's
    /// `parse` round correctly): the same expiry up to that.
    fn same_expiry(scanned: Option<f64>, serde: Option<f64>) -> bool {
        match (scanned, serde) {
            (Some(a), Some(b)) => ((a - b) / b).abs() < 1e-15,
            (a, b) => a == b,
        }
    }

    const TEXTS: &[&str] = &[
        "[{\"a\":[1,2]},1700000000000]",
        " [ {\"a\" : 1} , 1.7e12 , \"tag\" ] ",
        "[1,2,1800000000000]",
        "[[1,2],3]",
        "[[],{},5]",
        "[\"x\",-1]",
        "[\"x\",0]",
        "[\"x\",-0.0]",
        "[\"x\",1e400]",
        "[\"x\",\"5\"]",
        "[\"x\",null]",
        "[\"x\"]",
        "[]",
        "{}",
        "{\"a\":[1,{\"b\":\"c\\\"\\u00e9\\n\"}],\"d\":true,\"e\":false,\"f\":null}",
        "\"plain\"",
        "12",
        "-0.5e-3",
        "true",
        "null",
        "[\"é ü 𝄞\",3]",
        "[\"\\ud834\\udd1e\",4]",
    ];

    #[test]
    fn agrees_with_serde_json() {
        for t in TEXTS {
            assert!(scan(t).is_some(), "{t}");
            if let Some(e) = serde_expiry(t) {
                assert!(same_expiry(scan(t).flatten(), e), "{t}");
            }
        }
        let bad = [
            "",
            " ",
            "[",
            "]",
            "[1,]",
            "[,1]",
            "{\"a\"}",
            "{\"a\":}",
            "{a:1}",
            "{\"a\":1,}",
            "[1 2]",
            "01",
            "1.",
            ".5",
            "1e",
            "-",
            "+1",
            "tru",
            "nul",
            "\"a",
            "\"\\x\"",
            "\"\\u12g4\"",
            "\"a\tb\"",
            "[1]]",
            "[1] x",
            "[1][2]",
            "{\"a\":1]",
            "[1}",
            "NaN",
            "Infinity",
            "[\"x\",NaN]",
        ];
        for t in bad {
            assert_eq!(scan(t), None, "{t:?}");
            assert!(!serde_is_json(t), "{t:?}");
        }
    }

    /// Every text made by changing one byte of a valid one (to a byte that matters to JSON)
    /// is judged as serde_json judges it, with the same expiry when it is JSON.
    #[test]
    fn agrees_with_serde_json_on_every_one_byte_change() {
        let swaps = b"[]{}\",:0123456789.eE+-\\ tfnu x\t";
        let mut checked = 0;
        for t in TEXTS {
            for at in 0..t.len() {
                for &c in swaps {
                    let mut bytes = t.as_bytes().to_vec();
                    bytes[at] = c;
                    let Ok(s) = String::from_utf8(bytes) else {
                        continue;
                    };
                    assert_eq!(scan(&s).is_some(), serde_is_json(&s), "{s:?}");
                    if let Some(e) = serde_expiry(&s) {
                        let a = scan(&s).flatten();
                        assert!(same_expiry(a, e), "{s:?}: {a:?} {e:?}");
                    }
                    checked += 1;
                }
            }
        }
        assert!(checked > 5_000);
    }

    #[test]
    fn depth_is_not_limited_by_the_stack() {
        let deep = format!("{}1{}", "[{\"k\":".repeat(100_000), "}]".repeat(100_000));
        assert_eq!(scan(&deep), Some(None));
        let unclosed = format!("{}1{}", "[".repeat(100), "]".repeat(99));
        assert_eq!(scan(&unclosed), None);
        // Levels past the bit stack keep their kind.
        let mixed = format!("{}{}", "[".repeat(70), "]".repeat(70));
        assert_eq!(scan(&mixed), Some(None));
        let wrong = format!("{}{}}}", "[".repeat(70), "]".repeat(69));
        assert_eq!(scan(&wrong), None);
    }
}
