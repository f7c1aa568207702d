package local

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/ferryhq/ferry/blob/internal/key"
)

// batch is how many folder entries a listing reads at a time, so that a
// folder of many uploads is never held in memory whole.
const batch = 256

// Blobs calls fn for every blob with its modification time, walking the
// fan-out folders in no particular order. Names that are not a blob's (stray
// files, a SHA-256 in the wrong folder) are skipped. It stops at the first
// error of fn and returns it unchanged.
func (s *Store) Blobs(ctx context.Context, fn func(sha256 string, modTime time.Time) error) error {
	const op = "blob/local: list blobs"
	return eachEntry(ctx, op, s.blobs, true, func(a fs.DirEntry) error {
		if !a.IsDir() || !key.ValidHex(a.Name(), 2) {
			return nil
		}
		dirA := filepath.Join(s.blobs, a.Name())
		return eachEntry(ctx, op, dirA, false, func(b fs.DirEntry) error {
			if !b.IsDir() || !key.ValidHex(b.Name(), 2) {
				return nil
			}
			prefix := a.Name() + b.Name()
			return eachEntry(ctx, op, filepath.Join(dirA, b.Name()), false, func(e fs.DirEntry) error {
				name := e.Name()
				if !key.ValidSHA(name) || name[:4] != prefix {
					return nil
				}
				return visit(op, e, fn)
			})
		})
	})
}

// Uploads calls fn for every staged upload with its modification time.
// Names that are not upload IDs are skipped. It stops at the first error of
// fn and returns it unchanged.
func (s *Store) Uploads(ctx context.Context, fn func(id string, modTime time.Time) error) error {
	const op = "blob/local: list uploads"
	return eachEntry(ctx, op, s.uploads, true, func(e fs.DirEntry) error {
		if !key.ValidID(e.Name()) {
			return nil
		}
		return visit(op, e, fn)
	})
}

// visit calls fn for a regular file e. A file removed since its folder was
// read is skipped.
func visit(op string, e fs.DirEntry, fn func(string, time.Time) error) error {
	if !e.Type().IsRegular() {
		return nil
	}
	info, err := e.Info()
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return unavailable(op, err)
	}
	return fn(e.Name(), info.ModTime())
}

// eachEntry calls fn for the entries of folder dir, a batch at a time,
// until fn fails or ctx is done. A missing folder is an error when it must
// exist, and empty otherwise (Delete may have just tidied it away).
func eachEntry(ctx context.Context, op, dir string, must bool, fn func(fs.DirEntry) error) error {
	d, err := os.Open(dir)
	if errors.Is(err, fs.ErrNotExist) && !must {
		return nil
	}
	if err != nil {
		return unavailable(op, err)
	}
	defer d.Close()
	for {
		entries, err := d.ReadDir(batch)
		for _, e := range entries {
			if cerr := ctx.Err(); cerr != nil {
				return cerr
			}
			if ferr := fn(e); ferr != nil {
				return ferr
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return unavailable(op, err)
		}
	}
}
