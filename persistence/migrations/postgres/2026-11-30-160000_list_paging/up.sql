-- `q` on GET /requests: title and description, lowercased by the
-- application when a request is saved (the same folding on both backends);
-- rows saved before this migration are lowercased here by PostgreSQL's
-- lower() (the same but for a few locale-dependent letters).
ALTER TABLE sourcing_requests ADD COLUMN search_text TEXT NOT NULL DEFAULT '';
UPDATE sourcing_requests
   SET search_text = lower(title || E'\n' || coalesce((content::json ->> 'description'), ''));
-- Keyset pages: each list's order, ending with the id that breaks ties.
CREATE INDEX sourcing_requests_buyer_updated ON sourcing_requests (buyer_organisation_id, updated_at, id);
CREATE INDEX sourcing_requests_buyer_deadline ON sourcing_requests (buyer_organisation_id, response_deadline, id);
CREATE INDEX request_invitations_request ON request_invitations (request_id, invited_at, supplier_organisation_id);
CREATE INDEX request_matches_request ON request_matches (request_id, score, id);
CREATE INDEX request_quotes_supplier ON request_quotes (request_id, supplier_organisation_id, created_at, id);
CREATE INDEX users_organisation_created ON users (organisation_id, created_at, id);
CREATE INDEX notifications_created ON notifications (created_at, id);
