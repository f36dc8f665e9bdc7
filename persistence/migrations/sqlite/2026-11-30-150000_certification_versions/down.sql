ALTER TABLE supplier_certifications DROP COLUMN version;
