-- Many campaigns in one database (issue #19): each campaign is running or archived
-- (read-only, kept with all its reports and documents), may name the campaign it
-- follows (last year's edition, for "so với cùng kỳ"), and runs on the unit tree
-- whose root it names (after a reorganisation a new campaign runs on the new tree
-- while the old ones keep theirs). `is_current` stays: it is the default campaign
-- for a user who has chosen none. Each user's choice is kept here (not in the
-- session) so that it follows the user across instances and devices. A steering
-- committee member may be assigned to some campaigns only (no row: all campaigns).
-- Kept in step with ../postgres/0017_campaigns.sql.

ALTER TABLE campaigns ADD COLUMN status TEXT NOT NULL DEFAULT 'running';
ALTER TABLE campaigns ADD COLUMN archived_at TEXT;
ALTER TABLE campaigns ADD COLUMN previous_campaign_id INTEGER REFERENCES campaigns(id);
ALTER TABLE campaigns ADD COLUMN root_unit_id INTEGER REFERENCES units(id);

UPDATE campaigns SET root_unit_id = (SELECT id FROM units WHERE parent_id IS NULL ORDER BY id LIMIT 1);

-- The texts the office wrote for a document (number, date, recipients …) belong to
-- one campaign: the existing ones to the default campaign.
UPDATE settings SET key = 'document.' || (SELECT code FROM campaigns WHERE is_current = TRUE ORDER BY id LIMIT 1) || '/' || substr(key, 10)
 WHERE key LIKE 'document.%' AND EXISTS (SELECT 1 FROM campaigns WHERE is_current = TRUE);

CREATE TABLE user_campaign_choices (
    user_id INTEGER PRIMARY KEY REFERENCES users(id),
    campaign_id INTEGER NOT NULL REFERENCES campaigns(id),
    chosen_at TEXT NOT NULL
);

CREATE TABLE campaign_members (
    campaign_id INTEGER NOT NULL REFERENCES campaigns(id),
    user_id INTEGER NOT NULL REFERENCES users(id),
    added_at TEXT NOT NULL,
    PRIMARY KEY (campaign_id, user_id)
);
CREATE INDEX campaign_members_user ON campaign_members(user_id);
