-- Year over year ("so với cùng kỳ", issue #19): the office's matches of this
-- campaign's indicators to those of the campaign it follows, where the key changed
-- (an indicator with the same key in both years matches without a row here).
-- Kept in step with ../sqlite/0019_indicator_links.sql.

CREATE TABLE indicator_links (
    campaign_id BIGINT NOT NULL REFERENCES campaigns(id),
    indicator_key TEXT NOT NULL,
    previous_key TEXT NOT NULL,
    linked_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (campaign_id, indicator_key)
);
