//! Binary frames spoken between the hub, its clients and the Redis channel.
//!
//! A frame is a little-endian `u32` body length followed by the body: one tag byte and the
//! fields. Strings are `u32` length + UTF-8; a scope is a presence byte + string (an absent
//! scope and the empty string are different scopes, as in alova). Values are JSON text and
//! are never parsed here, except for the expiry slot (see [`expiry_of`]).
use crate::{Code, Error, Result};

/// Default largest frame body accepted from a peer (bytes).
pub const DEFAULT_MAX_FRAME: usize = 16 << 20;

pub type Scope = Option<String>;

#[derive(Debug, Clone, PartialEq)]
pub enum WriteOp {
    Set { key: String, value: String },
    Remove { key: String },
    Clear,
}

impl WriteOp {
    /// The key written, or None for a clear.
    pub fn key(&self) -> Option<&str> {
        match self {
            WriteOp::Set { key, .. } | WriteOp::Remove { key } => Some(key),
            WriteOp::Clear => None,
        }
    }

    /// [`WriteOp::key`], taken.
    pub fn into_key(self) -> Option<String> {
        match self {
            WriteOp::Set { key, .. } | WriteOp::Remove { key } => Some(key),
            WriteOp::Clear => None,
        }
    }
}

/// A set value's expiry (see [`expiry_time`]) as its writer or the hub already read it, so
/// that a copy need not scan the value again; `Unread` where it is not carried (it is never
/// sent through Redis, whose other readers may be builds that do not expect it).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Expiry {
    Unread,
    Read(Option<f64>),
}

impl Expiry {
    /// The expiry of `value`, read from it only if not carried.
    pub fn of(self, value: &str) -> Option<f64> {
        match self {
            Expiry::Read(t) => t,
            Expiry::Unread => expiry_of(value),
        }
    }
}

