-- The activity report reads every request with a step in its period (a
-- year: most of them). Two things made it slow at 100 000 requests:
-- reading each request's whole content for its sectors and capabilities,
-- and reading the steps from the audit log's heap.

-- The sectors and capability codes of the content, as JSON
-- ({"sectors": [...], "capabilities": [...]}), written with it.
ALTER TABLE sourcing_requests ADD COLUMN coding TEXT NOT NULL DEFAULT '{}';
UPDATE sourcing_requests
SET coding = json_build_object(
    'sectors', coalesce(content::json -> 'sectors', '[]'::json),
    'capabilities', coalesce(content::json -> 'capabilities', '[]'::json))::text;

-- The steps (changes of state) of each subject: the report's first step
-- per state and request, and the requests with a step in the period, are
-- read from the index alone.
CREATE INDEX audit_log_steps ON audit_log (subject_type, subject_id, to_state, created_at)
    WHERE to_state IS NOT NULL;
