DROP INDEX notifications_created;
DROP INDEX users_organisation_created;
DROP INDEX request_quotes_supplier;
DROP INDEX request_matches_request;
DROP INDEX request_invitations_request;
DROP INDEX sourcing_requests_buyer_deadline;
DROP INDEX sourcing_requests_buyer_updated;
ALTER TABLE sourcing_requests DROP COLUMN search_text;
