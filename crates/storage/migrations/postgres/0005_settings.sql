-- Settings of this database (e.g. that its reports are simulated, for demos).
-- Kept in step with ../sqlite/0005_settings.sql.
CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
