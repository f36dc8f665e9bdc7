-- The activity report read the audit log of every request with a step in
-- its period (at 100 000 requests: parallel scans of the whole log, four
-- times, 4 s), every submission ever for the new buyers and every profile
-- publication ever for the new profiles. What it counts is now kept as it
-- happens, in the transaction of each step, quote and award
-- (persistence::activity), and read by index ranges over the period.

-- One row per request: the first time it entered each state the report
-- counts, its first quote, how many suppliers quoted and were awarded, and
-- the sectors and capabilities of its content (moved from
-- sourcing_requests.coding). first_at and last_at bound those times, so
-- that the requests of a period are the rows whose span meets it.
CREATE TABLE request_activity (
    request_id TEXT PRIMARY KEY REFERENCES sourcing_requests (id),
    buyer_organisation_id TEXT NOT NULL REFERENCES organisations (id),
    coding TEXT NOT NULL DEFAULT '{}',
    submitted_at BIGINT,
    qualified_at BIGINT,
    rejected_at BIGINT,
    opened_at BIGINT,
    awarded_at BIGINT,
    cancelled_at BIGINT,
    first_quote_at BIGINT,
    quoting_suppliers BIGINT NOT NULL DEFAULT 0,
    awarded_suppliers BIGINT NOT NULL DEFAULT 0,
    first_at BIGINT,
    last_at BIGINT
);
CREATE INDEX request_activity_span ON request_activity (last_at, first_at);

-- The backfill (the load bench fills the summaries of its synthetic
-- requests with the same statements, tests/benches/load/publications.rs).
INSERT INTO request_activity (request_id, buyer_organisation_id, coding, submitted_at,
    qualified_at, rejected_at, opened_at, awarded_at, cancelled_at, first_quote_at,
    quoting_suppliers, awarded_suppliers, first_at, last_at)
SELECT r.id, r.buyer_organisation_id, r.coding, s.submitted, s.qualified, s.rejected, s.opened,
    s.awarded, s.cancelled, q.first_quote, coalesce(q.suppliers, 0), coalesce(a.suppliers, 0),
    least(s.submitted, s.qualified, s.rejected, s.opened, s.awarded, s.cancelled, q.first_quote),
    greatest(s.submitted, s.qualified, s.rejected, s.opened, s.awarded, s.cancelled,
        q.first_quote)
FROM sourcing_requests r
LEFT JOIN (
    SELECT subject_id,
        min(CASE WHEN to_state = 'submitted' THEN created_at END) AS submitted,
        min(CASE WHEN to_state = 'qualified' THEN created_at END) AS qualified,
        min(CASE WHEN to_state = 'rejected' THEN created_at END) AS rejected,
        min(CASE WHEN to_state = 'open' THEN created_at END) AS opened,
        min(CASE WHEN to_state = 'awarded' THEN created_at END) AS awarded,
        min(CASE WHEN to_state = 'cancelled' THEN created_at END) AS cancelled
    FROM audit_log
    WHERE subject_type = 'sourcing_request' AND to_state IS NOT NULL
    GROUP BY subject_id
) s ON s.subject_id = r.id
LEFT JOIN (
    SELECT request_id, min(created_at) AS first_quote,
        count(DISTINCT supplier_organisation_id) AS suppliers
    FROM request_quotes GROUP BY request_id
) q ON q.request_id = r.id
LEFT JOIN (
    SELECT request_id, count(*) AS suppliers
    FROM request_invitations WHERE outcome = 'awarded' GROUP BY request_id
) a ON a.request_id = r.id;

ALTER TABLE sourcing_requests DROP COLUMN coding;

-- When a buyer first submitted a request, ever (new or returning buyers).
ALTER TABLE organisations ADD COLUMN first_submitted_at BIGINT;
CREATE INDEX organisations_first_submitted ON organisations (first_submitted_at);
UPDATE organisations o
SET first_submitted_at = f.at
FROM (
    SELECT buyer_organisation_id, min(submitted_at) AS at
    FROM request_activity WHERE submitted_at IS NOT NULL GROUP BY buyer_organisation_id
) f
WHERE f.buyer_organisation_id = o.id;

-- When a profile was first published (approved or imported).
ALTER TABLE supplier_profiles ADD COLUMN first_published_at BIGINT;
CREATE INDEX supplier_profiles_first_published ON supplier_profiles (first_published_at);
UPDATE supplier_profiles p
SET first_published_at = f.at
FROM (
    SELECT subject_id, min(created_at) AS at
    FROM audit_log WHERE subject_type = 'supplier_profile' AND to_state = 'published'
    GROUP BY subject_id
) f
WHERE f.subject_id = p.organisation_id;
