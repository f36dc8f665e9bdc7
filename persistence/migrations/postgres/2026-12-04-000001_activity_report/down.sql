ALTER TABLE sourcing_requests DROP COLUMN coding;
