DROP INDEX audit_log_period;
DROP TABLE published_capabilities;
