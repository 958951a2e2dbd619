-- The kept figures of each unit as one row (issue 24): the same sums as its rows of
-- `rollups` (everything strictly below the unit), as one JSON object
-- {"figure@period": value} without zeros. Kept by the same writes that keep
-- `rollups` (every report's transaction, every rebuild), so that a dashboard of 700
-- children reads 700 rows instead of grouping 360,000.
-- Derived data: no foreign keys (as `rollups`, see 0009).
-- Kept in step with ../sqlite/0024_child_summaries.sql.
CREATE TABLE child_summaries (
    campaign_id BIGINT NOT NULL,
    unit_id BIGINT NOT NULL,
    figures TEXT NOT NULL,
    PRIMARY KEY (campaign_id, unit_id)
);

INSERT INTO child_summaries (campaign_id, unit_id, figures)
    SELECT campaign_id, unit_id, json_object_agg(key || '@' || period_seq, value)::TEXT
    FROM rollups WHERE value <> 0 GROUP BY campaign_id, unit_id;
