-- 0006: the indexes that serve the sweeper and the blob index hold only the
-- transfers those look for. A create and a recall — the most frequent
-- writes — then touch three index entries fewer each: a new upload is not
-- delivered, inspecting or a blob's yet, and a recalled one is none of
-- these any more. The queries name the same conditions, word for word, so
-- that SQLite can use the indexes (see lists.go, blobs.go, transfers.go).

-- Due: delivered transfers by expiry, uploads by upload expiry.
DROP INDEX transfers_state_expires;
DROP INDEX transfers_state_upload_expires;
CREATE INDEX transfers_delivered_expires ON transfers (expires_at)
	WHERE state IN ('available', 'downloaded');
CREATE INDEX transfers_uploading_expires ON transfers (upload_expires_at)
	WHERE state = 'uploading';

-- InState, which the sweeper asks for inspections a stopped node left.
DROP INDEX transfers_state_updated;
CREATE INDEX transfers_inspecting_updated ON transfers (updated_at, id)
	WHERE state = 'inspecting';

-- Blob references: only transfers that carry content.
DROP INDEX transfers_sha256;
CREATE INDEX transfers_sha256 ON transfers (sha256, state) WHERE sha256 != '';

-- Usage.StorageBytes: only live transfers.
DROP INDEX transfers_sender_state;
CREATE INDEX transfers_sender_live ON transfers (sender_id, state, size)
	WHERE state IN ('uploading', 'inspecting', 'available', 'downloaded');
