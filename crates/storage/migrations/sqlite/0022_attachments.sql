-- Evidence attachments (minh chứng, issue #22 item 5): photos and PDF files attached
-- to reports (and their activities), self-scores and, later, nominations. Kept in the
-- database so that backups, restores and several instances on PostgreSQL keep them:
-- the bytes once per content (keyed by their SHA-256, hex), the attachments as rows
-- that name their owner (owner_kind + owner_key, with the unit and the campaign).
-- Images are stored re-encoded (JPEG, no metadata); a position the unit chose to
-- keep is in lat/lon, never inside the file. No path from an upload is ever stored.
CREATE TABLE attachment_blobs (
    sha256 TEXT PRIMARY KEY,
    bytes BLOB NOT NULL,
    size INTEGER NOT NULL
);
CREATE TABLE attachments (
    id INTEGER PRIMARY KEY,
    campaign_id INTEGER NOT NULL REFERENCES campaigns(id),
    unit_id INTEGER NOT NULL REFERENCES units(id),
    owner_kind TEXT NOT NULL,
    owner_key TEXT NOT NULL,
    activity INTEGER,
    caption TEXT NOT NULL DEFAULT '',
    content_type TEXT NOT NULL,
    sha256 TEXT NOT NULL REFERENCES attachment_blobs(sha256),
    thumb_sha256 TEXT REFERENCES attachment_blobs(sha256),
    size INTEGER NOT NULL,
    width INTEGER,
    height INTEGER,
    lat DOUBLE PRECISION,
    lon DOUBLE PRECISION,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL
);
CREATE INDEX attachments_owner ON attachments (campaign_id, unit_id, owner_kind, owner_key, id);
