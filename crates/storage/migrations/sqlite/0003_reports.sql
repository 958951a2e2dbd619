-- Weekly reports and unit plans, their versions, idempotency keys.
-- Kept in step with ../postgres/0003_reports.sql.

CREATE TABLE reports (
    id INTEGER PRIMARY KEY,
    campaign_id INTEGER NOT NULL REFERENCES campaigns(id),
    unit_id INTEGER NOT NULL REFERENCES units(id),
    kind TEXT NOT NULL,
    period_seq INTEGER NOT NULL,
    status TEXT NOT NULL,
    version INTEGER NOT NULL,
    due_at TEXT NOT NULL,
    first_submitted_at TEXT,
    last_submitted_at TEXT,
    timeliness TEXT,
    draft_json TEXT NOT NULL,
    highlights TEXT NOT NULL DEFAULT '',
    difficulties TEXT NOT NULL DEFAULT '',
    proposals TEXT NOT NULL DEFAULT '',
    review_comment TEXT,
    reviewed_at TEXT,
    reviewed_by TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    UNIQUE (campaign_id, unit_id, kind, period_seq)
);
CREATE INDEX reports_period ON reports(campaign_id, kind, period_seq, status);

-- The submitted figures: what consolidation adds up.
CREATE TABLE report_values (
    report_id INTEGER NOT NULL REFERENCES reports(id),
    indicator_key TEXT NOT NULL,
    value INTEGER NOT NULL CHECK (value >= 0),
    PRIMARY KEY (report_id, indicator_key)
);

CREATE TABLE report_activities (
    id INTEGER PRIMARY KEY,
    report_id INTEGER NOT NULL REFERENCES reports(id),
    position INTEGER NOT NULL,
    title TEXT NOT NULL,
    held_on TEXT NOT NULL,
    area TEXT NOT NULL,
    place TEXT NOT NULL,
    participants INTEGER,
    funds_vnd INTEGER,
    result TEXT NOT NULL,
    tag TEXT
);
CREATE INDEX report_activities_report ON report_activities(report_id);

-- Every save, submission, review and refused conflicting save, as it was.
CREATE TABLE report_versions (
    id INTEGER PRIMARY KEY,
    report_id INTEGER NOT NULL REFERENCES reports(id),
    version INTEGER NOT NULL,
    status TEXT NOT NULL,
    action TEXT NOT NULL,
    snapshot_json TEXT NOT NULL,
    saved_at TEXT NOT NULL,
    saved_by TEXT NOT NULL
);
CREATE INDEX report_versions_report ON report_versions(report_id, id);

-- A retried submission with the same key gets the first answer again.
CREATE TABLE idempotency_keys (
    key TEXT PRIMARY KEY,
    user_name TEXT NOT NULL,
    report_id INTEGER NOT NULL,
    response_json TEXT NOT NULL,
    created_at TEXT NOT NULL
);

ALTER TABLE periods ADD COLUMN reopened BOOLEAN NOT NULL DEFAULT FALSE;
