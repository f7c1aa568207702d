package local

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/ferryhq/ferry/blob/internal/key"
)

// commitTries bounds how often Commit recreates a fan-out folder that a
// concurrent Delete tidied away between its mkdir and its rename.
const commitTries = 3

// UploadSize returns how many bytes upload id holds; 0 for an unknown id.
func (s *Store) UploadSize(ctx context.Context, id string) (int64, error) {
	const op = "blob/local: upload size"
	if err := key.CheckID(op, id); err != nil {
		return 0, err
	}
	fi, err := os.Stat(s.uploadPath(id))
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, unavailable(op, err)
	}
	return fi.Size(), nil
}

// OpenUpload returns upload id, an *os.File, read from its first byte.
func (s *Store) OpenUpload(ctx context.Context, id string) (io.ReadCloser, error) {
	const op = "blob/local: open upload"
	if err := key.CheckID(op, id); err != nil {
		return nil, err
	}
	f, err := os.Open(s.uploadPath(id))
	if err != nil {
		return nil, ioError(op, err)
	}
	return f, nil
}

// DeleteUpload removes upload id; an unknown id is not an error.
func (s *Store) DeleteUpload(ctx context.Context, id string) error {
	const op = "blob/local: delete upload"
	if err := key.CheckID(op, id); err != nil {
		return err
	}
	if err := os.Remove(s.uploadPath(id)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return unavailable(op, err)
	}
	return nil
}

// Commit makes upload id the blob sum: it fsyncs the upload, renames it into
// the blob tree and fsyncs the folders it changed. When the blob exists
// already the upload is removed instead. The hash is not checked again.
func (s *Store) Commit(ctx context.Context, id, sum string) error {
	const op = "blob/local: commit"
	if err := key.CheckID(op, id); err != nil {
		return err
	}
	if err := key.CheckSHA(op, sum); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	src, dst := s.uploadPath(id), s.blobPath(sum)
	switch _, err := os.Lstat(dst); {
	case err == nil: // stored once already
		if err := os.Remove(src); err != nil {
			return ioError(op, err)
		}
		return nil
	case !errors.Is(err, fs.ErrNotExist):
		return unavailable(op, err)
	}
	if err := syncFile(src); err != nil {
		return ioError(op, err)
	}
	if err := s.place(src, dst); err != nil {
		return ioError(op, err)
	}
	// The new entry, and the fan-out folders in case they are new too (or
	// a concurrent Commit made them and has not synced them yet).
	leaf := filepath.Dir(dst)
	for _, dir := range []string{leaf, filepath.Dir(leaf), s.blobs} {
		if err := syncDir(dir); err != nil {
			return unavailable(op, err)
		}
	}
	return nil
}

// SyncUpload makes the bytes of upload id durable ahead of Commit, so that
// the wait for the disk can overlap with hashing them.
func (s *Store) SyncUpload(ctx context.Context, id string) error {
	const op = "blob/local: sync upload"
	if err := key.CheckID(op, id); err != nil {
		return err
	}
	if err := syncFile(s.uploadPath(id)); err != nil {
		return ioError(op, err)
	}
	return nil
}

// place renames src to dst, making dst's folders. A missing src is
// fs.ErrNotExist.
func (s *Store) place(src, dst string) error {
	dir := filepath.Dir(dst)
	var err error
	for range commitTries {
		if err = os.MkdirAll(dir, dirMode); err != nil {
			return err
		}
		if err = os.Rename(src, dst); err == nil || !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		if _, serr := os.Lstat(src); serr != nil {
			return serr // the upload is gone
		}
		// The folder went away under us (Delete tidies): make it again.
	}
	return err
}

// syncFile fsyncs the file at path.
func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// Open returns the blob as an *os.File, so that net/http can send it with
// sendfile, and its size.
func (s *Store) Open(ctx context.Context, sum string) (io.ReadSeekCloser, int64, error) {
	const op = "blob/local: open"
	if err := key.CheckSHA(op, sum); err != nil {
		return nil, 0, err
	}
	f, err := os.Open(s.blobPath(sum))
	if err != nil {
		return nil, 0, ioError(op, err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, unavailable(op, err)
	}
	return f, fi.Size(), nil
}

// Delete removes a blob; an unknown one is not an error. It then removes
// the blob's fan-out folders if they are empty, as far as it can.
func (s *Store) Delete(ctx context.Context, sum string) error {
	const op = "blob/local: delete"
	if err := key.CheckSHA(op, sum); err != nil {
		return err
	}
	path := s.blobPath(sum)
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return unavailable(op, err)
	}
	// Best effort: a folder that still holds blobs refuses to go.
	leaf := filepath.Dir(path)
	if os.Remove(leaf) == nil {
		_ = os.Remove(filepath.Dir(leaf))
	}
	return nil
}
