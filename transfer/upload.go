package transfer

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"errors"
	"hash"
	"io"

	"github.com/ferryhq/ferry"
)

// Chunk is one request's worth of upload bytes (a tus PATCH).
type Chunk struct {
	// Offset is where the bytes go; it must equal the bytes held.
	Offset int64
	// Length is the number of bytes the request announces, -1 if unknown.
	Length int64
	Body   io.Reader
	// Checksum, when set, must match the digest of the chunk's bytes or
	// the chunk is discarded (tus checksum extension).
	Checksum *Checksum
	// Interrupt unblocks a stalled read of Body when another request takes
	// the upload over (e.g. by setting the connection's read deadline).
	Interrupt func()
}

// Checksum is a digest a client declared for a chunk.
type Checksum struct {
	Algorithm string // "sha256", "sha1" or "md5"
	Digest    []byte
}

// ChecksumAlgorithms are the algorithms Checksum accepts, best first.
var ChecksumAlgorithms = []string{"sha256", "sha1", "md5"}

func newChecksumHash(alg string) hash.Hash {
	switch alg {
	case "sha256":
		return sha256.New()
	case "sha1":
		return sha1.New()
	case "md5":
		return md5.New()
	}
	return nil
}

// Write appends a chunk to the upload of transfer id, which only its sender
// may write. The bytes received are kept even when the connection breaks.
// The chunk that brings the last byte completes the upload: the content is
// then hashed, verified, committed and inspected in the background, and
// Write returns the transfer with its verdict when it comes quickly, or
// still inspecting (see Config.VerdictWait). A rejection is also returned
// as the error.
func (s *Service) Write(ctx context.Context, sender *ferry.Account, id string, c Chunk) (*ferry.Transfer, error) {
	lctx, release, err := s.locks.Lock(ctx, id, c.Interrupt)
	if err != nil {
		return nil, err
	}
	defer release()
	t, err := s.uploadOf(lctx, sender, id)
	if err != nil {
		return nil, err
	}
	held, err := s.blobs.UploadSize(lctx, id)
	if err != nil {
		return nil, err
	}
	if c.Offset != held {
		return t, ferry.E(ferry.CodeUploadOffsetConflict).With("expected", held).With("actual", c.Offset)
	}
	if remaining := t.Size - held; c.Length > remaining {
		return s.refuseUpload(ctx, sender, t, ferry.E(ferry.CodeFileSizeMismatch).With("declared", t.Size).With("actual", held+c.Length))
	}
	pol, now := s.policy(), s.clock.Now()
	if err := pol.Admit(sender, int(s.active.Load())); err != nil {
		return t, err
	}
	if err := pol.RateCheck(sender, held, now.Sub(t.CreatedAt)); err != nil && pol.Risk.RateAnomaly == "reject" {
		s.riskEvent(ctx, sender, "rate_anomaly")
		return t, err
	}
	s.active.Add(1)
	defer s.active.Add(-1)
	r := &countingReader{r: io.LimitReader(c.Body, t.Size-held)}
	var body io.Reader = r
	head, err := s.newHeadCheck(lctx, t, held, body)
	if err != nil {
		return t, err
	}
	if head != nil {
		body = head
	}
	if c.Checksum != nil {
		body = &checksumReader{r: body, h: newChecksumHash(c.Checksum.Algorithm), want: c.Checksum.Digest}
	}
	arr, body := s.arrive(t, held, body)
	n, werr := s.blobs.Append(lctx, id, held, body)
	verdict := arr.verdict()
	if head != nil && head.result != nil { // not what its name says: refused, whatever else
		return s.refuseUpload(context.WithoutCancel(ctx), sender, t, head.result)
	}
	if errors.Is(werr, errChunkChecksum) { // the chunk was damaged: what its bytes showed does not count
		return t, ferry.E(ferry.CodeChunkChecksumMismatch).With("algorithm", c.Checksum.Algorithm)
	}
	if verdict != nil { // a keyword, say, as the bytes arrived
		return s.refuseUpload(context.WithoutCancel(ctx), sender, t, verdict)
	}
	// The bytes arrived: record them even when the client has gone away.
	ctx = context.WithoutCancel(ctx)
	now = s.clock.Now()
	t.Offset, t.UpdatedAt, t.UploadExpiresAt = n, now, now.Add(s.cfg.AbandonAfter)
	state, verdict := arr.state(n, t.Size)
	if verdict != nil { // the last byte settled a hit the stream held back
		return s.refuseUpload(ctx, sender, t, verdict)
	}
	t.UploadState = state
	if err := s.meta.UpdateTransfer(ctx, t, ferry.StateUploading); err != nil {
		return nil, err
	}
	if werr != nil {
		if r.err != nil { // the client's stream broke off, or a newer request took over
			return t, ferry.E(ferry.CodeUploadInterrupted).With("offset", n).WithErr(r.err)
		}
		return t, werr
	}
	if n < t.Size {
		return t, nil
	}
	if more, _ := io.ReadFull(c.Body, make([]byte, 1)); more > 0 {
		return s.refuseUpload(ctx, sender, t, ferry.E(ferry.CodeFileSizeMismatch).With("declared", t.Size).With("actual", "more"))
	}
	if pol.RateCheck(sender, n, now.Sub(t.CreatedAt)) != nil {
		s.riskEvent(ctx, sender, "rate_anomaly")
	}
	return s.finish(ctx, t)
}

