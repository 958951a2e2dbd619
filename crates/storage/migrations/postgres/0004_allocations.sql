-- Allocation (giao chỉ tiêu): a count goal split from a unit to its children.
-- Kept in step with ../sqlite/0004_allocations.sql.
CREATE TABLE allocations (
    campaign_id BIGINT NOT NULL REFERENCES campaigns(id),
    indicator_key TEXT NOT NULL,
    unit_id BIGINT NOT NULL REFERENCES units(id),
    goal BIGINT NOT NULL CHECK (goal >= 0),
    method TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    updated_by TEXT NOT NULL,
    PRIMARY KEY (campaign_id, indicator_key, unit_id)
);
