-- 0002: the SHA-256 state of an upload's bytes so far (ferry.Transfer.
-- UploadHash), kept between its requests so that the hash of the content
-- is ready with its last byte, without reading it back. NULL: not known.
ALTER TABLE transfers ADD COLUMN upload_hash bytea;
