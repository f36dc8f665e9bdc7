-- Who reads each event besides the back office: the organisations the
-- domain's reader rule lets through (`Audience::readers`). A buyer's or a
-- supplier's page of the feed walks its own rows by position, so it reads
-- about a page of rows however few of everyone's events are its own; the
-- event's type is kept beside it so a filtered page is read the same way.
CREATE TABLE event_readers (
    organisation_id TEXT NOT NULL,
    position BIGINT NOT NULL REFERENCES events (position),
    event_type TEXT NOT NULL,
    PRIMARY KEY (organisation_id, position)
);

-- The events written before this table: the same rule in SQL.
INSERT INTO event_readers (organisation_id, position, event_type)
SELECT buyer_organisation_id, position, event_type FROM events
WHERE buyer_organisation_id IS NOT NULL
    AND audience IN ('request_parties', 'request_buyer', 'request_supplier')
UNION
SELECT audience_organisation_id, position, event_type FROM events
WHERE audience = 'organisation'
UNION
SELECT i.supplier_organisation_id, e.position, e.event_type
FROM events e JOIN request_invitations i ON i.request_id = e.request_id
WHERE e.audience = 'request_parties'
    OR (e.audience = 'request_supplier' AND e.audience_organisation_id = i.supplier_organisation_id);

-- The pages no longer filter the events themselves by buyer or audience.
DROP INDEX events_buyer;
DROP INDEX events_audience_organisation;
