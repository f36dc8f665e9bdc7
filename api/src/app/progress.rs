//! How a long job (an import, a reindex) tells its caller how far it got,
//! and learns that it should stop. The command line shows it (`cli::progress`);
//! the server's own callers pass [`Silent`].

pub trait WorkProgress: Sync {
    /// How many items the job is about to process.
    fn start(&self, total: u64);
    fn advance(&self, done: u64);
    /// Checked between items: a job asked to stop ends before the next one.
    fn stop_requested(&self) -> bool;
}

/// No display, never stops.
pub struct Silent;

impl WorkProgress for Silent {
    fn start(&self, _total: u64) {}
    fn advance(&self, _done: u64) {}
    fn stop_requested(&self) -> bool {
        false
    }
}
