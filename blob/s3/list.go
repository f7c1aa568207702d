package s3

import (
	"context"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"

	"github.com/ferryhq/ferry/blob/internal/key"
)

// Blobs calls fn for every blob with the time its pointer was written, in
// key order. Keys that are not a blob's are skipped. It stops at the first
// error of fn and returns it unchanged.
func (s *Store) Blobs(ctx context.Context, fn func(sha256 string, modTime time.Time) error) error {
	const op = "blob/s3: list blobs"
	prefix := s.cfg.Prefix + "blobs/"
	for oi := range s.c.ListObjects(ctx, s.cfg.Bucket, minio.ListObjectsOptions{Prefix: prefix, Recursive: true}) {
		if oi.Err != nil {
			return unavailable(op, oi.Err)
		}
		sum := strings.TrimPrefix(oi.Key, prefix)
		if !key.ValidSHA(sum) {
			continue
		}
		if err := fn(sum, oi.LastModified); err != nil {
			return err
		}
	}
	return ctx.Err()
}

// Uploads calls fn for every staged upload, with the time it last changed:
// every ID with an object under uploads/, its state or a tail that a stop
// left behind, so that the sweeper's DeleteUpload removes those too. Keys
// of one ID are adjacent in key order ('.' sorts before every character
// of an ID but '-'), so an ID is listed once, when its last key passed.
func (s *Store) Uploads(ctx context.Context, fn func(id string, modTime time.Time) error) error {
	const op = "blob/s3: list uploads"
	prefix := s.cfg.Prefix + "uploads/"
	var id string
	var mod time.Time
	for oi := range s.c.ListObjects(ctx, s.cfg.Bucket, minio.ListObjectsOptions{Prefix: prefix, Recursive: true}) {
		if oi.Err != nil {
			return unavailable(op, oi.Err)
		}
		name, _, ok := strings.Cut(strings.TrimPrefix(oi.Key, prefix), ".")
		if !ok || !key.ValidID(name) {
			continue
		}
		if name != id && id != "" {
			if err := fn(id, mod); err != nil {
				return err
			}
			mod = time.Time{}
		}
		id = name
		if oi.LastModified.After(mod) {
			mod = oi.LastModified
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if id != "" {
		return fn(id, mod)
	}
	return nil
}