/// One change to one scope, by replica `origin` (0: the hub), its `seq`-th write.
#[derive(Debug, Clone, PartialEq)]
pub struct Write {
    pub scope: Scope,
    pub origin: u64,
    pub seq: u64,
    pub op: WriteOp,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Frame {
    /// client → hub: send me the current entries of `scope` and its later changes.
    Subscribe { scope: Scope },
    /// client → hub: one write, to be ordered and broadcast.
    Write(Write),
    /// client → hub after the hub restarted: set these entries where the hub has none.
    Offer {
        scope: Scope,
        entries: Vec<(String, String)>,
    },
    /// hub → client, first frame of a connection: the hub's run id, the client's id and the
    /// largest frame the hub accepts (0: not said).
    Welcome {
        epoch: u64,
        conn: u64,
        max_frame: u64,
    },
    /// hub → subscribers (and the writer), in the hub's one order. `origin` 0 is the hub (or
    /// the shared log). In the shared log, `origin` is the writer's connection. A set's
    /// `expiry` follows the write when read (an optional last field: 0 for none).
    Event {
        origin: u64,
        write: Write,
        expiry: Expiry,
    },
    /// hub → client: the hub has applied the shared log up to `pos`, which confirms this
    /// connection's own records before it (they get no event of their own).
    Mark { pos: u64 },
    /// client → hub: the shared log has new records.
    Nudge,
    // hub → client: part of a scope's entries (`T_SNAPSHOT`), written by
    // [`encode_snapshot_parts`] and read in place as a [`SnapshotPart`], never as a `Frame`.
}

const T_SUBSCRIBE: u8 = 1;
const T_WRITE: u8 = 2;
const T_OFFER: u8 = 3;
const T_WELCOME: u8 = 4;
const T_EVENT: u8 = 5;
const T_SNAPSHOT: u8 = 6;
const T_NUDGE: u8 = 7;
const T_MARK: u8 = 8;
const OP_SET: u8 = 1;
const OP_REMOVE: u8 = 2;
const OP_CLEAR: u8 = 3;

struct Enc(Vec<u8>);

impl Enc {
    /// The bytes, with the body's length written into the 4 bytes reserved in front.
    fn framed(mut self) -> Vec<u8> {
        let len = (self.0.len() - 4) as u32;
        self.0[..4].copy_from_slice(&len.to_le_bytes());
        self.0
    }
    fn u8(&mut self, v: u8) {
        self.0.push(v);
    }
    fn u64(&mut self, v: u64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn str(&mut self, s: &str) {
        self.0.extend_from_slice(&(s.len() as u32).to_le_bytes());
        self.0.extend_from_slice(s.as_bytes());
    }
    fn scope(&mut self, s: &Scope) {
        match s {
            None => self.u8(0),
            Some(s) => {
                self.u8(1);
                self.str(s);
            }
        }
    }
    fn write(&mut self, w: &Write) {
        self.scope(&w.scope);
        self.u64(w.origin);
        self.u64(w.seq);
        match &w.op {
            WriteOp::Set { key, value } => {
                self.u8(OP_SET);
                self.str(key);
                self.str(value);
            }
            WriteOp::Remove { key } => {
                self.u8(OP_REMOVE);
                self.str(key);
            }
            WriteOp::Clear => self.u8(OP_CLEAR),
        }
    }
    fn event(&mut self, origin: u64, w: &Write, expiry: Expiry) {
        self.u8(T_EVENT);
        self.u64(origin);
        self.write(w);
        if let (WriteOp::Set { .. }, Expiry::Read(t)) = (&w.op, expiry) {
            self.expiry(t);
        }
    }
    /// A carried expiry: its time's bits, 0 for none.
    fn expiry(&mut self, t: Option<f64>) {
        self.u64(t.unwrap_or(0.0).to_bits());
    }
    /// A snapshot part's head, in a buffer sized for `len` entries of `bytes` in all.
    fn snapshot(scope: &Scope, last: bool, len: usize, bytes: usize) -> Enc {
        let scope_len = scope.as_ref().map_or(1, |s| 5 + s.len());
        let mut e = Enc(Vec::with_capacity(4 + 1 + scope_len + 1 + 4 + bytes));
        e.0.extend_from_slice(&[0; 4]);
        e.u8(T_SNAPSHOT);
        e.scope(scope);
        e.u8(last as u8);
        e.0.extend_from_slice(&(len as u32).to_le_bytes());
        e
    }
    fn entries<K: AsRef<str>, V: AsRef<str>>(&mut self, entries: &[(K, V)]) {
        self.0
            .extend_from_slice(&(entries.len() as u32).to_le_bytes());
        for (k, v) in entries {
            self.str(k.as_ref());
            self.str(v.as_ref());
        }
    }
}

/// Encodes a frame with its length prefix.
pub fn encode(frame: &Frame) -> Vec<u8> {
    let mut e = Enc(Vec::with_capacity(64));
    e.0.extend_from_slice(&[0; 4]);
    match frame {
        Frame::Subscribe { scope } => {
            e.u8(T_SUBSCRIBE);
            e.scope(scope);
        }
        Frame::Write(w) => {
            e.u8(T_WRITE);
            e.write(w);
        }
        Frame::Offer { scope, entries } => {
            e.u8(T_OFFER);
            e.scope(scope);
            e.entries(entries);
        }
        Frame::Welcome {
            epoch,
            conn,
            max_frame,
        } => {
            e.u8(T_WELCOME);
            e.u64(*epoch);
            e.u64(*conn);
            e.u64(*max_frame);
        }
        Frame::Event {
            origin,
            write,
            expiry,
        } => e.event(*origin, write, *expiry),
        Frame::Nudge => e.u8(T_NUDGE),
        Frame::Mark { pos } => {
            e.u8(T_MARK);
            e.u64(*pos);
        }
    }
    e.framed()
}

/// A scope's entries (key, JSON, expiry) as snapshot parts carrying their expiries, in order:
/// at most `budget` bytes of entries a part (16 + key + value each: two lengths, the text, the
/// expiry) and at least one entry, each part allocated at its exact size, the last one marked
/// (no entry: one empty part). `entries` is walked twice, for the sizes and for the bytes, and
/// must yield the same entries both times.
pub fn encode_snapshot_parts<'a, I>(
    scope: &Scope,
    entries: impl Fn() -> I,
    budget: usize,
) -> Vec<Vec<u8>>
where
    I: Iterator<Item = (&'a str, &'a str, Option<f64>)>,
{
    let sizes = part_sizes(entries(), budget, |(k, v, _)| 16 + k.len() + v.len());
    let mut all = entries();
    let mut expiries = Vec::new();
    let parts = sizes.len();
    let mut out = Vec::with_capacity(parts);
    for (i, (len, bytes)) in sizes.into_iter().enumerate() {
        let mut e = Enc::snapshot(scope, i + 1 == parts, len, bytes);
        for (k, v, t) in all.by_ref().take(len) {
            e.str(k);
            e.str(v);
            expiries.push(t);
        }
        for t in expiries.drain(..) {
            e.expiry(t);
        }
        out.push(e.framed());
    }
    out
}

/// [`encode`] of `Frame::Event { origin, write, expiry }`, from a borrowed write and in one
/// allocation.
pub fn encode_event(origin: u64, write: &Write, expiry: Expiry) -> Vec<u8> {
    let mut e = Enc(Vec::with_capacity(4 + event_len(&write.scope, &write.op)));
    e.0.extend_from_slice(&[0; 4]);
    e.event(origin, write, expiry);
    e.framed()
}

#[derive(Clone, Copy)]
struct Dec<'a>(&'a [u8]);

