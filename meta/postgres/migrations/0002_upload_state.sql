-- 0002: what runs over an upload's bytes as they arrive — the SHA-256 of
-- the content, the inspectors that judge it piece by piece — saved between
-- its requests (ferry.Transfer.UploadState), so that when the last byte
-- is in, the hash and those verdicts are ready without reading the
-- content back. NULL: nothing saved.
ALTER TABLE transfers ADD COLUMN upload_state bytea;
