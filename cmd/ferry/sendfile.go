package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/ferryhq/ferry"
	"github.com/ferryhq/ferry/httpapi/client"
	"github.com/ferryhq/ferry/httpapi/wire"
)

// sendFile sends one file: hash, resume or create (with an instant
// proof when the server asks), upload, and the transfer's state after.
func (a *app) sendFile(ctx context.Context, c *client.Client, s *session, o *sendOptions, file string) (*sendResult, error) {
	res := &sendResult{File: file, Name: filepath.Base(file)}
	abs, err := filepath.Abs(file)
	if err != nil {
		return res, err
	}
	f, err := os.Open(abs)
	if err != nil {
		return res, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return res, err
	}
	if !fi.Mode().IsRegular() {
		return res, fmt.Errorf("%s is not a regular file", file)
	}
	res.Size = fi.Size()
	key := &uploadEntry{Server: s.Server, Path: abs, Size: fi.Size(), ModTime: fi.ModTime(), To: o.to}
	if err := a.precheckSend(ctx, c, key); err != nil {
		return res, err
	}
	sum, err := a.hashFile(ctx, f, fi.Size(), "hashing  "+res.Name, o.quiet)
	if err != nil {
		return res, err
	}
	key.SHA256 = sum
	up, instant, err := a.startUpload(ctx, c, key, f, res)
	if err != nil || instant != nil {
		res.Instant = instant != nil
		return res, finish(res, instant, err)
	}
	if err := a.uploadFile(ctx, c, up, f, o, res); err != nil {
		return res, err
	}
	t, err := a.verdict(ctx, c, up.ID, o.quiet)
	return res, finish(res, t, err)
}

// precheckSend asks the server whether a new transfer of the file would be
// accepted before the file is hashed, which takes seconds for gigabytes:
// a file over a limit is refused at once. An upload of the file that can
// be resumed is not asked about (it holds its reservation already), and a
// server without pre-checks is not either.
func (a *app) precheckSend(ctx context.Context, c *client.Client, key *uploadEntry) error {
	s, _, err := a.loadUploads()
	if err != nil {
		return err
	}
	for i := range s.Uploads {
		if e := s.Uploads[i]; e.Server == key.Server && e.Path == key.Path && e.Size == key.Size &&
			e.ModTime.Equal(key.ModTime) && slices.Equal(e.To, key.To) {
			return nil
		}
	}
	pc, err := c.Precheck(ctx, wire.CreateTransferRequest{To: key.To, Name: filepath.Base(key.Path), Size: key.Size})
	if we := wireError(err); we != nil && (we.Code == ferry.CodeNotFound || we.Code == ferry.CodeMethodNotAllowed) {
		return nil // a server older than pre-checks: the create will say
	}
	if err != nil {
		return err
	}
	if pc.Error != nil {
		return pc.Error
	}
	return nil
}

// verdict waits until the server has committed and inspected a finished
// upload, and returns the transfer with its verdict.
func (a *app) verdict(ctx context.Context, c *client.Client, id string, quiet bool) (*wire.Transfer, error) {
	t, err := c.Transfer(ctx, id)
	for told := false; err == nil && t.State == ferry.StateInspecting; {
		if !told && !quiet {
			fmt.Fprintf(a.stderr, "%s: inspecting…\n", t.Name)
			told = true
		}
		t, err = c.WaitTransfer(ctx, id, time.Minute)
	}
	return t, err
}

// finish records the transfer's state in res; a rejection is the error.
func finish(res *sendResult, t *wire.Transfer, err error) error {
	if err != nil || t == nil {
		return err
	}
	res.ID, res.State = t.ID, string(t.State)
	if t.State == ferry.StateRejected && t.Error != nil {
		return t.Error
	}
	return nil
}

// startUpload resumes the unfinished upload of key, or creates the
// transfer. It returns the transfer instead when it completed instantly.
func (a *app) startUpload(ctx context.Context, c *client.Client, key *uploadEntry, f *os.File, res *sendResult) (*uploadEntry, *wire.Transfer, error) {
	if up, err := a.resumable(ctx, c, key); err != nil || up != nil {
		res.Resumed = up != nil
		return up, nil, err
	}
	created, err := c.CreateTransfer(ctx, wire.CreateTransferRequest{To: key.To, Name: filepath.Base(key.Path), Size: key.Size, SHA256: key.SHA256})
	if err != nil {
		return nil, nil, err
	}
	up := *key
	up.ID, up.UploadURL, up.StartedAt = created.ID, created.UploadURL, time.Now().UTC()
	if up.ID == "" {
		up.ID = created.Transfer.ID
	}
	if created.Challenge != nil {
		proof, err := client.Proof(f, created.Challenge)
		if err != nil {
			return nil, nil, err
		}
		pr, err := c.Prove(ctx, up.ID, proof)
		if err != nil {
			return nil, nil, err
		}
		if pr.Instant {
			return nil, &pr.Transfer, nil
		}
		if pr.UploadURL != "" {
			up.UploadURL = pr.UploadURL
		}
	}
	if up.UploadURL == "" {
		return nil, nil, errors.New("the server gave no upload URL")
	}
	// Remember it before the first byte, so that an interruption resumes.
	return &up, nil, a.rememberUpload(up)
}

// resumable returns the remembered upload of key when the server still
// has it; one the server no longer knows is forgotten.
func (a *app) resumable(ctx context.Context, c *client.Client, key *uploadEntry) (*uploadEntry, error) {
	up, err := a.findUpload(key)
	if err != nil || up == nil {
		return nil, err
	}
	if _, err := c.UploadStatus(ctx, up.UploadURL); err != nil {
		if we := wireError(err); we != nil && (we.Status == 404 || we.Status == 410) {
			return nil, a.forgetUpload(key)
		}
		return nil, err
	}
	return up, nil
}

// uploadFile sends the bytes; the upload is forgotten when it completed
// or can never complete, and kept for a resume otherwise.
func (a *app) uploadFile(ctx context.Context, c *client.Client, up *uploadEntry, f *os.File, o *sendOptions, res *sendResult) error {
	res.ID = up.ID
	bar := a.newProgress(up.Size, "sending  "+res.Name, o.quiet)
	err := c.Upload(ctx, up.UploadURL, f, up.Size, client.UploadOptions{ChunkSize: int64(o.chunk), Progress: bar.set})
	bar.done(err == nil)
	if err == nil || final(err) {
		if ferr := a.forgetUpload(up); err == nil {
			err = ferr
		}
		return err
	}
	return withHint(err, "the upload is kept: run the same command again to resume it")
}

// final reports whether err ends an upload for good: the file was
// rejected, or the upload or its transfer is gone.
func final(err error) bool {
	we := wireError(err)
	if we == nil {
		return false
	}
	switch we.Code / 1000 {
	case 1, 5, 6:
		return we.Code != ferry.CodeChunkChecksumMismatch && we.Code != ferry.CodeScanUnavailable
	}
	switch we.Code {
	case ferry.CodeUploadStalled, ferry.CodeNotFound, ferry.CodeTransferExpired, ferry.CodeTransferGone, ferry.CodeStateConflict:
		return true
	}
	return false
}

func wireError(err error) *wire.Error { return client.AsError(err) }
