-- Operations: users' e-mail addresses (reminders), the reminders sent (one per
-- campaign, unit, period and kind: the unique key makes a reminder go out once even
-- when several app instances or a catch-up after downtime try again), the scheduler
-- runs, and leases that let one app instance at a time run a periodic job.
-- Kept in step with ../postgres/0008_operations.sql.

ALTER TABLE users ADD COLUMN email TEXT;

CREATE TABLE reminder_deliveries (
    id INTEGER PRIMARY KEY,
    campaign_id INTEGER NOT NULL REFERENCES campaigns(id),
    unit_id INTEGER NOT NULL REFERENCES units(id),
    period_seq INTEGER NOT NULL,
    -- 'before': the deadline is near and nothing is submitted; 'after': missed it.
    kind TEXT NOT NULL,
    deadline TEXT NOT NULL,
    claimed_at TEXT NOT NULL,
    claimed_by TEXT NOT NULL,
    -- pending (claimed, being sent), sent, failed, no_channel
    status TEXT NOT NULL,
    email_to TEXT NOT NULL DEFAULT '',
    email_result TEXT,
    webhook_result TEXT,
    finished_at TEXT,
    UNIQUE (campaign_id, unit_id, period_seq, kind)
);
CREATE INDEX reminder_deliveries_claimed ON reminder_deliveries(claimed_at);

CREATE TABLE reminder_runs (
    id INTEGER PRIMARY KEY,
    holder TEXT NOT NULL,
    at TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    claimed INTEGER NOT NULL DEFAULT 0,
    sent INTEGER NOT NULL DEFAULT 0,
    failed INTEGER NOT NULL DEFAULT 0
);

-- expires_at_ms: Unix time in milliseconds (same type on both backends).
CREATE TABLE leases (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    expires_at_ms BIGINT NOT NULL
);
