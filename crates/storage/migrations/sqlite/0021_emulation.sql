-- Emulation scoring (thi đua, issue #22 items 1–3): each campaign's criteria sheet,
-- the units' self-scores with their evidence and the office's review (every change
-- kept as a history row), the self-assessment deadline, and the emulation clusters.
-- Points are kept in hundredths (16,5 điểm = 1650). Attachments and commendations
-- come later: they will reference emulation_scores (criterion_id, unit_id).
CREATE TABLE emulation_settings (
    campaign_id INTEGER PRIMARY KEY REFERENCES campaigns(id),
    self_deadline TEXT,
    reopened INTEGER NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL
);
CREATE TABLE emulation_criteria (
    id INTEGER PRIMARY KEY,
    campaign_id INTEGER NOT NULL REFERENCES campaigns(id),
    position INTEGER NOT NULL,
    number TEXT NOT NULL,
    title TEXT NOT NULL,
    max_points INTEGER NOT NULL,
    rule_kind TEXT NOT NULL,
    indicator TEXT NOT NULL DEFAULT '',
    all_or_nothing INTEGER NOT NULL DEFAULT 0,
    per_late INTEGER NOT NULL DEFAULT 0,
    per_missing INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX emulation_criteria_campaign ON emulation_criteria (campaign_id, position);
CREATE TABLE emulation_scores (
    criterion_id INTEGER NOT NULL REFERENCES emulation_criteria(id),
    unit_id INTEGER NOT NULL REFERENCES units(id),
    campaign_id INTEGER NOT NULL REFERENCES campaigns(id),
    self_points INTEGER NOT NULL,
    doc_number TEXT NOT NULL DEFAULT '',
    doc_symbol TEXT NOT NULL DEFAULT '',
    doc_date TEXT,
    evidence TEXT NOT NULL DEFAULT '',
    self_at TEXT NOT NULL,
    self_by TEXT NOT NULL,
    reviewed_points INTEGER,
    review_comment TEXT NOT NULL DEFAULT '',
    reviewed_at TEXT,
    reviewed_by TEXT,
    PRIMARY KEY (criterion_id, unit_id)
);
CREATE INDEX emulation_scores_unit ON emulation_scores (campaign_id, unit_id);
CREATE TABLE emulation_score_history (
    id INTEGER PRIMARY KEY,
    campaign_id INTEGER NOT NULL REFERENCES campaigns(id),
    criterion_id INTEGER NOT NULL,
    unit_id INTEGER NOT NULL REFERENCES units(id),
    kind TEXT NOT NULL,
    points INTEGER NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    at TEXT NOT NULL,
    by_name TEXT NOT NULL
);
CREATE INDEX emulation_score_history_unit ON emulation_score_history (campaign_id, unit_id, id);
CREATE TABLE emulation_clusters (
    id INTEGER PRIMARY KEY,
    campaign_id INTEGER NOT NULL REFERENCES campaigns(id),
    position INTEGER NOT NULL,
    name TEXT NOT NULL
);
CREATE TABLE emulation_cluster_units (
    campaign_id INTEGER NOT NULL REFERENCES campaigns(id),
    unit_id INTEGER NOT NULL REFERENCES units(id),
    cluster_id INTEGER NOT NULL REFERENCES emulation_clusters(id),
    position INTEGER NOT NULL,
    PRIMARY KEY (campaign_id, unit_id)
);
