//! Numbers that cross the boundary from JS, made safe for the engine: a JS number may be
//! NaN, ±Infinity, negative or far beyond any Rust integer, and a conversion such as
//! `Duration::from_secs_f64` panics on some of them. Every numeric option goes through here.
use std::time::Duration;

/// The longest delay the engine schedules (about 285,000 years): larger values saturate.
const MAX_MS: f64 = 9_007_199_254_740_991.0;

/// A time limit in milliseconds, where 0, negative and NaN mean "none" (as alova's `timeout`
/// does) and values too large for any timer, `Infinity` included, saturate.
pub fn time_limit(ms: f64) -> Option<Duration> {
    if ms.is_nan() || ms <= 0.0 {
        return None;
    }
    Some(Duration::from_millis(ms.min(MAX_MS).ceil() as u64))
}

/// A time limit that must exist (an operation's deadline): `default_ms` when not given, at
/// least 1 ms, and at most `u32::MAX` ms (about 49 days) for `Infinity` and other huge values.
pub fn deadline(ms: Option<f64>, default_ms: u32) -> Duration {
    let ms = ms.unwrap_or(f64::from(default_ms));
    let ms = if ms.is_nan() {
        1.0
    } else {
        ms.clamp(1.0, f64::from(u32::MAX))
    };
    Duration::from_millis(ms.ceil() as u64)
}

/// A count where `Infinity` means "as many as allowed": saturates at `cap`; NaN and negative
/// numbers are 0.
pub fn count(n: f64, cap: u32) -> u32 {
    if n.is_nan() || n <= 0.0 {
        0
    } else {
        n.min(f64::from(cap)) as u32
    }
}

/// An option that must be a finite number within `min..=max` (and whole, with `whole`): the
/// error names the option, at the call that gave it.
pub fn option_in_range(
    name: &str,
    n: f64,
    min: f64,
    max: f64,
    whole: bool,
) -> alova_core::Result<f64> {
    if !n.is_finite() || n < min || n > max || (whole && n.fract() != 0.0) {
        let kind = if whole { "an integer" } else { "a number" };
        return Err(alova_core::Error::new(
            alova_core::Code::InvalidArgument,
            format!("`{name}` must be {kind} from {min} to {max}, got {n}"),
        ));
    }
    Ok(n)
}

/// An optional duration option in milliseconds, at least 1 ms and at most `u32::MAX` ms.
pub fn option_ms(name: &str, ms: Option<f64>) -> alova_core::Result<Option<Duration>> {
    ms.map(|n| {
        option_in_range(name, n, 1.0, f64::from(u32::MAX), false)
            .map(|n| Duration::from_millis(n.ceil() as u64))
    })
    .transpose()
}

/// The longest request URL accepted, in bytes (servers refuse far less; fetch sets no limit).
pub const MAX_URL_BYTES: usize = 1 << 20;
/// The longest request header name and value accepted, in bytes.
pub const MAX_HEADER_NAME_BYTES: usize = 64 << 10;
pub const MAX_HEADER_VALUE_BYTES: usize = 1 << 20;
/// The longest Redis key (script keys, key prefixes) accepted, in bytes.
pub const MAX_REDIS_KEY_BYTES: usize = 64 << 10;
/// The longest shared-cache key accepted, in bytes: a key travels in every frame of its entry.
pub const MAX_PSC_KEY_BYTES: usize = 64 << 10;

/// Refuses `value` (the argument `name`) when longer than `max` bytes.
pub fn bounded(name: &str, value: &str, max: usize) -> alova_core::Result<()> {
    if value.len() > max {
        return Err(alova_core::Error::new(
            alova_core::Code::InvalidArgument,
            format!(
                "`{name}` is {} bytes, above the limit of {max}",
                value.len()
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_limit_never_panics() {
        for ms in [
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
            1e30,
            -1.0,
            0.0,
            0.5,
            f64::MAX,
        ] {
            let _ = time_limit(ms);
        }
        assert_eq!(time_limit(0.0), None);
        assert_eq!(time_limit(f64::NAN), None);
        assert_eq!(time_limit(-5.0), None);
        assert_eq!(time_limit(1500.0), Some(Duration::from_millis(1500)));
        assert!(time_limit(f64::INFINITY).unwrap() > Duration::from_secs(86400 * 365 * 1000));
    }

    #[test]
    fn deadline_is_bounded() {
        assert_eq!(deadline(None, 1000), Duration::from_millis(1000));
        assert_eq!(deadline(Some(0.0), 1000), Duration::from_millis(1));
        assert_eq!(deadline(Some(f64::NAN), 1000), Duration::from_millis(1));
        assert_eq!(deadline(Some(250.0), 1000), Duration::from_millis(250));
        assert_eq!(
            deadline(Some(f64::INFINITY), 1000),
            Duration::from_millis(u32::MAX as u64)
        );
    }

    #[test]
    fn options_out_of_range_are_refused() {
        for n in [f64::NAN, f64::INFINITY, -1.0, 0.0, 1.5, 70_000.0] {
            assert!(option_in_range("connections", n, 1.0, 65_535.0, true).is_err());
        }
        assert_eq!(
            option_in_range("connections", 4.0, 1.0, 65_535.0, true).unwrap(),
            4.0
        );
        assert!(option_ms("connectTimeout", Some(0.0)).is_err());
        assert!(option_ms("connectTimeout", Some(0.5)).is_err());
        assert!(option_ms("connectTimeout", Some(f64::INFINITY)).is_err());
        assert_eq!(
            option_ms("connectTimeout", Some(1.5)).unwrap(),
            Some(Duration::from_millis(2))
        );
        assert_eq!(option_ms("connectTimeout", None).unwrap(), None);
    }

    #[test]
    fn bounded_names_the_argument() {
        assert!(bounded("url", "abc", 3).is_ok());
        let e = bounded("url", "abcd", 3).unwrap_err();
        assert_eq!(e.code, alova_core::Code::InvalidArgument);
        assert!(e.message.starts_with("`url` is 4 bytes"), "{}", e.message);
    }

    #[test]
    fn count_saturates() {
        assert_eq!(count(f64::INFINITY, 100), 100);
        assert_eq!(count(f64::NAN, 100), 0);
        assert_eq!(count(-3.0, 100), 0);
        assert_eq!(count(7.9, 100), 7);
    }
}