fn malformed(what: &str) -> Error {
    Error::new(Code::Psc, format!("malformed frame: {what}"))
}

impl<'a> Dec<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        if self.0.len() < n {
            return Err(malformed("truncated"));
        }
        let (h, t) = self.0.split_at(n);
        self.0 = t;
        Ok(h)
    }
    fn u8(&mut self) -> Result<u8> {
        Ok(self.take(1)?[0])
    }
    fn u32(&mut self) -> Result<u32> {
        Ok(u32::from_le_bytes(self.take(4)?.try_into().unwrap()))
    }
    fn expiry(&mut self) -> Result<Option<f64>> {
        Ok(expiry_time(f64::from_bits(self.u64()?)))
    }
    fn u64(&mut self) -> Result<u64> {
        Ok(u64::from_le_bytes(self.take(8)?.try_into().unwrap()))
    }
    fn str(&mut self) -> Result<String> {
        self.str_ref().map(str::to_owned)
    }
    fn str_ref(&mut self) -> Result<&'a str> {
        let n = self.u32()? as usize;
        let b = self.take(n)?;
        std::str::from_utf8(b).map_err(|_| malformed("string is not UTF-8"))
    }
    fn scope(&mut self) -> Result<Scope> {
        Ok(self.scope_ref()?.map(str::to_owned))
    }
    fn scope_ref(&mut self) -> Result<Option<&'a str>> {
        match self.u8()? {
            0 => Ok(None),
            1 => Ok(Some(self.str_ref()?)),
            _ => Err(malformed("bad scope flag")),
        }
    }
    fn write(&mut self) -> Result<Write> {
        let scope = self.scope()?;
        let origin = self.u64()?;
        let seq = self.u64()?;
        let op = match self.u8()? {
            OP_SET => WriteOp::Set {
                key: self.str()?,
                value: self.str()?,
            },
            OP_REMOVE => WriteOp::Remove { key: self.str()? },
            OP_CLEAR => WriteOp::Clear,
            _ => return Err(malformed("unknown operation")),
        };
        Ok(Write {
            scope,
            origin,
            seq,
            op,
        })
    }
    /// An entry count. Each entry takes at least 8 bytes: counts the body cannot hold are
    /// refused before anything is reserved for them.
    fn count(&mut self) -> Result<usize> {
        let n = self.u32()? as usize;
        if n > self.0.len() / 8 {
            return Err(malformed("entry count exceeds frame"));
        }
        Ok(n)
    }
    fn entries(&mut self) -> Result<Vec<(String, String)>> {
        let n = self.count()?;
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            out.push((self.str()?, self.str()?));
        }
        Ok(out)
    }
}

