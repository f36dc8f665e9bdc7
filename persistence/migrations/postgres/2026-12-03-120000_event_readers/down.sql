CREATE INDEX events_buyer ON events (buyer_organisation_id, position);
CREATE INDEX events_audience_organisation ON events (audience_organisation_id, position);
DROP TABLE event_readers;
