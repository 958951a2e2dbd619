-- Each level runs its part (issue #21): a unit's own plan inside a campaign is a
-- campaign of its own, rooted at the unit (root_unit_id), that names the campaign of
-- its parent's plan. The parent may allow its units to set a goal below the one it
-- allocated (default: raise only).
-- Kept in step with ../sqlite/0026_unit_plans.sql.
ALTER TABLE campaigns ADD COLUMN parent_campaign_id BIGINT REFERENCES campaigns(id);
ALTER TABLE campaigns ADD COLUMN lowering_allowed BOOLEAN NOT NULL DEFAULT FALSE;
CREATE INDEX campaigns_parent ON campaigns(parent_campaign_id);
