-- What an idempotency key answered: a digest of the request (the report, the action,
-- the version it started from and the content). A key sent again with another report
-- or another body is refused (409) instead of answered with the first report's reply,
-- which silently dropped the second request. Rows of before this migration have ''
-- and are answered as before.
-- Kept in step with ../postgres/0029_idempotency_request.sql.
ALTER TABLE idempotency_keys ADD COLUMN request_hash TEXT NOT NULL DEFAULT '';
