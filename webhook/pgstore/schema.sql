-- The webhook de-duplication marks of mfspay (package pgstore): one row per
-- event, a lease (delivered = false) or a delivered mark, until expires_at by
-- the server's clock. Idempotent: pgstore runs it on every New.
CREATE TABLE IF NOT EXISTS mfspay_webhook_marks (
	key        bytea       PRIMARY KEY, -- exact bytes: event ids may hold any
	token      text        NOT NULL,
	delivered  boolean     NOT NULL,
	expires_at timestamptz NOT NULL
);
-- The retention sweep deletes by expiry.
CREATE INDEX IF NOT EXISTS mfspay_webhook_marks_expires_at ON mfspay_webhook_marks (expires_at);
