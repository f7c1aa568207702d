package s3

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"

	"github.com/ferryhq/ferry"
	"github.com/ferryhq/ferry/blob/internal/key"
)

// maxPresignTTL is the longest a SigV4 presigned URL may live.
const maxPresignTTL = 7 * 24 * time.Hour

// readPointer returns the object that blob sum points at.
func (s *Store) readPointer(ctx context.Context, op, sum string) (*object, error) {
	var p object
	if _, err := s.readJSON(ctx, s.blobKey(sum), &p); err != nil {
		return nil, s3Error(op, err)
	}
	if p.Key == "" || p.Size < 0 {
		return nil, unavailable(op, fmt.Errorf("blob pointer %s is malformed", sum))
	}
	return &p, nil
}

// writePointer makes blob sum point at obj. With fresh it writes only
// where no pointer exists, and reports false when another one won (unless
// it names obj already: a retry).
func (s *Store) writePointer(ctx context.Context, sum string, obj *object, fresh bool) (bool, error) {
	b, err := json.Marshal(obj)
	if err != nil {
		return false, err
	}
	if !fresh {
		_, err = s.c.PutObject(ctx, s.cfg.Bucket, s.blobKey(sum), strings.NewReader(string(b)), int64(len(b)),
			minio.PutObjectOptions{ContentType: "application/json", DisableMultipart: true, DisableContentSha256: !s.cfg.SignPayload})
		return err == nil, err
	}
	_, err = s.putSmall(ctx, s.blobKey(sum), b, "")
	if isPreconditionFailed(err) {
		p, rerr := s.readPointer(ctx, "", sum)
		if rerr != nil {
			return false, rerr
		}
		return p.Key == obj.Key, nil
	}
	return err == nil, err
}

// Open returns the blob's content, read by ranged GETs from where the
// reader is, and its size. Seeking costs nothing: the next Read asks for
// the bytes from there.
func (s *Store) Open(ctx context.Context, sum string) (io.ReadSeekCloser, int64, error) {
	const op = "blob/s3: open"
	if err := key.CheckSHA(op, sum); err != nil {
		return nil, 0, err
	}
	p, err := s.readPointer(ctx, op, sum)
	if err != nil {
		return nil, 0, err
	}
	return s.newReader(ctx, op, p.Key, p.Size), p.Size, nil
}

// Delete removes a blob; an unknown one is not an error. The content goes
// first and the pointer last, so that a stop in between leaves a pointer
// that Blobs still lists, for the sweeper to delete again.
func (s *Store) Delete(ctx context.Context, sum string) error {
	const op = "blob/s3: delete"
	if err := key.CheckSHA(op, sum); err != nil {
		return err
	}
	p, err := s.readPointer(ctx, op, sum)
	if errors.Is(err, ferry.E(ferry.CodeNotFound)) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := s.remove(ctx, p.Key); err != nil {
		return unavailable(op, err)
	}
	if err := s.remove(ctx, s.blobKey(sum)); err != nil {
		return unavailable(op, err)
	}
	return nil
}

// PresignGet returns a URL from which anyone holding it can download blob
// sum for ttl (at most 7 days), as an attachment named filename (none when
// empty): the response's Content-Disposition carries an ASCII fallback and
// the exact UTF-8 name (RFC 6266, RFC 5987 filename*).
func (s *Store) PresignGet(ctx context.Context, sum string, ttl time.Duration, filename string) (*url.URL, error) {
	const op = "blob/s3: presign get"
	if err := key.CheckSHA(op, sum); err != nil {
		return nil, err
	}
	if ttl < time.Second || ttl > maxPresignTTL {
		return nil, ferry.E(ferry.CodeBadRequest).WithOp(op).With("reason", "presign ttl out of range").
			WithErr(fmt.Errorf("ttl %v is outside [1s, %v]", ttl, maxPresignTTL))
	}
	p, err := s.readPointer(ctx, op, sum)
	if err != nil {
		return nil, err
	}
	params := url.Values{}
	if filename != "" {
		params.Set("response-content-disposition", ferry.ContentDisposition(filename))
	}
	u, err := s.c.PresignedGetObject(ctx, s.cfg.Bucket, p.Key, ttl, params)
	if err != nil {
		return nil, unavailable(op, err)
	}
	return u, nil
}

// reader reads an object of known size from pos by ranged GETs: one
// request per stretch read without seeking, and none for a Seek.
type reader struct {
	s       *Store
	ctx     context.Context
	op, key string
	size    int64
	pos     int64
	body    io.ReadCloser // reading from pos, or nil
	closed  bool
}

func (s *Store) newReader(ctx context.Context, op, key string, size int64) *reader {
	return &reader{s: s, ctx: ctx, op: op, key: key, size: size}
}

func (r *reader) Read(p []byte) (int, error) {
	if r.closed {
		return 0, errors.New("blob/s3: read after close")
	}
	if r.pos >= r.size {
		return 0, io.EOF
	}
	if len(p) == 0 {
		return 0, nil
	}
	if r.body == nil {
		opts := minio.GetObjectOptions{}
		if err := opts.SetRange(r.pos, r.size-1); err != nil {
			return 0, unavailable(r.op, err)
		}
		body, _, _, err := r.s.core.GetObject(r.ctx, r.s.cfg.Bucket, r.key, opts)
		if err != nil {
			return 0, s3Error(r.op, err)
		}
		r.body = body
	}
	n, err := r.body.Read(p[:min(int64(len(p)), r.size-r.pos)])
	r.pos += int64(n)
	switch {
	case err == io.EOF && r.pos < r.size:
		r.dropBody()
		return n, unavailable(r.op, fmt.Errorf("%s ended at %d of %d bytes", r.key, r.pos, r.size))
	case err == io.EOF:
		r.dropBody()
		return n, nil // the next Read returns the EOF
	case err != nil:
		r.dropBody()
		return n, unavailable(r.op, err)
	}
	return n, nil
}

func (r *reader) Seek(offset int64, whence int) (int64, error) {
	var abs int64
	switch whence {
	case io.SeekStart:
		abs = offset
	case io.SeekCurrent:
		abs = r.pos + offset
	case io.SeekEnd:
		abs = r.size + offset
	default:
		return r.pos, errors.New("blob/s3: seek: invalid whence")
	}
	if abs < 0 {
		return r.pos, errors.New("blob/s3: seek to a negative position")
	}
	if abs != r.pos {
		r.dropBody()
	}
	r.pos = abs
	return abs, nil
}

func (r *reader) Close() error {
	r.closed = true
	r.dropBody()
	return nil
}

func (r *reader) dropBody() {
	if r.body != nil {
		r.body.Close()
		r.body = nil
	}
}
