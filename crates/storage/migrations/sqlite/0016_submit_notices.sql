-- Notices to the officers above a unit when it submits a report (first submission
-- and each resubmission, never drafts): one notice per report version; who may see
-- it (the units above the submitting unit at that time; the office and the steering
-- committee see every notice); who has read it; each officer's choice to also get
-- them by e-mail and/or the webhook; and those deliveries, one per notice and
-- officer (the unique key makes a delivery go out once), retried like reminders.
-- Kept in step with ../postgres/0016_submit_notices.sql.

CREATE TABLE submit_notices (
    id INTEGER PRIMARY KEY,
    campaign_id INTEGER NOT NULL REFERENCES campaigns(id),
    report_id INTEGER NOT NULL REFERENCES reports(id),
    version INTEGER NOT NULL,
    unit_id INTEGER NOT NULL REFERENCES units(id),
    kind TEXT NOT NULL,
    period_seq INTEGER NOT NULL,
    submitted_at TEXT NOT NULL,
    submitted_by TEXT NOT NULL,
    resubmission BOOLEAN NOT NULL DEFAULT FALSE,
    UNIQUE (report_id, version)
);
CREATE INDEX submit_notices_campaign ON submit_notices(campaign_id, id);

CREATE TABLE submit_notice_scopes (
    notice_id INTEGER NOT NULL REFERENCES submit_notices(id),
    unit_id INTEGER NOT NULL REFERENCES units(id),
    PRIMARY KEY (notice_id, unit_id)
);
CREATE INDEX submit_notice_scopes_unit ON submit_notice_scopes(unit_id, notice_id);

CREATE TABLE submit_notice_reads (
    notice_id INTEGER NOT NULL REFERENCES submit_notices(id),
    user_id INTEGER NOT NULL REFERENCES users(id),
    read_at TEXT NOT NULL,
    PRIMARY KEY (notice_id, user_id)
);

CREATE TABLE submit_notice_prefs (
    user_id INTEGER PRIMARY KEY REFERENCES users(id),
    by_email BOOLEAN NOT NULL DEFAULT FALSE,
    by_webhook BOOLEAN NOT NULL DEFAULT FALSE,
    updated_at TEXT NOT NULL
);

CREATE TABLE submit_notice_deliveries (
    id INTEGER PRIMARY KEY,
    notice_id INTEGER NOT NULL REFERENCES submit_notices(id),
    user_id INTEGER NOT NULL REFERENCES users(id),
    by_email BOOLEAN NOT NULL,
    by_webhook BOOLEAN NOT NULL,
    created_at TEXT NOT NULL,
    -- pending (waiting for its first try), sending (claimed), sent, failed, no_channel
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    -- Unix milliseconds of the next try (NULL: the status is final or it is being tried).
    next_attempt_ms BIGINT,
    claimed_by TEXT,
    claimed_at TEXT,
    email_to TEXT NOT NULL DEFAULT '',
    email_result TEXT,
    webhook_result TEXT,
    finished_at TEXT,
    UNIQUE (notice_id, user_id)
);
CREATE INDEX submit_notice_deliveries_due ON submit_notice_deliveries(next_attempt_ms) WHERE next_attempt_ms IS NOT NULL;
