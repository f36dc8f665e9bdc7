-- Uploaded documents. The bytes live in the file store under storage_key
-- (a generated UUID); a row exists only for a completely stored object.
CREATE TABLE files (
    id TEXT PRIMARY KEY NOT NULL,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    uploaded_by TEXT NOT NULL REFERENCES users (id),
    display_name TEXT NOT NULL,
    media_type TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    storage_key TEXT NOT NULL UNIQUE,
    attached_kind TEXT,
    attached_id TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX files_organisation ON files (organisation_id);
CREATE INDEX files_attachment ON files (attached_kind, attached_id);
CREATE INDEX files_unattached ON files (created_at) WHERE attached_kind IS NULL;

-- Objects to remove from the file store, written in the transaction that
-- stops referencing them (or before an upload starts, due a day later, so
-- that a crash mid-upload leaves nothing behind for long).
CREATE TABLE storage_removals (
    storage_key TEXT PRIMARY KEY NOT NULL,
    due_at BIGINT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);
CREATE INDEX storage_removals_due ON storage_removals (due_at);

-- Invited suppliers that accepted a request's non-disclosure agreement.
CREATE TABLE request_nda_acceptances (
    request_id TEXT NOT NULL REFERENCES sourcing_requests (id),
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    accepted_by TEXT NOT NULL REFERENCES users (id),
    accepted_at BIGINT NOT NULL,
    PRIMARY KEY (request_id, organisation_id)
);
