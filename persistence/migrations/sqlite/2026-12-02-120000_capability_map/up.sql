-- The capabilities the public sees, one row per supplier and taxonomy node
-- (the node a profile declares and each of its ancestors), so that the
-- capability map counts suppliers per node with GROUP BY instead of reading
-- every profile's JSON. Rewritten with the profile (persistence::profiles).
CREATE TABLE published_capabilities (
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    code TEXT NOT NULL,
    -- The profile names this very node (not only a descendant of it).
    declared BOOLEAN NOT NULL,
    detail TEXT,
    region TEXT NOT NULL,
    department TEXT NOT NULL,
    PRIMARY KEY (organisation_id, code)
);
CREATE INDEX published_capabilities_by_code ON published_capabilities (code, region, department);

-- The profiles published before this table existed.
INSERT INTO published_capabilities (organisation_id, code, declared, detail, region, department)
SELECT p.organisation_id,
       n.code,
       MAX(json_extract(c.value, '$.code') = n.code),
       MAX(CASE WHEN json_extract(c.value, '$.code') = n.code THEN json_extract(c.value, '$.detail') END),
       json_extract(p.published, '$.location.region'),
       json_extract(p.published, '$.location.department')
FROM supplier_profiles p, json_each(p.published, '$.capabilities') c
JOIN capability_nodes n
  ON json_extract(c.value, '$.code') = n.code
  OR json_extract(c.value, '$.code') LIKE n.code || '.%'
WHERE p.published IS NOT NULL AND p.status <> 'suspended'
GROUP BY p.organisation_id, n.code;

-- The activity report reads the steps of one kind of subject over a period.
CREATE INDEX audit_log_period ON audit_log (subject_type, created_at);
