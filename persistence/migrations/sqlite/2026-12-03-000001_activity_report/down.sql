DROP INDEX audit_log_steps;
ALTER TABLE sourcing_requests DROP COLUMN coding;
