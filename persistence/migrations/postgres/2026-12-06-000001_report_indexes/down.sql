DROP INDEX supplier_profiles_listed;
ALTER TABLE supplier_profiles DROP COLUMN member;
DROP INDEX audit_log_from_state;
DROP INDEX audit_log_action;
CREATE INDEX audit_log_period ON audit_log (subject_type, created_at);
