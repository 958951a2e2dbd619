-- The newest submission notices of a campaign by an index (issue 24, round 3): every
-- page with the notice box (the dashboard first) listed a campaign's 15 newest
-- notices by sorting all of them (40,000 after a national deadline: 35-50 ms a page).
-- Kept in step with ../sqlite/0028_recent_notices.sql.
CREATE INDEX submit_notices_recent ON submit_notices(campaign_id, submitted_at, id);
