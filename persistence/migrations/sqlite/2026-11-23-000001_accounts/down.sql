DROP TABLE notifications;
DROP TABLE audit_log;
DROP TABLE refresh_tokens;
DROP TABLE invitations;
DROP TABLE one_time_tokens;
DROP TABLE users;
DROP TABLE organisations;
