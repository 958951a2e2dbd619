-- Reminders that fail (the receiver answers 500, the mail server is unreachable) are
-- tried again with backoff while their window lasts: how many attempts were made, and
-- when the next one is due (Unix milliseconds; NULL: none is planned, the status is
-- final). Kept in step with ../sqlite/0013_operations_retries.sql.

ALTER TABLE reminder_deliveries ADD COLUMN attempts BIGINT NOT NULL DEFAULT 1;
ALTER TABLE reminder_deliveries ADD COLUMN next_attempt_ms BIGINT;
CREATE INDEX reminder_deliveries_retry ON reminder_deliveries(next_attempt_ms) WHERE next_attempt_ms IS NOT NULL;
