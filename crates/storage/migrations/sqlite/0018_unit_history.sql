-- The unit tree's history (issue #19, item 4). A reorganisation never edits the old
-- tree: its units are retired (`valid_until` = the day the new tree takes effect)
-- and keep their parent links, reports and base figures, so a campaign of their
-- time still walks its own tree; the new tree is made of new rows (`valid_from`),
-- each linked to the units it was formed from in `unit_lineage` with the share of
-- the predecessor's figures it takes (1.0 = all of it). Codes are unique among live
-- units only (a new Phường Rạch Giá 30742 reuses the code of an old phường).
-- SQLite cannot drop a UNIQUE column constraint, so the table is rebuilt: the rows
-- go to a copy, the table is dropped and made again, and the rows come back with
-- their ids. Foreign keys from other tables point at units(id) by name; they are
-- checked at the commit (defer_foreign_keys), when every id is back.
-- Kept in step with ../postgres/0018_unit_history.sql.

PRAGMA defer_foreign_keys = ON;

CREATE TEMP TABLE units_copy AS SELECT * FROM units;

DROP TABLE units;

CREATE TABLE units (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL,
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
    updated_at TEXT NOT NULL,
    valid_from TEXT,
    valid_until TEXT
);

INSERT INTO units (id, code, parent_id, kind, level, name, admin_name, gso_code, search_key, position, active, created_at, updated_at)
SELECT id, code, parent_id, kind, level, name, admin_name, gso_code, search_key, position, active, created_at, updated_at
FROM units_copy;

DROP TABLE units_copy;

CREATE INDEX units_parent ON units(parent_id);
CREATE UNIQUE INDEX units_live_code ON units(code) WHERE valid_until IS NULL;
CREATE INDEX units_code ON units(code);

CREATE TABLE reorganisations (
    id INTEGER PRIMARY KEY,
    effective_on TEXT NOT NULL,
    title TEXT NOT NULL,
    source_name TEXT NOT NULL,
    applied_at TEXT NOT NULL,
    applied_by TEXT NOT NULL
);

CREATE TABLE unit_lineage (
    predecessor_id INTEGER NOT NULL REFERENCES units(id),
    successor_id INTEGER NOT NULL REFERENCES units(id),
    share DOUBLE PRECISION NOT NULL CHECK (share > 0 AND share <= 1),
    reorganisation_id INTEGER NOT NULL REFERENCES reorganisations(id),
    PRIMARY KEY (predecessor_id, successor_id)
);
CREATE INDEX unit_lineage_successor ON unit_lineage(successor_id);
