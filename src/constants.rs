//! Layout constants shared by the binding and its JS callers, defined once here and exported
//! to JS (which reads them from the binding instead of copying them).

/// The numeric f64 slots at the start of a rate-limit call buffer
/// (`[points, durationMs, limit, blockMs | force, now, keyLength]`), the key's bytes after.
#[napi]
pub const RATE_LIMIT_SLOTS: u32 = 6;

/// Byte length of the slots: where the key starts in a rate-limit call buffer.
#[napi]
pub const RATE_LIMIT_HEADER: u32 = RATE_LIMIT_SLOTS * 8;

/// `L1Index#insert` returns `slot + dropped * L1_COUNT_SHIFT` (one f64, no object built).
#[napi]
pub const L1_COUNT_SHIFT: f64 = 4_294_967_296.0;
