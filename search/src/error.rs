/// What can go wrong when talking to a capability index.
///
/// The `api` crate maps these once: `Unavailable` to 503, `InvalidQuery` to 422,
/// `Internal` to an opaque 500.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    /// The engine cannot be reached (Meilisearch down, connection refused, timeout).
    #[error("search engine unavailable: {0}")]
    Unavailable(String),
    /// The query cannot be run as given (e.g. a malformed certification code).
    #[error("invalid search query: {0}")]
    InvalidQuery(String),
    /// Anything else: a bug, a corrupted index, an unexpected engine answer.
    #[error("search engine error: {0}")]
    Internal(String),
}
