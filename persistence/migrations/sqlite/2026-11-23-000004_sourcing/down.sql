DROP TABLE request_questions;
DROP TABLE request_quotes;
DROP TABLE request_invitations;
DROP TABLE request_matches;
DROP TABLE sourcing_requests;
