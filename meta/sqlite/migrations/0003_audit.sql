-- 0003: the audit log (ferry.AuditStore). Times are INTEGER Unix
-- nanoseconds. Records are appended in batches and never changed. The
-- account is kept by ID and by name as given, without a foreign key, so that
-- a failed login under an unknown name is recorded too (account_id 0).

CREATE TABLE audit (
	id          INTEGER PRIMARY KEY AUTOINCREMENT, -- never reused
	at          INTEGER NOT NULL,
	account_id  INTEGER NOT NULL DEFAULT 0,
	account     TEXT    NOT NULL DEFAULT '',
	action      TEXT    NOT NULL,
	transfer_id TEXT    NOT NULL DEFAULT '',
	name        TEXT    NOT NULL DEFAULT '',
	size        INTEGER NOT NULL DEFAULT 0,
	verdict     TEXT    NOT NULL,
	code        INTEGER NOT NULL DEFAULT 0, -- 0 when accepted
	rule        TEXT    NOT NULL DEFAULT '',
	ip          TEXT    NOT NULL DEFAULT '',
	details     TEXT                        -- JSON object, NULL for none
) STRICT;

-- Pages newest first, time ranges, and the summary. Each index ends in the
-- rowid (id), which is the tie-breaker of the page order.
CREATE INDEX audit_at ON audit (at);
-- One account's decisions.
CREATE INDEX audit_account ON audit (account, at);
-- Refusals with one code. Accepted decisions (code 0), the most, stay out.
CREATE INDEX audit_code ON audit (code, at) WHERE code != 0;
