package s3

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync/atomic"

	"github.com/minio/minio-go/v7"

	"github.com/ferryhq/ferry"
)

var (
	_ ferry.BlobStore  = (*Store)(nil)
	_ ferry.BlobLister = (*Store)(nil)
)

// maxStateSize bounds what the store reads of a state object (an upload's
// info or a blob's pointer): 10 000 parts of JSON fit many times over.
const maxStateSize = 4 << 20

// Store is a ferry.BlobStore on an S3 bucket. It keeps no state of its own
// between calls, so that any number of nodes share one bucket; see the
// package documentation for the keys and what the caller serialises.
type Store struct {
	cfg  Config
	c    *minio.Client
	core *minio.Core
	// noConditional is set once the server refused a conditional PUT
	// (If-Match, If-None-Match) as not implemented; the store then writes
	// without, as it must with such servers.
	noConditional atomic.Bool
}

// Keys. Everything sits under cfg.Prefix.
func (s *Store) infoKey(id string) string { return s.cfg.Prefix + "uploads/" + id + ".info" }
func (s *Store) uploadPrefix(id string) string {
	return s.cfg.Prefix + "uploads/" + id + "."
}
func (s *Store) tailKey(id string) string { return s.uploadPrefix(id) + "tail." + nonce() }
func (s *Store) dataKey() string          { return s.cfg.Prefix + "data/" + nonce() }
func (s *Store) blobKey(sum string) string {
	return s.cfg.Prefix + "blobs/" + sum
}

// nonce returns 128 random bits in hex: keys that no other node, and no
// earlier life of the same upload ID, can have used.
func nonce() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// info is the state of an upload, the object uploads/<id>.info. It is the
// one place an upload's size is decided: bytes are written first (parts,
// a tail object) and count once an info that names them is stored, so a
// crash or a discarded chunk at any point leaves a consistent upload.
type info struct {
	// Key is the object that the multipart upload becomes: the blob's
	// content once committed (data/<nonce>).
	Key string `json:"key"`
	// UploadID is the multipart upload at Key, once one was started.
	UploadID string `json:"upload_id,omitempty"`
	// Parts are the parts that count, in order. Parts that a discarded or
	// failed Append sent but never recorded are overwritten or left out
	// when the upload completes.
	Parts []part `json:"parts,omitempty"`
	// Tail holds the bytes after the parts, fewer than MinPartSize: an
	// object of its own beside the info, merged into the next part.
	Tail *object `json:"tail,omitempty"`
	// Sealed says that the multipart upload was completed (to read it
	// back): Key holds all SealedSize bytes, and Parts and Tail are empty.
	Sealed     bool  `json:"sealed,omitempty"`
	SealedSize int64 `json:"sealed_size,omitempty"`
	// Commit is the SHA-256 that the sealed upload is being committed as:
	// once set, the blob's pointer may name Key, which DeleteUpload then
	// must keep.
	Commit string `json:"commit,omitempty"`

	etag string // of the stored info, for a conditional write; "" when new
}

type part struct {
	N    int    `json:"n"`
	Size int64  `json:"size"`
	ETag string `json:"etag"`
}

// object names an object and its size: a tail, or a blob's content.
type object struct {
	Key  string `json:"key"`
	Size int64  `json:"size"`
}

// size returns how many bytes the upload holds; 0 for none.
func (f *info) size() int64 {
	if f == nil {
		return 0
	}
	n := f.SealedSize
	for _, p := range f.Parts {
		n += p.Size
	}
	if f.Tail != nil {
		n += f.Tail.Size
	}
	return n
}

// clone returns a copy of f that shares nothing mutable with it.
func (f *info) clone() *info {
	c := *f
	c.Parts = append([]part(nil), f.Parts...)
	if f.Tail != nil {
		t := *f.Tail
		c.Tail = &t
	}
	return &c
}

// readInfo returns the state of upload id, nil when there is none.
func (s *Store) readInfo(ctx context.Context, op, id string) (*info, error) {
	var f info
	etag, err := s.readJSON(ctx, s.infoKey(id), &f)
	if isNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, unavailable(op, fmt.Errorf("read upload state: %w", err))
	}
	f.etag = etag
	return &f, nil
}

