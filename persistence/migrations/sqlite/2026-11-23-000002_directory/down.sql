DROP TABLE index_events;
DROP TABLE supplier_certifications;
DROP TABLE supplier_profiles;
DROP TABLE certification_types;
DROP TABLE capability_nodes;
