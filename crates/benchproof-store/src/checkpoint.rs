//! WAL checkpoints off the writer's path.
//!
//! By default SQLite checkpoints inside the commit that pushes the WAL past 1000 pages, so one
//! tick in a few hundred pays for copying the WAL into the database and fsyncing it. Here a
//! thread with its own connection runs `PRAGMA wal_checkpoint(PASSIVE)` every few hundred
//! milliseconds instead; PASSIVE never blocks the writer or readers. The writer keeps a large
//! automatic threshold as a backstop in case this thread cannot keep up.

use std::path::Path;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

const INTERVAL: Duration = Duration::from_millis(250);
/// Pages the writer lets the WAL reach before checkpointing inline itself.
pub(crate) const WRITER_BACKSTOP_PAGES: u32 = 20_000;

#[derive(Debug)]
pub(crate) struct Checkpointer {
    stop: Option<mpsc::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Checkpointer {
    /// Starts the thread, or returns `None` if its connection cannot be opened (the writer's
    /// default checkpointing then stays in charge).
    pub(crate) fn start(db: &Path) -> Option<Checkpointer> {
        let conn = Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX)
            .ok()?;
        conn.busy_timeout(Duration::from_millis(100)).ok()?;
        let (stop, stopped) = mpsc::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("benchproof-checkpoint".into())
            .spawn(move || loop {
                match stopped.recv_timeout(INTERVAL) {
                    Err(RecvTimeoutError::Timeout) => {
                        // A busy or failed checkpoint is retried next time; the WAL stays valid.
                        let _ = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
                    }
                    _ => return,
                }
            })
            .ok()?;
        Some(Checkpointer { stop: Some(stop), thread: Some(thread) })
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
