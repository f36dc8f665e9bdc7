-- An expert's verdict names the version of the certificate it reviewed.
ALTER TABLE supplier_certifications ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
