-- The change feed: one row per published event, in commit order.
CREATE TABLE events (
    position BIGSERIAL PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    event_type TEXT NOT NULL,
    object_kind TEXT NOT NULL,
    object_id TEXT NOT NULL,
    request_id TEXT,
    buyer_organisation_id TEXT,
    audience TEXT NOT NULL,
    audience_organisation_id TEXT,
    actor_role TEXT,
    data TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX events_buyer ON events (buyer_organisation_id, position);
CREATE INDEX events_audience_organisation ON events (audience_organisation_id, position);
CREATE INDEX events_request ON events (request_id, position);

CREATE TABLE webhooks (
    id TEXT PRIMARY KEY NOT NULL,
    organisation_id TEXT REFERENCES organisations (id),
    organisation_kind TEXT,
    url TEXT NOT NULL,
    event_types TEXT NOT NULL,
    secret TEXT NOT NULL,
    status TEXT NOT NULL,
    failing_since BIGINT,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX webhooks_organisation ON webhooks (organisation_id);

-- The delivery outbox: one row per event and endpoint, claimed with a lease.
CREATE TABLE webhook_deliveries (
    id TEXT PRIMARY KEY NOT NULL,
    webhook_id TEXT NOT NULL REFERENCES webhooks (id),
    event_position BIGINT NOT NULL REFERENCES events (position),
    object_id TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    locked_until BIGINT,
    last_status_code INTEGER,
    last_latency_ms BIGINT,
    last_response TEXT,
    last_error TEXT,
    created_at BIGINT NOT NULL,
    delivered_at BIGINT
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX webhook_deliveries_log ON webhook_deliveries (webhook_id, created_at);
CREATE INDEX webhook_deliveries_object ON webhook_deliveries (webhook_id, object_id, event_position);
