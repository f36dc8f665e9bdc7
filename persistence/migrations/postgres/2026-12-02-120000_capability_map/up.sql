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
       bool_or(c.value ->> 'code' = n.code),
       MAX(CASE WHEN c.value ->> 'code' = n.code THEN c.value ->> 'detail' END),
       MAX(p.published::jsonb -> 'location' ->> 'region'),
       MAX(p.published::jsonb -> 'location' ->> 'department')
FROM supplier_profiles p
CROSS JOIN LATERAL jsonb_array_elements(p.published::jsonb -> 'capabilities') c(value)
JOIN capability_nodes n
  ON c.value ->> 'code' = n.code
  OR c.value ->> 'code' LIKE n.code || '.%'
WHERE p.published IS NOT NULL AND p.status <> 'suspended'
GROUP BY p.organisation_id, n.code;

-- The activity report reads the steps of one kind of subject over a period.
CREATE INDEX audit_log_period ON audit_log (subject_type, created_at);
