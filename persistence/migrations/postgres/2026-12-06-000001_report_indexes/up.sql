-- The activity report at 100 000 suppliers read whole tables for three
-- small answers: every profile's row (JSON included) to count the listed
-- suppliers, and every profile's and certificate's audit entries of the
-- period to find a few reviews and verifications. Each is now read from an
-- index alone.
DROP INDEX audit_log_period;
-- Certificates verified: one action over a period.
CREATE INDEX audit_log_action ON audit_log (action, created_at);
-- Profiles reviewed: the steps out of `submitted` over a period.
CREATE INDEX audit_log_from_state ON audit_log (subject_type, from_state, created_at);
-- Suppliers listed: published, by status (suspended ones are left out).
CREATE INDEX supplier_profiles_listed ON supplier_profiles (status, organisation_id)
WHERE published IS NOT NULL;
