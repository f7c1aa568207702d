-- 0002: account risk control (ferry.RiskStore). Times are INTEGER Unix
-- nanoseconds, 0 for none. An account without a row is at level 1 with
-- nothing recorded.

CREATE TABLE account_risk (
	account_id     INTEGER NOT NULL PRIMARY KEY REFERENCES accounts (id),
	failed_logins  INTEGER NOT NULL DEFAULT 0, -- consecutive
	level          INTEGER NOT NULL DEFAULT 1, -- 1 normal, 2 step-up, 3 restricted
	level_since    INTEGER NOT NULL DEFAULT 0,
	-- The authenticator's base32 secret, stored as it is: encrypting it at
	-- rest is future work.
	totp_secret    TEXT    NOT NULL DEFAULT '',
	totp_confirmed INTEGER NOT NULL DEFAULT 0,
	totp_last_step INTEGER NOT NULL DEFAULT 0  -- last accepted 30 s step (replay guard)
) STRICT;

-- The risk events of the rolling window; UpdateRisk replaces an account's
-- set as a whole.
CREATE TABLE risk_events (
	account_id INTEGER NOT NULL REFERENCES account_risk (account_id) ON DELETE CASCADE,
	position   INTEGER NOT NULL, -- the order of ferry.Risk.Events
	kind       TEXT    NOT NULL,
	at         INTEGER NOT NULL,
	PRIMARY KEY (account_id, position)
) STRICT, WITHOUT ROWID;
