-- Reminders already queued, so that a periodic job sends each one once per
-- subject and due date, whichever server instance runs it.
CREATE TABLE reminders_sent (
    -- What was reminded, e.g. `certification_expiring`.
    kind TEXT NOT NULL,
    -- The id of its subject (a certificate).
    subject_id TEXT NOT NULL,
    -- ISO date the reminder is about (the certificate's last valid day):
    -- a renewed certificate with a new end date is reminded again.
    due_on TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (kind, subject_id, due_on)
);
