-- Reminders (nhắc nhở) the office sends to units that have not reported a period.
-- Kept in step with ../postgres/0007_reminders.sql.
CREATE TABLE reminders (
    id INTEGER PRIMARY KEY,
    campaign_id INTEGER NOT NULL REFERENCES campaigns(id),
    unit_id INTEGER NOT NULL REFERENCES units(id),
    period_seq INTEGER NOT NULL,
    sent_at TEXT NOT NULL,
    sent_by TEXT NOT NULL
);
CREATE INDEX reminders_unit ON reminders(campaign_id, unit_id, id);
CREATE INDEX reminders_period ON reminders(campaign_id, period_seq);
