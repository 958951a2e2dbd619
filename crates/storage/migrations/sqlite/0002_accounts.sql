-- Accounts: API tokens for scripts, login throttling. Sessions live in the table
-- that tower-sessions' store creates (tower_sessions).
-- Kept in step with ../postgres/0002_accounts.sql.

CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    name TEXT NOT NULL,
    token_sha256 TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at TEXT
);

CREATE TABLE login_throttle (
    key TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    first_failure_at TEXT NOT NULL,
    locked_until TEXT
);

ALTER TABLE users ADD COLUMN password_changed_at TEXT;
CREATE INDEX audit_log_unit ON audit_log(unit_id);
CREATE INDEX audit_log_actor ON audit_log(actor_user_id);

-- An uploaded file waiting for a person's confirmation (preview, then confirm):
-- kept in the database so that any app instance can confirm it.
CREATE TABLE pending_imports (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    kind TEXT NOT NULL,
    file_name TEXT NOT NULL,
    payload_json TEXT NOT NULL,
    created_at TEXT NOT NULL,
    confirmed_at TEXT
);
