-- Supplier directory: taxonomy, certification catalogue, profiles,
-- certificates, and the outbox of changes for the capability index.
CREATE TABLE capability_nodes (
    code TEXT PRIMARY KEY NOT NULL,
    fr TEXT NOT NULL,
    en TEXT NOT NULL,
    -- JSON array of strings.
    synonyms TEXT NOT NULL,
    position INTEGER NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE certification_types (
    code TEXT PRIMARY KEY NOT NULL,
    fr TEXT NOT NULL,
    en TEXT NOT NULL,
    description_fr TEXT NOT NULL,
    description_en TEXT NOT NULL,
    position INTEGER NOT NULL
);

CREATE TABLE supplier_profiles (
    organisation_id TEXT PRIMARY KEY NOT NULL REFERENCES organisations (id),
    status TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'published', 'changes_requested', 'suspended')),
    -- JSON documents: the supplier's working copy and the last approved one.
    working TEXT NOT NULL,
    published TEXT,
    version BIGINT NOT NULL,
    submitted_at BIGINT,
    published_at BIGINT,
    reviewed_by TEXT REFERENCES users (id),
    reviewed_at BIGINT,
    review_comment TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX supplier_profiles_queue ON supplier_profiles (status, submitted_at);

CREATE TABLE supplier_certifications (
    id TEXT PRIMARY KEY NOT NULL,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    type_code TEXT NOT NULL REFERENCES certification_types (code),
    scope TEXT NOT NULL,
    certifying_body TEXT NOT NULL,
    -- ISO dates, YYYY-MM-DD; valid_until is the last valid day.
    valid_from TEXT NOT NULL,
    valid_until TEXT NOT NULL,
    document_ref TEXT,
    status TEXT NOT NULL CHECK (status IN ('declared', 'verified', 'rejected')),
    review_note TEXT,
    reviewed_by TEXT REFERENCES users (id),
    reviewed_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX supplier_certifications_organisation ON supplier_certifications (organisation_id);

-- "Supplier X changed": written in the transaction of the change, applied
-- to the index in `seq` order by a worker.
CREATE TABLE index_events (
    seq BIGSERIAL PRIMARY KEY,
    organisation_id TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    last_error TEXT,
    created_at BIGINT NOT NULL
);
