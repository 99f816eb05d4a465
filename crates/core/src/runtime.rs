//! Threads and tokio runtimes, decided here for every engine. Each engine runs on its own
//! single-threaded tokio runtime in a dedicated thread: on a small machine one event-loop
//! thread costs less CPU per operation than work-stealing workers waking each other, and a
//! round trip then wakes one thread and the JS thread only. The threads never keep the
//! process alive: Node exits when JS is done.
use std::future::Future;
use std::sync::{Mutex, OnceLock};

use tokio::runtime::{Builder, Handle};
use tokio::task::JoinHandle;

use crate::{Code, Error, Result};

/// What a submit hands over: the work's inputs, turned into its task on the I/O thread. The
/// future is built there, so the submitting thread allocates and copies only the inputs, not
/// the whole state of the request (and the I/O thread frees what it allocated).
type Job = Box<dyn FnOnce() + Send>;

/// An engine's I/O runtime. Work handed over from other threads waits in `submitted`, so that
/// all the work of one JS tick wakes the I/O thread once: spawning onto tokio from outside
/// its thread signals the thread (a syscall) for every task.
pub struct Io {
    handle: Handle,
    submitted: Mutex<Vec<Job>>,
}

impl Io {
    /// Runs the future `start()` makes on the I/O thread, started in submission order.
    pub fn submit<F, Fut>(&'static self, start: F)
    where
        F: FnOnce() -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let mut jobs = self.submitted.lock().unwrap_or_else(|e| e.into_inner());
        let first = jobs.is_empty();
        jobs.push(Box::new(move || {
            tokio::spawn(start());
        }));
        drop(jobs);
        if first {
            self.handle.spawn(async move { self.start_submitted() });
        }
    }

    /// On the I/O thread: the submitted jobs become tasks of this thread (no signal needed).
    fn start_submitted(&self) {
        let jobs = std::mem::take(&mut *self.submitted.lock().unwrap_or_else(|e| e.into_inner()));
        for job in jobs {
            job();
        }
    }

    /// Runs `fut` on the I/O thread and returns its handle, for work that is awaited.
    pub fn spawn<F>(&self, fut: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.handle.spawn(fut)
    }

    pub fn handle(&self) -> &Handle {
        &self.handle
    }
}

/// The shared runtime stored in `slot` (HTTP, Redis), started on a thread named `name` on
/// first use.
pub fn dedicated(slot: &'static OnceLock<Io>, name: &'static str) -> &'static Io {
    slot.get_or_init(|| {
        let rt = Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap_or_else(|e| panic!("cannot start the {name} runtime: {e}"));
        let handle = rt.handle().clone();
        std::thread::Builder::new()
            .name(name.into())
            .spawn(move || rt.block_on(std::future::pending::<()>()))
            .unwrap_or_else(|e| panic!("cannot start the {name} thread: {e}"));
        Io {
            handle,
            submitted: Mutex::new(Vec::new()),
        }
    })
}

/// Runs `fut` to completion on a runtime of its own in a new thread named `name` (a PSC hub,
/// link or Redis sync: each owns its loop and ends with it).
pub fn spawn_thread(name: &str, fut: impl Future<Output = ()> + Send + 'static) -> Result<()> {
    std::thread::Builder::new()
        .name(name.into())
        .spawn(move || {
            if let Ok(rt) = Builder::new_current_thread().enable_all().build() {
                rt.block_on(fut);
            }
        })
        .map(|_| ())
        .map_err(|e| Error::new(Code::Internal, format!("cannot start thread {name}: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn submitted_jobs_all_run_in_order() {
        static RT: OnceLock<Io> = OnceLock::new();
        let io = dedicated(&RT, "test-io");
        let (tx, rx) = std::sync::mpsc::channel();
        for round in 0..50 {
            for i in 0..20 {
                let tx = tx.clone();
                io.submit(move || async move {
                    let _ = tx.send(round * 20 + i);
                });
            }
            if round % 7 == 0 {
                std::thread::sleep(Duration::from_millis(1));
            }
        }
        let got: Vec<i32> = (0..1000)
            .map(|_| rx.recv_timeout(Duration::from_secs(5)).expect("job ran"))
            .collect();
        assert_eq!(got, (0..1000).collect::<Vec<_>>());
    }

    #[test]
    fn jobs_submitted_from_many_threads_all_run() {
        static RT: OnceLock<Io> = OnceLock::new();
        let io = dedicated(&RT, "test-io-many");
        let (tx, rx) = std::sync::mpsc::channel();
        let threads: Vec<_> = (0..4)
            .map(|t| {
                let tx = tx.clone();
                std::thread::spawn(move || {
                    for i in 0..500u64 {
                        let tx = tx.clone();
                        io.submit(move || async move {
                            let _ = tx.send(());
                        });
                        // Gaps, so that submits meet both an idle and a busy I/O thread.
                        if (i + t) % 50 == 0 {
                            std::thread::sleep(Duration::from_micros(50 + 40 * t));
                        }
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        for _ in 0..2000 {
            rx.recv_timeout(Duration::from_secs(5))
                .expect("every job runs");
        }
    }
}
