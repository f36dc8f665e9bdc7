DROP INDEX supplier_profiles_first_published;
ALTER TABLE supplier_profiles DROP COLUMN first_published_at;
DROP INDEX organisations_first_submitted;
ALTER TABLE organisations DROP COLUMN first_submitted_at;
ALTER TABLE sourcing_requests ADD COLUMN coding TEXT NOT NULL DEFAULT '{}';
UPDATE sourcing_requests SET coding = a.coding FROM request_activity a WHERE a.request_id = sourcing_requests.id;
DROP TABLE request_activity;
