DROP TABLE request_nda_acceptances;
DROP TABLE storage_removals;
DROP TABLE files;
