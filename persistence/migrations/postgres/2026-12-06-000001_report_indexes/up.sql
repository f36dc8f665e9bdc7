-- The activity report at 100 000 suppliers read whole tables for three
-- small answers: every profile's row (JSON included) and every
-- organisation to count the listed suppliers by membership, and every
-- profile's and certificate's audit entries of the period to find a few
-- reviews and verifications. Each is now read from an index.
DROP INDEX audit_log_period;
-- Certificates verified: one action over a period.
CREATE INDEX audit_log_action ON audit_log (action, created_at);
-- Profiles reviewed: the steps out of `submitted` over a period.
CREATE INDEX audit_log_from_state ON audit_log (subject_type, from_state, created_at);
-- Suppliers listed, by membership: the organisation's membership copied
-- beside its profile (persistence::accounts writes both), so that they are
-- counted from an index alone instead of joining every organisation.
ALTER TABLE supplier_profiles ADD COLUMN member BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE supplier_profiles SET member = TRUE
WHERE organisation_id IN (SELECT id FROM organisations WHERE membership = 'member');
CREATE INDEX supplier_profiles_listed ON supplier_profiles (status, member)
WHERE published IS NOT NULL;
