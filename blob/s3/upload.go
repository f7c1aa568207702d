package s3

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/minio/minio-go/v7"

	"github.com/ferryhq/ferry"
	"github.com/ferryhq/ferry/blob/internal/key"
)

// UploadSize returns how many bytes upload id holds; 0 for an unknown id.
func (s *Store) UploadSize(ctx context.Context, id string) (int64, error) {
	const op = "blob/s3: upload size"
	if err := key.CheckID(op, id); err != nil {
		return 0, err
	}
	f, err := s.readInfo(ctx, op, id)
	return f.size(), err
}

// OpenUpload reads upload id from its first byte.
//
// S3 cannot read the parts of a multipart upload before it is completed,
// so an upload that has parts is sealed first: its tail becomes the last
// part and the multipart upload is completed into its object, which Commit
// then merely points a blob at. ferry reads an upload once all of it
// arrived (to hash it), so sealing early costs nothing; an Append after it
// still works, by copying the object into a new upload.
func (s *Store) OpenUpload(ctx context.Context, id string) (io.ReadCloser, error) {
	const op = "blob/s3: open upload"
	if err := key.CheckID(op, id); err != nil {
		return nil, err
	}
	f, err := s.readInfo(ctx, op, id)
	if err != nil {
		return nil, err
	}
	if f == nil {
		return nil, notFound(op, fmt.Errorf("no upload %s", id))
	}
	switch {
	case f.Sealed:
		return s.newReader(ctx, op, f.Key, f.SealedSize), nil
	case len(f.Parts) == 0 && f.Tail != nil:
		return s.newReader(ctx, op, f.Tail.Key, f.Tail.Size), nil
	case len(f.Parts) == 0:
		return io.NopCloser(bytes.NewReader(nil)), nil
	}
	sealed, err := s.seal(ctx, op, f)
	if err != nil {
		return nil, err
	}
	if err := s.writeInfo(ctx, op, id, sealed); err != nil {
		return nil, err
	}
	if f.Tail != nil {
		_ = s.remove(ctx, f.Tail.Key)
	}
	return s.newReader(ctx, op, sealed.Key, sealed.SealedSize), nil
}

// seal completes the upload of f into f.Key and returns the sealed state
// (not stored yet). An upload without parts is copied from its tail (under
// MinPartSize), or written empty.
func (s *Store) seal(ctx context.Context, op string, f *info) (*info, error) {
	if f.Sealed {
		return f, nil
	}
	sealed := &info{Key: f.Key, Sealed: true, SealedSize: f.size(), Commit: f.Commit, etag: f.etag}
	if len(f.Parts) == 0 {
		var err error
		if f.Tail != nil {
			_, err = s.core.CopyObject(ctx, s.cfg.Bucket, f.Tail.Key, s.cfg.Bucket, f.Key, nil,
				minio.CopySrcOptions{Bucket: s.cfg.Bucket, Object: f.Tail.Key}, minio.PutObjectOptions{})
		} else {
			_, err = s.c.PutObject(ctx, s.cfg.Bucket, f.Key, bytes.NewReader(nil), 0,
				minio.PutObjectOptions{DisableMultipart: true})
		}
		if err != nil {
			return nil, unavailable(op, fmt.Errorf("seal upload: %w", err))
		}
		return sealed, nil
	}
	parts := f.Parts
	if f.Tail != nil {
		last, err := s.tailPart(ctx, f)
		if err != nil {
			return nil, unavailable(op, fmt.Errorf("seal upload: send tail: %w", err))
		}
		parts = append(parts[:len(parts):len(parts)], last)
	}
	complete := make([]minio.CompletePart, len(parts))
	for i, p := range parts {
		complete[i] = minio.CompletePart{PartNumber: p.N, ETag: p.ETag}
	}
	_, err := s.core.CompleteMultipartUpload(ctx, s.cfg.Bucket, f.Key, f.UploadID, complete, minio.PutObjectOptions{})
	if isNotFound(err) {
		// Completed by an earlier call that stopped before storing the
		// sealed state: the object is there.
		st, serr := s.c.StatObject(ctx, s.cfg.Bucket, f.Key, minio.StatObjectOptions{})
		if serr == nil && st.Size == sealed.SealedSize {
			err = nil
		}
	}
	if err != nil {
		return nil, unavailable(op, fmt.Errorf("seal upload: complete: %w", err))
	}
	return sealed, nil
}

// tailPart sends the tail of f as the part after the last.
func (s *Store) tailPart(ctx context.Context, f *info) (part, error) {
	body, _, _, err := s.core.GetObject(ctx, s.cfg.Bucket, f.Tail.Key, minio.GetObjectOptions{})
	if err != nil {
		return part{}, err
	}
	defer body.Close()
	n := f.Parts[len(f.Parts)-1].N + 1
	p, err := s.core.PutObjectPart(ctx, s.cfg.Bucket, f.Key, f.UploadID, n, body, f.Tail.Size,
		minio.PutObjectPartOptions{DisableContentSha256: !s.cfg.SignPayload})
	if err != nil {
		return part{}, err
	}
	return part{N: n, Size: f.Tail.Size, ETag: p.ETag}, nil
}

