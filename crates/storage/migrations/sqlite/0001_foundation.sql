-- Foundation: campaigns and their plan, units, base figures, users, audit log.
-- Kept in step with ../postgres/0001_foundation.sql: same tables, same columns.

CREATE TABLE campaigns (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    year INTEGER NOT NULL,
    theme TEXT NOT NULL,
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    timezone TEXT NOT NULL,
    plan_toml TEXT NOT NULL,
    is_current BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE units (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    parent_id INTEGER REFERENCES units(id),
    kind TEXT NOT NULL,
    level INTEGER NOT NULL,
    name TEXT NOT NULL,
    admin_name TEXT,
    gso_code TEXT,
    search_key TEXT NOT NULL,
    position INTEGER NOT NULL DEFAULT 0,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX units_parent ON units(parent_id);

CREATE TABLE unit_base_figures (
    unit_id INTEGER NOT NULL REFERENCES units(id),
    figure TEXT NOT NULL,
    value INTEGER NOT NULL CHECK (value >= 0),
    updated_at TEXT NOT NULL,
    PRIMARY KEY (unit_id, figure)
);

CREATE TABLE targets (
    campaign_id INTEGER NOT NULL REFERENCES campaigns(id),
    number INTEGER NOT NULL,
    group_key TEXT NOT NULL,
    text TEXT NOT NULL,
    area TEXT,
    PRIMARY KEY (campaign_id, number)
);

CREATE TABLE indicators (
    id INTEGER PRIMARY KEY,
    campaign_id INTEGER NOT NULL REFERENCES campaigns(id),
    key TEXT NOT NULL,
    target_number INTEGER NOT NULL,
    position INTEGER NOT NULL,
    label TEXT NOT NULL,
    kind TEXT NOT NULL,
    comparison TEXT NOT NULL,
    goal DOUBLE PRECISION NOT NULL,
    unit_label TEXT,
    base_figure TEXT,
    levels TEXT NOT NULL,
    unit_kinds TEXT NOT NULL,
    per_unit_minimum DOUBLE PRECISION,
    part_of TEXT,
    UNIQUE (campaign_id, key)
);

CREATE TABLE periods (
    campaign_id INTEGER NOT NULL REFERENCES campaigns(id),
    seq INTEGER NOT NULL,
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    due_at TEXT NOT NULL,
    locked_at TEXT,
    PRIMARY KEY (campaign_id, seq)
);

CREATE TABLE events (
    campaign_id INTEGER NOT NULL REFERENCES campaigns(id),
    number INTEGER NOT NULL,
    title TEXT NOT NULL,
    starts_on TEXT,
    ends_on TEXT,
    place TEXT,
    host_unit_code TEXT,
    status TEXT NOT NULL DEFAULT 'planned',
    results TEXT,
    PRIMARY KEY (campaign_id, number)
);

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    must_change_password BOOLEAN NOT NULL DEFAULT FALSE,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE user_units (
    user_id INTEGER NOT NULL REFERENCES users(id),
    unit_id INTEGER NOT NULL REFERENCES units(id),
    PRIMARY KEY (user_id, unit_id)
);

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor_user_id INTEGER,
    actor_name TEXT NOT NULL,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_key TEXT,
    unit_id INTEGER,
    before_json TEXT,
    after_json TEXT,
    client TEXT
);
CREATE INDEX audit_log_at ON audit_log(at);
