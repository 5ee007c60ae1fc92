-- The payment ledger: one row per invoice and provider, and the history of
-- verified changes. Times are microseconds since the Unix epoch (0: not
-- set); amounts are integer poisha.
CREATE TABLE IF NOT EXISTS mfspay_ledger_entries (
	provider     TEXT    NOT NULL,
	invoice_id   TEXT    NOT NULL,
	amount       BIGINT  NOT NULL,
	fingerprint  TEXT    NOT NULL,
	created_at   BIGINT  NOT NULL,
	outcome      TEXT    NOT NULL,
	payment_id   TEXT    NOT NULL,
	redirect_url TEXT    NOT NULL,
	expires_at   BIGINT  NOT NULL,
	status       TEXT    NOT NULL,
	paid_amount  BIGINT  NOT NULL,
	trx_id       TEXT    NOT NULL,
	method       TEXT    NOT NULL,
	status_at    BIGINT  NOT NULL,
	source       TEXT    NOT NULL,
	next_check   BIGINT  NOT NULL,
	checks       BIGINT  NOT NULL,
	updated_at   BIGINT  NOT NULL,
	PRIMARY KEY (provider, invoice_id)
);

-- A payment id belongs to one invoice of a provider.
CREATE UNIQUE INDEX IF NOT EXISTS mfspay_ledger_entries_payment
	ON mfspay_ledger_entries (provider, payment_id) WHERE payment_id <> '';

-- What the reconciler claims, and what it reports.
CREATE INDEX IF NOT EXISTS mfspay_ledger_entries_due
	ON mfspay_ledger_entries (next_check, provider, invoice_id) WHERE next_check > 0;
CREATE INDEX IF NOT EXISTS mfspay_ledger_entries_open
	ON mfspay_ledger_entries (created_at, provider, invoice_id)
	WHERE outcome <> 'not_created' AND status NOT IN ('paid', 'failed', 'cancelled', 'expired');

CREATE TABLE IF NOT EXISTS mfspay_ledger_changes (
	id         BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	provider   TEXT    NOT NULL,
	invoice_id TEXT    NOT NULL,
	payment_id TEXT    NOT NULL,
	status     TEXT    NOT NULL,
	amount     BIGINT  NOT NULL,
	trx_id     TEXT    NOT NULL,
	method     TEXT    NOT NULL,
	at         BIGINT  NOT NULL,
	source     TEXT    NOT NULL,
	effect     TEXT    NOT NULL
);
CREATE INDEX IF NOT EXISTS mfspay_ledger_changes_entry ON mfspay_ledger_changes (provider, invoice_id, id);
