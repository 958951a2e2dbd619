-- The base figures the office marked complete for a campaign (one row per figure):
-- a percent-of-base indicator is then judged over the units that have the figure,
-- instead of "chưa đủ số liệu nền" until every reporting unit has it.
-- Kept in step with ../postgres/0011_base_coverage.sql.
CREATE TABLE base_figure_complete (
    campaign_id BIGINT NOT NULL REFERENCES campaigns(id),
    figure TEXT NOT NULL,
    marked_by TEXT NOT NULL,
    marked_at TEXT NOT NULL,
    PRIMARY KEY (campaign_id, figure)
);
