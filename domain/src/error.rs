use crate::validation::ValidationErrors;

/// Why a domain rule refused an operation. The API maps each variant to one
/// HTTP status and a stable code; nothing here knows about HTTP.
#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    #[error(transparent)]
    Validation(#[from] ValidationErrors),
    /// The object does not exist, or the actor may not know that it does.
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("not allowed: {0}")]
    Forbidden(&'static str),
    /// A uniqueness rule, e.g. an email already registered.
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    /// A transition that the current state does not allow; `code` names the state.
    #[error("{message}")]
    InvalidState { code: String, message: String },
    /// The caller's email address is not verified yet, and this action
    /// needs one (submitting a request, quoting, inviting).
    #[error("verify your email address first: {0}")]
    EmailUnverified(&'static str),
    /// The caller's supplier organisation is suspended: its users may read,
    /// never act for it.
    #[error("your organisation is suspended by the cluster; you may only read")]
    OrganisationSuspended,
    /// Storing `incoming` more bytes would take the organisation past its
    /// storage quota.
    #[error("storage quota exceeded: {used} of {limit} bytes used, {incoming} more refused")]
    QuotaExceeded {
        used: u64,
        incoming: u64,
        limit: u64,
    },
    /// An invited supplier reads a request's documents only once it has
    /// accepted the request's non-disclosure agreement.
    #[error("accept this request's non-disclosure agreement first")]
    NdaRequired,
    /// Optimistic concurrency: the caller edited a stale version.
    #[error("the object was modified by someone else (current version {current})")]
    VersionMismatch { current: i64 },
}