// refuseUpload rejects t for what its bytes showed while they arrived
// (1005, 1002), and audits the verdict as settle does for those that the
// inspection decides.
func (s *Service) refuseUpload(ctx context.Context, sender *ferry.Account, t *ferry.Transfer, err error) (*ferry.Transfer, error) {
	t, rerr := s.reject(ctx, t, err)
	if t != nil {
		s.auditTransfer(ferry.AuditUpload, sender, t, nil)
	}
	return t, rerr
}

// uploadOf returns transfer id when sender may write its upload now.
func (s *Service) uploadOf(ctx context.Context, sender *ferry.Account, id string) (*ferry.Transfer, error) {
	t, err := s.meta.Transfer(ctx, id)
	if err != nil {
		return nil, err
	}
	if t.SenderID != sender.ID {
		return nil, ferry.E(ferry.CodeNotFound)
	}
	if t.State != ferry.StateUploading {
		if t.State == ferry.StateInspecting || t.State.Delivered() || t.State == ferry.StateRejected {
			return t, ferry.E(ferry.CodeUploadOffsetConflict).With("expected", t.Size).With("state", string(t.State))
		}
		return t, stateError(t)
	}
	return t, nil
}

// countingReader counts the bytes read through it and keeps the error
// that ended them, if any.
type countingReader struct {
	r   io.Reader
	n   int64
	err error
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	if err != nil && err != io.EOF {
		c.err = err
	}
	return n, err
}

// checksumReader verifies a chunk's digest at its end; a mismatch fails
// the read with an error wrapping ferry.ErrDiscard.
type checksumReader struct {
	r    io.Reader
	h    hash.Hash
	want []byte
}

var errChunkChecksum = errors.Join(errors.New("transfer: chunk checksum mismatch"), ferry.ErrDiscard)

func (c *checksumReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.h.Write(p[:n])
	if err == io.EOF && !bytes.Equal(c.h.Sum(nil), c.want) {
		return n, errChunkChecksum
	}
	return n, err
}

// UploadStatus returns transfer id and how many of its bytes the server
// holds, for its sender (tus HEAD). A finished upload reports its whole
// size; a rejected one its error; a recalled or abandoned one why it ended.
func (s *Service) UploadStatus(ctx context.Context, sender *ferry.Account, id string) (*ferry.Transfer, int64, error) {
	t, err := s.meta.Transfer(ctx, id)
	if err != nil {
		return nil, 0, err
	}
	if t.SenderID != sender.ID {
		return nil, 0, ferry.E(ferry.CodeNotFound)
	}
	switch {
	case t.State == ferry.StateUploading:
		n, err := s.blobs.UploadSize(ctx, id)
		return t, n, err
	case t.State == ferry.StateInspecting || t.State.Delivered():
		return t, t.Size, nil
	case t.State == ferry.StateRejected && t.Error != nil:
		return t, 0, t.Error
	}
	return t, 0, stateError(t)
}
