-- The activity report reads every request with a step in its period (a
-- year: most of them); it read each one's whole content for its sectors
-- and capabilities, 63 MB at 100 000 requests.

-- The sectors and capability codes of the content, as JSON
-- ({"sectors": [...], "capabilities": [...]}), written with it.
ALTER TABLE sourcing_requests ADD COLUMN coding TEXT NOT NULL DEFAULT '{}';
UPDATE sourcing_requests
SET coding = json_object(
    'sectors', json(coalesce(json_extract(content, '$.sectors'), '[]')),
    'capabilities', json(coalesce(json_extract(content, '$.capabilities'), '[]')));
