-- 0001: the initial schema. Times are INTEGER Unix nanoseconds, 0 for none.

CREATE TABLE accounts (
	id            INTEGER PRIMARY KEY AUTOINCREMENT, -- never reused
	username      TEXT    NOT NULL UNIQUE,
	tier          TEXT    NOT NULL,
	password_hash TEXT    NOT NULL,
	admin         INTEGER NOT NULL DEFAULT 0,
	disabled      INTEGER NOT NULL DEFAULT 0,
	created_at    INTEGER NOT NULL,
	updated_at    INTEGER NOT NULL
) STRICT;

CREATE TABLE tokens (
	hash       BLOB    NOT NULL PRIMARY KEY, -- SHA-256 of the bearer token
	account_id INTEGER NOT NULL REFERENCES accounts (id),
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL
) STRICT;

CREATE INDEX tokens_account ON tokens (account_id);
CREATE INDEX tokens_expires ON tokens (expires_at);

CREATE TABLE transfers (
	id                TEXT    NOT NULL PRIMARY KEY,
	sender_id         INTEGER NOT NULL REFERENCES accounts (id),
	name              TEXT    NOT NULL,
	size              INTEGER NOT NULL,
	declared_sha256   TEXT    NOT NULL DEFAULT '',
	sha256            TEXT    NOT NULL DEFAULT '',
	state             TEXT    NOT NULL,
	error             BLOB,             -- ferry.EncodeError JSON, NULL for none
	upload_offset     INTEGER NOT NULL DEFAULT 0,
	challenge         TEXT,             -- JSON of ferry.Challenge, NULL for none
	created_at        INTEGER NOT NULL,
	updated_at        INTEGER NOT NULL,
	upload_expires_at INTEGER NOT NULL DEFAULT 0,
	available_at      INTEGER NOT NULL DEFAULT 0,
	expires_at        INTEGER NOT NULL DEFAULT 0,
	downloaded_at     INTEGER NOT NULL DEFAULT 0
) STRICT;

-- Outbox pages and Usage.Recent.
CREATE INDEX transfers_sender_created ON transfers (sender_id, created_at, id);
-- Usage.StorageBytes, answered from the index alone.
CREATE INDEX transfers_sender_state ON transfers (sender_id, state, size);
-- Due.
CREATE INDEX transfers_state_expires ON transfers (state, expires_at);
CREATE INDEX transfers_state_upload_expires ON transfers (state, upload_expires_at);
-- InState.
CREATE INDEX transfers_state_updated ON transfers (state, updated_at, id);
-- Blob references.
CREATE INDEX transfers_sha256 ON transfers (sha256, state);

CREATE TABLE recipients (
	transfer_id   TEXT    NOT NULL REFERENCES transfers (id) ON DELETE CASCADE,
	account_id    INTEGER NOT NULL REFERENCES accounts (id),
	position      INTEGER NOT NULL, -- the order of Transfer.Recipients
	status        TEXT    NOT NULL DEFAULT 'pending',
	decided_at    INTEGER NOT NULL DEFAULT 0,
	downloaded_at INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (transfer_id, account_id)
) STRICT, WITHOUT ROWID;

-- Inbox.
CREATE INDEX recipients_account ON recipients (account_id, status, transfer_id);

CREATE TABLE blobs (
	sha256     TEXT    NOT NULL PRIMARY KEY,
	size       INTEGER NOT NULL,
	created_at INTEGER NOT NULL,
	inspected  TEXT    NOT NULL DEFAULT ''
) STRICT;

-- UnreferencedBlobs, oldest first.
CREATE INDEX blobs_created ON blobs (created_at, sha256);
