-- Field use (issue #23): a report sent from a phone that was offline carries the time
-- "Gửi" was pressed on it (kept with the report, whatever the setting). Per campaign,
-- the office may let that time decide the deadline (default off: the server's
-- receipt time decides, as before).
-- Kept in step with ../postgres/0027_pressed_at.sql.
ALTER TABLE campaigns ADD COLUMN deadline_by_pressed_at BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE reports ADD COLUMN pressed_at TEXT;