/// Where an event frame came from and the key it writes, borrowed from its body (nothing of
/// its value is read): enough to tell a copy that already applied it.
#[derive(Debug, PartialEq)]
pub struct EventHead<'a> {
    /// The connection that sent the write (as in `Frame::Event`).
    pub origin: u64,
    pub scope: Option<&'a str>,
    /// The writing replica and its write's `seq` (as in `Write`).
    pub writer: u64,
    pub seq: u64,
    pub key: &'a str,
}

/// The head of an event that sets or removes a key; None for any other frame, or a malformed
/// one (which [`decode`] then reports).
pub fn event_head(body: &[u8]) -> Option<EventHead<'_>> {
    let mut d = Dec(body);
    if d.u8().ok()? != T_EVENT {
        return None;
    }
    let origin = d.u64().ok()?;
    let scope = d.scope_ref().ok()?;
    let (writer, seq) = (d.u64().ok()?, d.u64().ok()?);
    match d.u8().ok()? {
        OP_SET | OP_REMOVE => Some(EventHead {
            origin,
            scope,
            writer,
            seq,
            key: d.str_ref().ok()?,
        }),
        _ => None,
    }
}

/// Decodes one frame body (without its length prefix).
pub fn decode(body: &[u8]) -> Result<Frame> {
    let mut d = Dec(body);
    let frame = match d.u8()? {
        T_SUBSCRIBE => Frame::Subscribe { scope: d.scope()? },
        T_WRITE => Frame::Write(d.write()?),
        T_OFFER => Frame::Offer {
            scope: d.scope()?,
            entries: d.entries()?,
        },
        T_WELCOME => Frame::Welcome {
            epoch: d.u64()?,
            conn: d.u64()?,
            max_frame: if d.0.is_empty() { 0 } else { d.u64()? },
        },
        T_EVENT => {
            let origin = d.u64()?;
            let write = d.write()?;
            let carried = matches!(write.op, WriteOp::Set { .. }) && !d.0.is_empty();
            Frame::Event {
                origin,
                write,
                expiry: match carried {
                    true => Expiry::Read(d.expiry()?),
                    false => Expiry::Unread,
                },
            }
        }
        T_NUDGE => Frame::Nudge,
        T_MARK => Frame::Mark { pos: d.u64()? },
        T_SNAPSHOT => return Err(malformed("a snapshot part is read in place")),
        t => return Err(malformed(&format!("unknown tag {t}"))),
    };
    if !d.0.is_empty() {
        return Err(malformed("trailing bytes"));
    }
    Ok(frame)
}

/// A snapshot part read in place: its entries are borrowed from the frame's body, which a
/// joining worker keeps until the last part has come (nothing is copied before the replica
/// takes each value, and each part is read once before that).
#[derive(Clone, Copy)]
pub struct SnapshotPart<'a> {
    pub scope: Option<&'a str>,
    pub last: bool,
    len: usize,
    /// The entries' pairs, checked when read.
    pairs: Dec<'a>,
    /// One expiry per entry, when carried.
    expiries: Option<Dec<'a>>,
}

impl<'a> SnapshotPart<'a> {
    /// The scope and `last` flag of the part in `body` (nothing else of it is read), or None
    /// if `body` is another frame or not even that much of a part.
    pub fn head_of(body: &'a [u8]) -> Option<(Option<&'a str>, bool)> {
        let mut d = Dec(body);
        (d.u8().ok()? == T_SNAPSHOT).then_some(())?;
        SnapshotPart::head(&mut d).ok()
    }

    fn head(d: &mut Dec<'a>) -> Result<(Option<&'a str>, bool)> {
        Ok((d.scope_ref()?, d.u8()? != 0))
    }

