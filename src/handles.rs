//! Objects addressed by a numeric id through free functions, for the calls made most often:
//! a function taking a number costs JS well under half of a method call on a class instance
//! (the method's receiver is unwrapped, referenced and checked for borrows on every call).
use std::sync::{Arc, RwLock};

pub struct Handles<T>(RwLock<Vec<Option<Arc<T>>>>);

impl<T> Handles<T> {
    pub const fn new() -> Self {
        Handles(RwLock::new(Vec::new()))
    }

    /// Adds `value` under a new id (ids are never reused).
    pub fn add(&self, value: Arc<T>) -> u32 {
        let mut all = self.0.write().unwrap_or_else(|e| e.into_inner());
        all.push(Some(value));
        (all.len() - 1) as u32
    }

    pub fn remove(&self, id: u32) {
        let mut all = self.0.write().unwrap_or_else(|e| e.into_inner());
        if let Some(slot) = all.get_mut(id as usize) {
            *slot = None;
        }
    }

    /// Runs `f` on object `id`, or returns None if there is none.
    pub fn with<R>(&self, id: u32, f: impl FnOnce(&T) -> R) -> Option<R> {
        let all = self.0.read().unwrap_or_else(|e| e.into_inner());
        all.get(id as usize)?.as_deref().map(f)
    }
}
