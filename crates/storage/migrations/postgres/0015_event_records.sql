-- The province events are run, not just listed: when each was held, how many took
-- part, why it was postponed; and each unit's own launch and closing (lễ ra quân,
-- tổng kết) recorded the same way.
ALTER TABLE events ADD COLUMN held_on DATE;
ALTER TABLE events ADD COLUMN participants BIGINT;
ALTER TABLE events ADD COLUMN status_reason TEXT;
ALTER TABLE events ADD COLUMN updated_at TIMESTAMPTZ;
ALTER TABLE events ADD COLUMN updated_by TEXT;
CREATE TABLE unit_events (
    campaign_id BIGINT NOT NULL REFERENCES campaigns(id),
    unit_id BIGINT NOT NULL REFERENCES units(id),
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    held_on DATE,
    place TEXT NOT NULL DEFAULT '',
    participants BIGINT,
    status_reason TEXT NOT NULL DEFAULT '',
    results TEXT NOT NULL DEFAULT '',
    updated_at TIMESTAMPTZ NOT NULL,
    updated_by TEXT NOT NULL,
    PRIMARY KEY (campaign_id, unit_id, kind)
);
