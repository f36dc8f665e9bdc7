-- In-app notifications: one row per user told of something, written in the
-- transaction that queues the email about it (even when the user declined
-- emails). The text is rendered when read, in the user's language.
CREATE TABLE inbox_items (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id),
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    read_at BIGINT
);
-- The list, newest first, keyset on (created_at, id).
CREATE INDEX inbox_items_user ON inbox_items (user_id, created_at, id);
-- The unread count and "mark all read" touch only the unread rows.
CREATE INDEX inbox_items_unread ON inbox_items (user_id) WHERE read_at IS NULL;
