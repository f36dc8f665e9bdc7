-- Sourcing requests (RFQs): the request, experts' matches, invitations,
-- quote revisions and clarification questions.
CREATE TABLE sourcing_requests (
    id TEXT PRIMARY KEY NOT NULL,
    buyer_organisation_id TEXT NOT NULL REFERENCES organisations (id),
    created_by TEXT NOT NULL REFERENCES users (id),
    status TEXT NOT NULL,
    title TEXT NOT NULL,
    -- JSON: the buyer's need.
    content TEXT NOT NULL,
    response_deadline BIGINT NOT NULL,
    identity_revealed BOOLEAN NOT NULL,
    version BIGINT NOT NULL,
    submitted_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX sourcing_requests_buyer ON sourcing_requests (buyer_organisation_id, created_at);
CREATE INDEX sourcing_requests_status ON sourcing_requests (status, submitted_at);
CREATE INDEX sourcing_requests_deadline ON sourcing_requests (status, response_deadline);

CREATE TABLE request_matches (
    id TEXT PRIMARY KEY NOT NULL,
    request_id TEXT NOT NULL REFERENCES sourcing_requests (id),
    supplier_organisation_id TEXT NOT NULL REFERENCES organisations (id),
    origin TEXT NOT NULL,
    score DOUBLE PRECISION NOT NULL,
    -- JSON: requirement-by-requirement explanation.
    explanation TEXT NOT NULL,
    override_reason TEXT,
    status TEXT NOT NULL,
    internal_note TEXT,
    note_for_buyer TEXT,
    proposed_by TEXT NOT NULL REFERENCES users (id),
    decided_by TEXT REFERENCES users (id),
    decided_at BIGINT,
    created_at BIGINT NOT NULL,
    UNIQUE (request_id, supplier_organisation_id)
);
CREATE INDEX request_matches_status ON request_matches (status, created_at);

CREATE TABLE request_invitations (
    request_id TEXT NOT NULL REFERENCES sourcing_requests (id),
    supplier_organisation_id TEXT NOT NULL REFERENCES organisations (id),
    -- invited, declined or answered
    status TEXT NOT NULL,
    decline_reason TEXT,
    shortlisted BOOLEAN NOT NULL,
    -- awarded or not_selected, once the buyer decided
    outcome TEXT,
    invited_at BIGINT NOT NULL,
    responded_at BIGINT,
    PRIMARY KEY (request_id, supplier_organisation_id)
);
CREATE INDEX request_invitations_supplier ON request_invitations (supplier_organisation_id, invited_at);

CREATE TABLE request_quotes (
    id TEXT PRIMARY KEY NOT NULL,
    request_id TEXT NOT NULL REFERENCES sourcing_requests (id),
    supplier_organisation_id TEXT NOT NULL REFERENCES organisations (id),
    revision INTEGER NOT NULL,
    amount_minor BIGINT NOT NULL,
    currency TEXT NOT NULL,
    lead_time_days INTEGER NOT NULL,
    valid_until TEXT NOT NULL,
    message TEXT NOT NULL,
    attachments TEXT NOT NULL,
    submitted_by TEXT NOT NULL REFERENCES users (id),
    created_at BIGINT NOT NULL,
    UNIQUE (request_id, supplier_organisation_id, revision)
);

CREATE TABLE request_questions (
    id TEXT PRIMARY KEY NOT NULL,
    request_id TEXT NOT NULL REFERENCES sourcing_requests (id),
    supplier_organisation_id TEXT NOT NULL REFERENCES organisations (id),
    asked_by TEXT NOT NULL REFERENCES users (id),
    question TEXT NOT NULL,
    answer TEXT,
    answered_by TEXT REFERENCES users (id),
    answered_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX request_questions_request ON request_questions (request_id, created_at);