// Commit makes upload id the blob sum without copying it: the multipart
// upload is completed in place (if OpenUpload has not already) and the
// blob's key becomes a small pointer to its object. When the blob exists
// already the upload is removed instead. The hash is not checked again.
func (s *Store) Commit(ctx context.Context, id, sum string) error {
	const op = "blob/s3: commit"
	if err := key.CheckID(op, id); err != nil {
		return err
	}
	if err := key.CheckSHA(op, sum); err != nil {
		return err
	}
	f, err := s.readInfo(ctx, op, id)
	if err != nil {
		return err
	}
	if f == nil {
		return notFound(op, fmt.Errorf("no upload %s", id))
	}
	ptr, err := s.readPointer(ctx, op, sum)
	if err != nil && ferry.ErrorCode(err) != ferry.CodeNotFound {
		return err
	}
	if ptr != nil && (ptr.Key == f.Key || s.exists(ctx, ptr.Key)) {
		// Stored once already (or by this upload, before a stop).
		return s.deleteUpload(ctx, op, id, f)
	}
	sealed, err := s.seal(ctx, op, f)
	if err != nil {
		return err
	}
	// From here the pointer may name the object: say so first, so that
	// removing the upload after a stop keeps it.
	sealed.Commit = sum
	if err := s.writeInfo(ctx, op, id, sealed); err != nil {
		return err
	}
	if f.Tail != nil {
		_ = s.remove(ctx, f.Tail.Key)
	}
	won, err := s.writePointer(ctx, sum, &object{Key: sealed.Key, Size: sealed.SealedSize}, ptr == nil)
	if err != nil {
		return unavailable(op, fmt.Errorf("write blob pointer: %w", err))
	}
	if !won {
		// Another upload of the same content committed in between.
		sealed.Commit = ""
		return s.deleteUpload(ctx, op, id, sealed)
	}
	if err := s.remove(ctx, s.infoKey(id)); err != nil {
		return unavailable(op, err)
	}
	return nil
}

// exists reports whether key holds an object (errors count as yes, so that
// nothing is overwritten on a doubt).
func (s *Store) exists(ctx context.Context, key string) bool {
	_, err := s.c.StatObject(ctx, s.cfg.Bucket, key, minio.StatObjectOptions{})
	return err == nil || !isNotFound(err)
}

// DeleteUpload removes upload id; an unknown id is not an error.
func (s *Store) DeleteUpload(ctx context.Context, id string) error {
	const op = "blob/s3: delete upload"
	if err := key.CheckID(op, id); err != nil {
		return err
	}
	f, err := s.readInfo(ctx, op, id)
	if err != nil {
		return err
	}
	return s.deleteUpload(ctx, op, id, f)
}

// deleteUpload removes what upload id holds (f, nil when its state is
// gone): the multipart upload, its object unless a blob points at it,
// every object under the upload's prefix (tails left behind by a stop
// included), and the state last.
func (s *Store) deleteUpload(ctx context.Context, op, id string, f *info) error {
	if f != nil {
		if f.UploadID != "" {
			err := s.core.AbortMultipartUpload(ctx, s.cfg.Bucket, f.Key, f.UploadID)
			if err != nil && !isNotFound(err) {
				return unavailable(op, err)
			}
		}
		if !s.pointedAt(ctx, f) {
			if err := s.remove(ctx, f.Key); err != nil {
				return unavailable(op, err)
			}
		}
	}
	info := s.infoKey(id)
	for oi := range s.c.ListObjects(ctx, s.cfg.Bucket, minio.ListObjectsOptions{Prefix: s.uploadPrefix(id), Recursive: true}) {
		if oi.Err != nil {
			return unavailable(op, oi.Err)
		}
		if oi.Key == info {
			continue
		}
		if err := s.remove(ctx, oi.Key); err != nil {
			return unavailable(op, err)
		}
	}
	if err := s.remove(ctx, info); err != nil {
		return unavailable(op, err)
	}
	return nil
}

// pointedAt reports whether a blob's pointer may name f's object: only
// once Commit marked f (a doubt counts as yes).
func (s *Store) pointedAt(ctx context.Context, f *info) bool {
	if f.Commit == "" {
		return false
	}
	ptr, err := s.readPointer(ctx, "", f.Commit)
	if errors.Is(err, ferry.E(ferry.CodeNotFound)) {
		return false
	}
	return err != nil || ptr.Key == f.Key
}
