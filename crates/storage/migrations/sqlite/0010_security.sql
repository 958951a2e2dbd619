-- Security probe (issue #15).
-- API tokens expire: NULL (tokens made before this migration) means "the default
-- lifetime after created_at", applied by the query that accepts a token.
-- Kept in step with ../postgres/0010_security.sql.
ALTER TABLE api_tokens ADD COLUMN expires_at TEXT;
CREATE INDEX api_tokens_user ON api_tokens (user_id);

-- Server-wide secrets shared by every app instance (the key that signs the
-- pre-login CSRF cookie), made on first use.
CREATE TABLE app_secrets (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- A throttled key is written to the audit log once per wait, not once per refused
-- attempt: the wait already noted.
ALTER TABLE login_throttle ADD COLUMN noted_until TEXT;
