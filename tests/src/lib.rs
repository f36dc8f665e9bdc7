//! The end-to-end harness: starts the real `pmt` binary on a free port
//! with a fresh database (a SQLite file, or a PostgreSQL database on a
//! throwaway cluster) and talks HTTP to it.

pub mod directory;
pub mod documents;
pub mod load;
pub mod mail;
pub mod paging;
pub mod postgres;
pub mod publications;
pub mod receiver;
pub mod server;
pub mod smtp;
pub mod sourcing;
pub mod spec_codes;

pub use server::{Backend, TestApp};

/// Runs a test body once on SQLite and once on PostgreSQL.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),+ $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let app = $crate::TestApp::spawn($crate::Backend::Sqlite).await;
                super::$name(&app).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let app = $crate::TestApp::spawn($crate::Backend::Postgres).await;
                super::$name(&app).await;
            }
        }
    )+};
}

/// Polls `check` every 100 ms until it gives a value, for up to `seconds`;
/// panics naming `what` past that.
pub async fn eventually<T>(
    seconds: u64,
    what: &str,
    mut check: impl AsyncFnMut() -> Option<T>,
) -> T {
    for _ in 0..seconds * 10 {
        if let Some(value) = check().await {
            return value;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("{what}: not within {seconds} s");
}
