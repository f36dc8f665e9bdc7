-- Outcomes of creating POSTs sent with an `Idempotency-Key`, so that a
-- client retrying after a lost answer gets the first result instead of a
-- second object.
CREATE TABLE idempotency_keys (
    -- Who sent it (`user:<id>` or `address:<ip>`): a key is only unique
    -- per sender, and nobody can replay someone else's answer.
    scope TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    -- SHA-256 of method, path and body: the same key with another request
    -- is refused rather than answered with an unrelated result.
    request_hash TEXT NOT NULL,
    -- NULL while the first request runs.
    status INTEGER,
    -- JSON object of the replayed headers (content-type, location, etag).
    headers TEXT,
    body TEXT,
    -- Until when an unfinished first request holds the key; past it (its
    -- server died) a retry runs the request again.
    locked_until BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (scope, idempotency_key)
);
CREATE INDEX idempotency_keys_created_at ON idempotency_keys (created_at);