// writeInfo stores f as the state of upload id, provided the stored state
// is still the one f was read from (f.etag; none when empty): another node
// that took the upload over in between makes it CodeUploadOffsetConflict.
func (s *Store) writeInfo(ctx context.Context, op, id string, f *info) error {
	b, err := json.Marshal(f)
	if err != nil {
		return unavailable(op, err)
	}
	etag, err := s.putSmall(ctx, s.infoKey(id), b, f.etag)
	if isPreconditionFailed(err) {
		return ferry.E(ferry.CodeUploadOffsetConflict).WithOp(op).
			WithErr(errors.New("the upload changed under this call (another node wrote it)"))
	}
	if err != nil {
		return unavailable(op, fmt.Errorf("write upload state: %w", err))
	}
	f.etag = etag
	return nil
}

// putSmall writes a small object, conditionally: onto the version with
// etag match, or only where none exists when match is "". It returns the
// new ETag.
func (s *Store) putSmall(ctx context.Context, key string, b []byte, match string) (string, error) {
	for {
		opts := minio.PutObjectOptions{ContentType: "application/json", DisableContentSha256: !s.cfg.SignPayload, DisableMultipart: true}
		conditional := !s.noConditional.Load()
		if conditional && match != "" {
			opts.SetMatchETag(match)
		} else if conditional {
			opts.SetMatchETagExcept("*")
		}
		info, err := s.c.PutObject(ctx, s.cfg.Bucket, key, bytes.NewReader(b), int64(len(b)), opts)
		if conditional && isNotImplemented(err) {
			s.noConditional.Store(true)
			continue
		}
		return info.ETag, err
	}
}

// readJSON reads the small JSON object at key into v and returns its ETag.
func (s *Store) readJSON(ctx context.Context, key string, v any) (string, error) {
	body, oi, _, err := s.core.GetObject(ctx, s.cfg.Bucket, key, minio.GetObjectOptions{})
	if err != nil {
		return "", err
	}
	defer body.Close()
	b, err := io.ReadAll(io.LimitReader(body, maxStateSize+1))
	if err != nil {
		return "", err
	}
	if len(b) > maxStateSize {
		return "", fmt.Errorf("%s: state object over %d bytes", key, maxStateSize)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return "", fmt.Errorf("%s: %w", key, err)
	}
	return oi.ETag, nil
}

// remove deletes key; a missing key is not an error.
func (s *Store) remove(ctx context.Context, key string) error {
	err := s.c.RemoveObject(ctx, s.cfg.Bucket, key, minio.RemoveObjectOptions{})
	if isNotFound(err) {
		return nil
	}
	return err
}

// errResponse returns the S3 error in err's chain, if any.
func errResponse(err error) (minio.ErrorResponse, bool) {
	var r minio.ErrorResponse
	if errors.As(err, &r) {
		return r, true
	}
	var rp *minio.ErrorResponse
	if errors.As(err, &rp) && rp != nil {
		return *rp, true
	}
	return r, false
}

// isNotFound reports a missing key or multipart upload (a missing bucket
// is a misconfiguration, not a missing blob).
func isNotFound(err error) bool {
	r, ok := errResponse(err)
	if !ok {
		return false
	}
	switch r.Code {
	case "NoSuchKey", "NoSuchUpload", "NotFound":
		return true
	case "NoSuchBucket":
		return false
	}
	return r.StatusCode == http.StatusNotFound
}

func isPreconditionFailed(err error) bool {
	r, ok := errResponse(err)
	return ok && (r.Code == "PreconditionFailed" || r.StatusCode == http.StatusPreconditionFailed)
}

func isNotImplemented(err error) bool {
	r, ok := errResponse(err)
	return ok && (r.Code == "NotImplemented" || r.StatusCode == http.StatusNotImplemented)
}

// unavailable wraps a failure of the object store as
// CodeStorageUnavailable; the cause, which names keys and the server's
// words, is kept for logs only. An *ferry.Error in err's chain is kept.
func unavailable(op string, err error) *ferry.Error {
	return ferry.Wrap(ferry.CodeStorageUnavailable, op, err)
}

// notFound reports a missing upload or blob.
func notFound(op string, err error) *ferry.Error {
	return ferry.E(ferry.CodeNotFound).WithOp(op).WithErr(err)
}

// s3Error maps an S3 failure: a missing key is CodeNotFound, anything else
// CodeStorageUnavailable.
func s3Error(op string, err error) *ferry.Error {
	if isNotFound(err) {
		return notFound(op, err)
	}
	return unavailable(op, err)
}
