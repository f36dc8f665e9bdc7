-- Counters bumped in the transaction of a change, so a reader can tell
-- whether something built from committed data is still current (a
-- sequence cannot: its value moves before the change commits).
-- `suppliers`: what the capability index holds of any supplier.
CREATE TABLE data_versions (
    name TEXT PRIMARY KEY NOT NULL,
    version BIGINT NOT NULL
);
INSERT INTO data_versions (name, version) VALUES ('suppliers', 0);
