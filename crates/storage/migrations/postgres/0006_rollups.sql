-- Consolidated figures kept up to date: for each unit, the sum of what every unit
-- strictly below it contributes (reporting units, expected units, base figures,
-- counted values and units done per period, first submissions on time and late).
-- A unit's own contribution is computed from its own rows when read.
-- Kept in step with ../sqlite/0006_rollups.sql.
CREATE TABLE rollups (
    campaign_id BIGINT NOT NULL REFERENCES campaigns(id),
    unit_id BIGINT NOT NULL REFERENCES units(id),
    key TEXT NOT NULL,
    period_seq BIGINT NOT NULL,
    value BIGINT NOT NULL,
    PRIMARY KEY (campaign_id, unit_id, key, period_seq)
);
