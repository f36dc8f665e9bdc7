-- Accounts and organisations. Portable across SQLite and PostgreSQL:
-- UUIDs as TEXT, times as BIGINT unix microseconds (UTC).
CREATE TABLE organisations (
    id TEXT PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('buyer', 'supplier')),
    legal_name TEXT NOT NULL,
    siret TEXT UNIQUE,
    country TEXT NOT NULL,
    registration_number TEXT,
    street TEXT NOT NULL,
    postal_code TEXT NOT NULL,
    city TEXT NOT NULL,
    region TEXT NOT NULL,
    website TEXT,
    membership TEXT NOT NULL CHECK (membership IN ('member', 'not_member')),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE users (
    id TEXT PRIMARY KEY NOT NULL,
    organisation_id TEXT REFERENCES organisations (id),
    email TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    full_name TEXT NOT NULL,
    platform_role TEXT NOT NULL CHECK (platform_role IN ('buyer', 'supplier', 'expert', 'admin')),
    org_role TEXT CHECK (org_role IN ('owner', 'member')),
    language TEXT NOT NULL CHECK (language IN ('fr', 'en')),
    email_verified_at BIGINT,
    active BOOLEAN NOT NULL,
    notifications_opt_out BOOLEAN NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    -- Organisation users have an organisation role; the back office has neither.
    CHECK ((organisation_id IS NULL) = (org_role IS NULL))
);
CREATE INDEX users_organisation ON users (organisation_id);

CREATE TABLE one_time_tokens (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id),
    purpose TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    expires_at BIGINT NOT NULL,
    used_at BIGINT,
    created_at BIGINT NOT NULL
);

CREATE TABLE invitations (
    id TEXT PRIMARY KEY NOT NULL,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    email TEXT NOT NULL,
    org_role TEXT NOT NULL CHECK (org_role IN ('owner', 'member')),
    token_hash TEXT NOT NULL UNIQUE,
    invited_by TEXT NOT NULL REFERENCES users (id),
    expires_at BIGINT NOT NULL,
    accepted_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX invitations_organisation ON invitations (organisation_id);

CREATE TABLE refresh_tokens (
    id TEXT PRIMARY KEY NOT NULL,
    family_id TEXT NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id),
    token_hash TEXT NOT NULL UNIQUE,
    expires_at BIGINT NOT NULL,
    rotated_at BIGINT,
    revoked_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);

CREATE TABLE audit_log (
    id TEXT PRIMARY KEY NOT NULL,
    actor_id TEXT REFERENCES users (id),
    action TEXT NOT NULL,
    subject_type TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    from_state TEXT,
    to_state TEXT,
    note TEXT,
    internal BOOLEAN NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX audit_log_subject ON audit_log (subject_type, subject_id, created_at);

-- Notifications are written in the transaction of the change that causes
-- them; a worker delivers them (transactional outbox).
CREATE TABLE notifications (
    id TEXT PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL,
    recipient_email TEXT NOT NULL,
    language TEXT NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
    attempts INTEGER NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    locked_until BIGINT,
    last_error TEXT,
    created_at BIGINT NOT NULL,
    sent_at BIGINT
);
CREATE INDEX notifications_due ON notifications (status, next_attempt_at);