    /// The part in `body`, or None if `body` is another frame.
    pub fn of(body: &'a [u8]) -> Option<Result<SnapshotPart<'a>>> {
        let mut d = Dec(body);
        if d.u8().ok()? != T_SNAPSHOT {
            return None;
        }
        Some(
            SnapshotPart::read(&mut d).and_then(|part| match d.0.is_empty() {
                true => Ok(part),
                false => Err(malformed("trailing bytes")),
            }),
        )
    }

    /// Reads the part after its tag, up to the end of `d`, checking every entry.
    fn read(d: &mut Dec<'a>) -> Result<SnapshotPart<'a>> {
        let (scope, last) = SnapshotPart::head(d)?;
        let len = d.count()?;
        let pairs = *d;
        for _ in 0..len {
            d.str_ref()?;
            d.str_ref()?;
        }
        let expiries = match d.0.is_empty() {
            true => None,
            false => Some(Dec(d.take(8 * len)?)),
        };
        Ok(SnapshotPart {
            scope,
            last,
            len,
            pairs,
            expiries,
        })
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Key, JSON and expiry of each entry (`Expiry::Unread` where not carried).
    pub fn entries(&self) -> impl Iterator<Item = (&'a str, &'a str, Expiry)> + Clone + 'a {
        let (mut pairs, mut expiries) = (self.pairs, self.expiries);
        // Checked by `read`: nothing here fails.
        (0..self.len).map_while(move |_| {
            let key = pairs.str_ref().ok()?;
            let value = pairs.str_ref().ok()?;
            let expiry = match &mut expiries {
                Some(t) => Expiry::Read(t.expiry().ok()?),
                None => Expiry::Unread,
            };
            Some((key, value, expiry))
        })
    }
}

/// The body length of the `Event` frame carrying `op` on `scope`: the largest form a write
/// takes on the wire (socket or shared log).
pub fn event_len(scope: &Scope, op: &WriteOp) -> usize {
    let scope = 1 + scope.as_ref().map_or(0, |s| 4 + s.len());
    let op = match op {
        // With its expiry.
        WriteOp::Set { key, value } => 1 + 4 + key.len() + 4 + value.len() + 8,
        WriteOp::Remove { key } => 1 + 4 + key.len(),
        WriteOp::Clear => 1,
    };
    1 + 8 + scope + 8 + 8 + op
}

/// Splits entries into parts of about `budget` bytes each, so that every part's frame stays
/// within the limit; an entry larger than `budget` goes alone (it arrived in a frame that fit).
pub fn split_entries<K: AsRef<str>, V: AsRef<str>>(
    entries: Vec<(K, V)>,
    budget: usize,
) -> impl Iterator<Item = Vec<(K, V)>> {
    let sizes = part_sizes(&entries, budget, |(k, v)| {
        8 + k.as_ref().len() + v.as_ref().len()
    });
    let mut entries = entries.into_iter();
    sizes
        .into_iter()
        .filter(|(len, _)| *len > 0)
        .map(move |(len, _)| entries.by_ref().take(len).collect())
}

/// How `items` split in order into parts of at most `budget` bytes, `size(item)` each, every
/// part holding at least one item: each part's count and bytes (one empty part if no item).
fn part_sizes<T>(
    items: impl IntoIterator<Item = T>,
    budget: usize,
    size: impl Fn(T) -> usize,
) -> Vec<(usize, usize)> {
    let mut sizes = vec![(0, 0)];
    for item in items {
        let n = size(item);
        let part = sizes.last_mut().unwrap();
        if part.0 > 0 && part.1 + n > budget {
            sizes.push((1, n));
        } else {
            *part = (part.0 + 1, part.1 + n);
        }
    }
    sizes
}

/// Reads one frame body; `Ok(None)` at a clean end of stream. A length above `max` is an
/// error before anything is allocated.
pub async fn read_frame<R: tokio::io::AsyncRead + Unpin>(
    r: &mut R,
    max: usize,
) -> std::io::Result<Option<Vec<u8>>> {
    use tokio::io::AsyncReadExt;
    let mut len = [0u8; 4];
    match r.read_exact(&mut len).await {
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(e),
    }
    let len = u32::from_le_bytes(len) as usize;
    if len > max {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("frame of {len} bytes exceeds the limit of {max}"),
        ));
    }
    let mut body = vec![0u8; len];
    r.read_exact(&mut body).await?;
    Ok(Some(body))
}

