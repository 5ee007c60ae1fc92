-- The payment ledger: one row per invoice and provider, and the history of
-- verified changes. Times are microseconds since the Unix epoch (0: not
-- set); amounts are integer poisha.
CREATE TABLE IF NOT EXISTS mfspay_ledger_entries (
	provider     TEXT    NOT NULL,
	invoice_id   TEXT    NOT NULL,
	amount       INTEGER NOT NULL,
	fingerprint  TEXT    NOT NULL,
	created_at   INTEGER NOT NULL,
	outcome      TEXT    NOT NULL,
	payment_id   TEXT    NOT NULL,
	redirect_url TEXT    NOT NULL,
	expires_at   INTEGER NOT NULL,
	status       TEXT    NOT NULL,
	paid_amount  INTEGER NOT NULL,
	trx_id       TEXT    NOT NULL,
	method       TEXT    NOT NULL,
	status_at    INTEGER NOT NULL,
	source       TEXT    NOT NULL,
	next_check   INTEGER NOT NULL,
	checks       INTEGER NOT NULL,
	updated_at   INTEGER NOT NULL,
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
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	provider   TEXT    NOT NULL,
	invoice_id TEXT    NOT NULL,
	payment_id TEXT    NOT NULL,
	status     TEXT    NOT NULL,
	amount     INTEGER NOT NULL,
	trx_id     TEXT    NOT NULL,
	method     TEXT    NOT NULL,
	at         INTEGER NOT NULL,
	source     TEXT    NOT NULL,
	effect     TEXT    NOT NULL
);
CREATE INDEX IF NOT EXISTS mfspay_ledger_changes_entry ON mfspay_ledger_changes (provider, invoice_id, id);
