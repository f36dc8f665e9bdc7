DROP INDEX invitations_organisation_created;
DROP INDEX invitations_email;
DROP INDEX notifications_recipient;
