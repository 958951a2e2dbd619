-- Amending a running plan (issue #20): every version of a campaign's plan is kept
-- with the reason and the amending document (số văn bản điều chỉnh, its date) and
-- the changes it made, as the office read them before applying it. Version 1 is
-- the plan the campaign started with. An indicator that has reports is retired
-- (kept with its figures, no longer asked for), never deleted.
-- Kept in step with ../postgres/0020_plan_versions.sql.

CREATE TABLE plan_versions (
    id INTEGER PRIMARY KEY,
    campaign_id INTEGER NOT NULL REFERENCES campaigns(id),
    version INTEGER NOT NULL,
    plan_toml TEXT NOT NULL,
    reason TEXT NOT NULL,
    document_number TEXT,
    document_date TEXT,
    changes_json TEXT NOT NULL DEFAULT '[]',
    created_at TEXT NOT NULL,
    created_by TEXT,
    created_by_user_id INTEGER REFERENCES users(id),
    UNIQUE (campaign_id, version)
);

INSERT INTO plan_versions (campaign_id, version, plan_toml, reason, changes_json, created_at)
SELECT id, 1, plan_toml, 'Kế hoạch ban đầu', '[]', created_at FROM campaigns;

ALTER TABLE indicators ADD COLUMN retired BOOLEAN NOT NULL DEFAULT FALSE;
