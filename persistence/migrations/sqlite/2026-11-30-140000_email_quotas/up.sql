-- The email quotas count recent sends per recipient and per organisation.
CREATE INDEX notifications_recipient ON notifications (recipient_email, kind, created_at);
CREATE INDEX invitations_email ON invitations (email, created_at);
CREATE INDEX invitations_organisation_created ON invitations (organisation_id, created_at);
