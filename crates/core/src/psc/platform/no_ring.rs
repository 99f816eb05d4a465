//! The shared log where the platform has none: a type without values. Opening or creating one
//! always fails, so no `Ring` ever exists and its methods can never run.
#[cfg(unix)]
use std::os::fd::{OwnedFd, RawFd};

use crate::{Code, Error, Result};

pub const DEFAULT_CAPACITY: u64 = 16 << 20;

pub enum Ring {}

fn unavailable() -> Error {
    Error::new(Code::Psc, "the shared log is available on Linux only")
}

impl Ring {
    pub fn create(_epoch: u64, _cap: u64) -> Result<Ring> {
        Err(unavailable())
    }

    #[cfg(unix)]
    pub fn from_fd(_fd: OwnedFd, _epoch: u64) -> Result<Ring> {
        Err(unavailable())
    }

    #[cfg(unix)]
    pub fn fd(&self) -> RawFd {
        match *self {}
    }

    pub fn commit_ptr(&self) -> *mut u8 {
        match *self {}
    }

    pub fn commit(&self) -> u64 {
        match *self {}
    }

    pub fn set_hub_pos(&self, _pos: u64) {
        match *self {}
    }

    pub fn backlog_large(&self) -> bool {
        match *self {}
    }

    pub fn set_read_due(&self, _after: Option<std::time::Duration>) {
        match *self {}
    }

    pub fn carries_expiry(&self) -> bool {
        match *self {}
    }

    pub fn needs_nudge(&self) -> bool {
        match *self {}
    }

    pub fn slots_ptr(&self) -> Option<(*mut u8, usize)> {
        match *self {}
    }

    pub fn append(&self, _frame: &[u8], _key: Option<&str>) -> Option<u64> {
        match *self {}
    }

    pub fn read<T>(
        &self,
        _pos: &mut u64,
        _out: &mut Vec<T>,
        _parse: impl FnMut(u64, &[u8]) -> Option<T>,
    ) {
        match *self {}
    }
}
