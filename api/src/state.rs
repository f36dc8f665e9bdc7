//! Everything a request handler may use, passed explicitly (no globals).

use std::sync::Arc;

use chrono::{DateTime, Utc};
use domain::auth::Actor;
use persistence::{Database, DbConnection, Tx};
use search::CapabilityIndex;

use crate::app::catalogue::{Catalogue, CatalogueCache};
use crate::auth::jwt::{JwtKeys, TokenClaims};
use crate::auth::password::PasswordHasher;
use crate::auth::standing::StandingCache;
use crate::auth::throttle::RateLimit;
use crate::config::Settings;
use crate::error::{ApiError, ApiResult};

/// The time source. Production reads the system clock; a development or
/// test server may run shifted (`PMT_CLOCK_OFFSET_SECONDS`) to exercise
/// deadlines and expiries without waiting.
#[derive(Debug, Clone, Copy, Default)]
pub struct Clock {
    offset: chrono::TimeDelta,
}

impl Clock {
    pub fn shifted(offset: chrono::TimeDelta) -> Self {
        Self { offset }
    }

    /// To the microsecond, what the database keeps: a value a write answers
    /// is the one later reads give.
    pub fn now(&self) -> DateTime<Utc> {
        use chrono::SubsecRound as _;
        (Utc::now() + self.offset).trunc_subsecs(6)
    }
}

#[derive(Clone)]
pub struct AppState {
    pub settings: Arc<Settings>,
    pub db: Database,
    pub index: Arc<dyn CapabilityIndex>,
    /// Where documents' bytes are (see the `storage` crate).
    pub files: Arc<dyn storage::FileStore>,
    /// Pinged after a commit that queued object removals, so the files
    /// worker removes them at once.
    pub files_wakeup: Arc<tokio::sync::Notify>,
    pub jwt: JwtKeys,
    pub hasher: PasswordHasher,
    pub clock: Clock,
    /// Pinged by [`AppState::transaction`] after a commit that wrote index
    /// events, so the index worker applies them at once instead of at its
    /// next poll. Nothing else needs to ping it.
    pub indexer_wakeup: Arc<tokio::sync::Notify>,
    /// Whether the index settings were applied. An index that was down at
    /// start gets them as soon as it answers, before any read or write.
    pub index_settings_applied: Arc<std::sync::atomic::AtomicBool>,
    /// Attempts per address on endpoints that check a secret.
    pub auth_throttle: Arc<RateLimit>,
    /// Requests per address on every route.
    pub client_limit: Arc<RateLimit>,
    pub catalogue: Arc<CatalogueCache>,
    /// Where token bearers stand, read at most a few seconds ago.
    pub standing: Arc<StandingCache>,
    pub passes: Arc<WorkerPasses>,
    /// Typeset competence booklets and the jobs typesetting them.
    pub booklets: Arc<crate::app::booklet::BookletEditions>,
    /// The capability map, built once per version of the data it shows.
    pub capability_map: Arc<crate::app::publications::capability_map::MapCache>,
    /// Held as long as the process runs: `pmt admin restore` refuses while
    /// any `pmt` process uses the data directory.
    #[expect(
        dead_code,
        reason = "held, never read: dropping the last clone releases it"
    )]
    pub data_dir_lock: Arc<crate::data_dir_lock::DataDirLock>,
}

/// How many passes the background workers have completed, reported by
/// `/readyz`: a count that stops moving is a stuck worker, and a test waits
/// for a pass instead of sleeping to show that something did not happen.
#[derive(Debug, Default)]
pub struct WorkerPasses {
    /// Polls of the email outbox that found nothing due.
    pub outbox_idle: std::sync::atomic::AtomicU64,
    /// Runs of the reminder jobs (certificate expiry, deadlines).
    pub reminders: std::sync::atomic::AtomicU64,
    /// Polls of the webhook outbox that found nothing due.
    pub webhooks_idle: std::sync::atomic::AtomicU64,
    /// Runs of the documents job.
    pub files: std::sync::atomic::AtomicU64,
}

