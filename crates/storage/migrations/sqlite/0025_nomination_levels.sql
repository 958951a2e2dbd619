-- Nominations reviewed up the tree (issue #22 item 4): a unit above the proposer
-- that accepts a nomination endorses it and sends it up; the next review is by a
-- unit above that one, and the office (or the steering committee) decides last.
-- endorsed_unit_id: the highest unit that endorsed it so far (NULL: none yet).
-- Kept in step with ../postgres/0025_nomination_levels.sql.
ALTER TABLE nominations ADD COLUMN endorsed_unit_id INTEGER REFERENCES units(id);
