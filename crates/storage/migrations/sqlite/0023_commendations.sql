-- Commendations (khen thưởng, issue #22 item 4): each campaign's award forms
-- (hình thức khen thưởng) with their eligibility rules, and the nominations (đề
-- nghị khen thưởng) of collectives and individuals proposed by units and reviewed
-- up the tree, every step kept as a history row. Points in hundredths, like the
-- emulation scores. Attachments may refer to a nomination by its id (owner kind
-- "nomination").
CREATE TABLE award_forms (
    id INTEGER PRIMARY KEY,
    campaign_id INTEGER NOT NULL REFERENCES campaigns(id),
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    target TEXT NOT NULL,
    max_rank INTEGER,
    min_points INTEGER,
    all_on_time INTEGER NOT NULL DEFAULT 0,
    quota INTEGER
);
CREATE INDEX award_forms_campaign ON award_forms (campaign_id, position);
CREATE TABLE nominations (
    id INTEGER PRIMARY KEY,
    campaign_id INTEGER NOT NULL REFERENCES campaigns(id),
    award_form_id INTEGER NOT NULL REFERENCES award_forms(id),
    kind TEXT NOT NULL,
    unit_id INTEGER NOT NULL REFERENCES units(id),
    proposer_unit_id INTEGER REFERENCES units(id),
    person_name TEXT NOT NULL DEFAULT '',
    birth_year INTEGER,
    person_position TEXT NOT NULL DEFAULT '',
    achievements TEXT NOT NULL DEFAULT '',
    evidence TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,
    review_comment TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_by_user INTEGER,
    updated_at TEXT NOT NULL,
    reviewed_at TEXT,
    reviewed_by TEXT
);
CREATE INDEX nominations_campaign ON nominations (campaign_id, award_form_id, id);
CREATE TABLE nomination_history (
    id INTEGER PRIMARY KEY,
    nomination_id INTEGER NOT NULL REFERENCES nominations(id),
    campaign_id INTEGER NOT NULL REFERENCES campaigns(id),
    action TEXT NOT NULL,
    comment TEXT NOT NULL DEFAULT '',
    at TEXT NOT NULL,
    by_name TEXT NOT NULL
);
CREATE INDEX nomination_history_nomination ON nomination_history (nomination_id, id);