/// Whether `v` is one JSON text. Values reach `JSON.parse` in every process: what fails
/// this is dropped by the hub and by the Redis subscriber, and never handed to JS in a drain.
pub fn is_json(v: &str) -> bool {
    super::json_text::scan(v).is_some()
}

/// The entry-expiry rule, the same for every store (written for JS in `lib/core/expiry.js`,
/// both checked by `__test__/fixtures/vectors/expiry.json`): an entry `[data, expireTs, tag?]` expires
/// at `expireTs` when that is a finite number above 0, and is gone once `expireTs <= now`.
/// Anything else never expires in a store: `[data]`, `0`, `null`, a non-number, `Infinity`,
/// and negatives (a rate-limit record `[points, -1]` never expires); alova's own read check
/// still applies on top.
pub fn expiry_time(slot: f64) -> Option<f64> {
    (slot.is_finite() && slot > 0.0).then_some(slot)
}

/// The expiry time (ms since the epoch) of the JSON text of a stored value, under
/// [`expiry_time`]; `None` too for a text that is not JSON.
pub fn expiry_of(value: &str) -> Option<f64> {
    super::json_text::scan(value).flatten()
}

/// Milliseconds since the Unix epoch, as alova's `Date.now()`.
pub fn now_ms() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as f64)
        .unwrap_or(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roundtrip(f: Frame) {
        let bytes = encode(&f);
        assert_eq!(
            u32::from_le_bytes(bytes[..4].try_into().unwrap()) as usize,
            bytes.len() - 4
        );
        assert_eq!(decode(&bytes[4..]).unwrap(), f);
    }

    /// One snapshot part of `entries`, with their `expiries` or, as an older hub wrote it,
    /// without.
    fn encode_part(
        scope: &Scope,
        entries: &[(&str, &str)],
        expiries: Option<&[Option<f64>]>,
        last: bool,
    ) -> Vec<u8> {
        let pairs: usize = entries.iter().map(|(k, v)| 8 + k.len() + v.len()).sum();
        let carried = expiries.map_or(0, |x| 8 * x.len());
        let mut e = Enc::snapshot(scope, last, entries.len(), pairs + carried);
        for (k, v) in entries {
            e.str(k);
            e.str(v);
        }
        for t in expiries.unwrap_or_default() {
            e.expiry(*t);
        }
        e.framed()
    }

    #[test]
    fn an_event_head_is_read_without_its_value() {
        let write = |op| Write {
            scope: Some("s".into()),
            origin: 7,
            seq: 9,
            op,
        };
        let set = encode_event(
            3,
            &write(WriteOp::Set {
                key: "k".into(),
                value: "[1]".into(),
            }),
            Expiry::Read(Some(5.0)),
        );
        let head = EventHead {
            origin: 3,
            scope: Some("s"),
            writer: 7,
            seq: 9,
            key: "k",
        };
        assert_eq!(event_head(&set[4..]), Some(head));
        let remove = encode_event(
            3,
            &write(WriteOp::Remove { key: "k".into() }),
            Expiry::Unread,
        );
        assert_eq!(event_head(&remove[4..]).map(|h| h.key), Some("k"));
        let clear = encode_event(3, &write(WriteOp::Clear), Expiry::Unread);
        assert_eq!(event_head(&clear[4..]), None);
        assert_eq!(event_head(&encode(&Frame::Mark { pos: 1 })[4..]), None);
        for n in 0..set.len() - 8 {
            assert!(
                event_head(&set[4..4 + n]).is_none_or(|h| h.key == "k"),
                "{n}"
            );
        }
    }

    #[test]
    fn frames_roundtrip() {
        roundtrip(Frame::Subscribe { scope: None });
        roundtrip(Frame::Subscribe {
            scope: Some(String::new()),
        });
        roundtrip(Frame::Write(Write {
            scope: Some("a".into()),
            origin: 3,
            seq: 9,
            op: WriteOp::Set {
                key: "k".into(),
                value: "[1]".into(),
            },
        }));
        roundtrip(Frame::Event {
            origin: 7,
            write: Write {
                scope: None,
                origin: 0,
                seq: 0,
                op: WriteOp::Clear,
            },
            expiry: Expiry::Unread,
        });
        // A set's expiry travels with it when read (none is 0), or not at all.
        for expiry in [
            Expiry::Read(Some(1.79e12)),
            Expiry::Read(None),
            Expiry::Unread,
        ] {
            roundtrip(Frame::Event {
                origin: 7,
                write: Write {
                    scope: None,
                    origin: 1,
                    seq: 2,
                    op: WriteOp::Set {
                        key: "k".into(),
                        value: "[1,1790000000000]".into(),
                    },
                },
                expiry,
            });
        }
        roundtrip(Frame::Welcome {
            epoch: 1,
            conn: 2,
            max_frame: 3,
        });
        roundtrip(Frame::Mark { pos: u64::MAX - 1 });
    }

    #[test]
    fn a_scope_is_encoded_as_exact_parts_within_budget() {
        let entries = [
            ("a", "x".repeat(10), Some(5.0)),
            ("b", "x".repeat(10), None),
            ("big", "x".repeat(100), Some(7.0)),
            ("c", "x".to_string(), None),
        ];
        let live = || entries.iter().map(|(k, v, t)| (*k, v.as_str(), *t));
        let scope = Some("sc".to_string());
        let parts = encode_snapshot_parts(&scope, live, 60);
        let read: Vec<_> = parts
            .iter()
            .map(|b| {
                assert_eq!(b.len(), b.capacity());
                let part = SnapshotPart::of(&b[4..]).unwrap().unwrap();
                assert_eq!(part.scope, Some("sc"));
                let bytes: usize = part.entries().map(|(k, v, _)| 16 + k.len() + v.len()).sum();
                (part.last, part.len(), bytes)
            })
            .collect();
        // 27 + 27 fit in 60; the entry larger than the budget goes alone.
        assert_eq!(read, vec![(false, 2, 54), (false, 1, 119), (true, 1, 18)]);
        let all: Vec<_> = parts
            .iter()
            .flat_map(|b| {
                let part = SnapshotPart::of(&b[4..]).unwrap().unwrap();
                part.entries()
                    .map(|(k, v, t)| (k.to_string(), v.to_string(), t))
                    .collect::<Vec<_>>()
            })
            .collect();
        let expected: Vec<_> = entries
            .iter()
            .map(|(k, v, t)| (k.to_string(), v.clone(), Expiry::Read(*t)))
            .collect();
        assert_eq!(all, expected);
        // No entry: one empty last part.
        let parts = encode_snapshot_parts(&None, std::iter::empty, 60);
        assert_eq!(parts.len(), 1);
        let part = SnapshotPart::of(&parts[0][4..]).unwrap().unwrap();
        assert!(part.last && part.is_empty() && part.scope.is_none());
    }

    #[test]
    fn a_snapshot_with_expiries_for_fewer_entries_is_malformed() {
        let body = encode_part(&None, &[("a", "1"), ("b", "2")], Some(&[None]), true);
        assert!(SnapshotPart::of(&body[4..]).unwrap().is_err());
    }

    #[test]
    fn a_snapshot_part_is_read_in_place_and_other_frames_are_not_parts() {
        let entries = [("kéy", "[1,2]"), ("b", "[3,1790000000000]")];
        let body = encode_part(
            &Some("sc".into()),
            &entries,
            Some(&[Some(5.0), None]),
            false,
        );
        let part = SnapshotPart::of(&body[4..]).unwrap().unwrap();
        assert_eq!((part.scope, part.last, part.len()), (Some("sc"), false, 2));
        assert_eq!(SnapshotPart::head_of(&body[4..]), Some((Some("sc"), false)));
        assert_eq!(
            part.entries().collect::<Vec<_>>(),
            vec![
                ("kéy", "[1,2]", Expiry::Read(Some(5.0))),
                ("b", "[3,1790000000000]", Expiry::Read(None))
            ]
        );
        // Not carried (an older hub): each value's own expiry is read later.
        let body = encode_part(&None, &entries, None, true);
        let part = SnapshotPart::of(&body[4..]).unwrap().unwrap();
        assert!(part.entries().all(|(.., t)| t == Expiry::Unread));
        // A part with anything after its expiries, or a string that is not UTF-8, is refused
        // when it comes.
        let mut longer = body[4..].to_vec();
        longer.extend_from_slice(&[0; 8 * 2 + 1]);
        assert!(SnapshotPart::of(&longer).unwrap().is_err());
        let mut bad = body[4..].to_vec();
        let at = bad.len() - 2;
        bad[at] = 0xff;
        assert!(SnapshotPart::of(&bad).unwrap().is_err());
        assert!(SnapshotPart::of(&encode(&Frame::Nudge)[4..]).is_none());
        assert!(SnapshotPart::head_of(&encode(&Frame::Nudge)[4..]).is_none());
    }

    #[test]
    fn event_len_is_the_encoded_length() {
        let write = Write {
            scope: Some("sc".into()),
            origin: 1,
            seq: 2,
            op: WriteOp::Set {
                key: "kéy".into(),
                value: "[1]".into(),
            },
        };
        let n = event_len(&write.scope, &write.op);
        let expiry = Expiry::Read(None);
        let frame = Frame::Event {
            origin: 0,
            write,
            expiry,
        };
        assert_eq!(encode(&frame).len(), n + 4);
    }

    #[test]
    fn split_parts_stay_within_budget() {
        let e = |k: &str, n: usize| (k.to_string(), "x".repeat(n));
        let parts: Vec<_> =
            split_entries(vec![e("a", 10), e("b", 10), e("big", 100), e("c", 1)], 40).collect();
        assert_eq!(
            parts.iter().map(Vec::len).collect::<Vec<_>>(),
            vec![2, 1, 1]
        );
        assert_eq!(split_entries(Vec::<(String, String)>::new(), 10).count(), 0);
    }

    #[test]
    fn malformed_frames_are_errors() {
        assert!(decode(&[]).is_err());
        assert!(decode(&[99]).is_err());
        assert!(decode(&[T_WRITE, 0, OP_SET, 255, 255, 255, 255]).is_err());
        assert!(decode(&[T_OFFER, 0, 255, 255, 255, 255]).is_err());
        let mut ok = encode(&Frame::Subscribe { scope: None });
        ok.push(0);
        assert!(decode(&ok[4..]).is_err());
        // A snapshot part is no `Frame`: the hub refuses one from a client.
        let snapshot = encode_snapshot_parts(&None, std::iter::empty, 60);
        assert!(decode(&snapshot[0][4..]).is_err());
    }

    /// The shared vectors: the same cases run by `lib/core/expiry.js`.
    #[test]
    fn expiry_matches_the_shared_vectors() {
        let text = include_str!("../../../../__test__/fixtures/vectors/expiry.json");
        let doc: serde_json::Value = serde_json::from_str(text).unwrap();
        let cases = doc["cases"].as_array().unwrap();
        assert!(cases.len() >= 20);
        for c in cases {
            let entry = c["entry"].as_str().unwrap();
            assert_eq!(expiry_of(entry), c["expiresAt"].as_f64(), "{}", c["name"]);
        }
    }
}