impl AppState {
    /// Applies the index settings unless done already (idempotent).
    pub async fn ensure_index_settings(&self) -> ApiResult<()> {
        use std::sync::atomic::Ordering;
        if self.index_settings_applied.load(Ordering::Acquire) {
            return Ok(());
        }
        self.index.bootstrap().await?;
        self.index_settings_applied.store(true, Ordering::Release);
        Ok(())
    }

    /// The catalogue to label codes with, as of at most a minute ago.
    pub async fn catalogue(&self) -> ApiResult<Arc<Catalogue>> {
        if let Some(catalogue) = self.catalogue.fresh() {
            return Ok(catalogue);
        }
        let loaded = Arc::new(self.read(Catalogue::load).await?);
        self.catalogue.store(loaded.clone());
        Ok(loaded)
    }

    /// The actor a token's claims speak for now, or `None` when the user is
    /// gone or inactive or the session has ended (see `auth::standing`).
    pub async fn standing(&self, claims: TokenClaims) -> ApiResult<Option<Actor>> {
        let started = std::time::Instant::now();
        if let Some(known) = self.standing.get(&claims, started) {
            return Ok(known);
        }
        let actor = self
            .read(move |conn| {
                Ok(
                    persistence::accounts::standing(conn, claims.user_id, claims.session)?
                        .filter(|s| s.user.active && s.session_open)
                        .map(|s| Actor::of(&s.user, s.organisation_suspended)),
                )
            })
            .await?;
        self.standing.put(claims, actor, started);
        Ok(actor)
    }

    /// Runs a read on the blocking pool: diesel is synchronous and must never
    /// stall an executor thread.
    pub async fn read<T, F>(&self, f: F) -> ApiResult<T>
    where
        F: FnOnce(&mut DbConnection) -> ApiResult<T> + Send + 'static,
        T: Send + 'static,
    {
        let db = self.db.clone();
        blocking(move || db.read(f)).await
    }

    /// Runs `f` in one transaction on the blocking pool. `f` gets a [`Tx`]
    /// (a connection for every query): the writes of indexed data write
    /// their index events through it, and once the transaction commits with
    /// any, the index worker is woken here; likewise the files worker when
    /// the transaction queued a stored object's removal due now.
    pub async fn transaction<T, F>(&self, f: F) -> ApiResult<T>
    where
        F: FnOnce(&mut Tx<'_>) -> ApiResult<T> + Send + 'static,
        T: Send + 'static,
    {
        let db = self.db.clone();
        let now = self.clock.now();
        let (value, index_touched, removal_due) = blocking(move || {
            db.transaction(|conn| {
                let mut tx = Tx::new(conn, now);
                let value = f(&mut tx)?;
                tx.finish()?;
                Ok((value, tx.index_touched(), tx.removal_due()))
            })
        })
        .await?;
        if index_touched {
            self.indexer_wakeup.notify_one();
        }
        if removal_due {
            self.files_wakeup.notify_one();
        }
        Ok(value)
    }
}

impl AppState {
    /// Runs `f` in one transaction that is rolled back whatever it returns:
    /// what a write would do, leaving nothing (an import's dry run).
    pub async fn rolled_back<T, F>(&self, f: F) -> ApiResult<T>
    where
        F: FnOnce(&mut Tx<'_>) -> ApiResult<T> + Send + 'static,
        T: Send + 'static,
    {
        let db = self.db.clone();
        let now = self.clock.now();
        blocking(move || {
            db.rolled_back(|conn| {
                let mut tx = Tx::new(conn, now);
                f(&mut tx)
            })
        })
        .await
    }
}

/// Runs CPU-heavy or blocking work (diesel, argon2) off the executor.
pub async fn blocking<T, F>(f: F) -> ApiResult<T>
where
    F: FnOnce() -> ApiResult<T> + Send + 'static,
    T: Send + 'static,
{
    actix_web::web::block(f)
        .await
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("blocking task failed: {e}")))?
}
