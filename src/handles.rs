//! Objects addressed by a numeric id through free functions, for the calls made most often:
//! a function taking a number costs JS well under half of a method call on a class instance
//! (the method's receiver is unwrapped, referenced and checked for borrows on every call).
//!
//! An id comes from JS as a plain number: anything but an integer naming a live object (NaN,
//! a fraction, 0, a number past the range) finds nothing, rather than being wrapped onto
//! another object's id as napi's integer conversion would.
use std::sync::{Arc, RwLock};

pub struct Handles<T>(RwLock<Vec<Option<Arc<T>>>>);

/// The slot `id` names: ids are integers from 1 (0 is what napi makes of NaN).
fn slot(id: f64) -> Option<usize> {
    (id >= 1.0 && id <= u32::MAX as f64 && id.fract() == 0.0).then_some(id as usize)
}

impl<T> Handles<T> {
    pub const fn new() -> Self {
        Handles(RwLock::new(Vec::new()))
    }

    /// Adds `value` under a new id (ids are never reused).
    pub fn add(&self, value: Arc<T>) -> u32 {
        let mut all = self.0.write().unwrap_or_else(|e| e.into_inner());
        if all.is_empty() {
            all.push(None);
        }
        all.push(Some(value));
        (all.len() - 1) as u32
    }

    pub fn remove(&self, id: f64) {
        let mut all = self.0.write().unwrap_or_else(|e| e.into_inner());
        if let Some(s) = slot(id).and_then(|i| all.get_mut(i)) {
            *s = None;
        }
    }

    /// Runs `f` on object `id`, or returns None if there is none.
    pub fn with<R>(&self, id: f64, f: impl FnOnce(&T) -> R) -> Option<R> {
        let all = self.0.read().unwrap_or_else(|e| e.into_inner());
        all.get(slot(id)?)?.as_deref().map(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_an_integer_naming_a_live_object_finds_it() {
        let h = Handles::new();
        let a = h.add(Arc::new('a'));
        let b = h.add(Arc::new('b'));
        assert_eq!((a, b), (1, 2));
        assert_eq!(h.with(1.0, |c| *c), Some('a'));
        for id in [
            0.0,
            -1.0,
            1.5,
            f64::NAN,
            f64::INFINITY,
            4294967297.0,
            1e300,
            3.0,
        ] {
            assert_eq!(h.with(id, |c| *c), None, "{id}");
        }
        h.remove(1.0);
        h.remove(f64::NAN);
        assert_eq!(h.with(1.0, |c| *c), None);
        assert_eq!(h.with(2.0, |c| *c), Some('b'));
    }
}
