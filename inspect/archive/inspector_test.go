package archive

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ferryhq/ferry"
	"github.com/ferryhq/ferry/policy"
)

// fileOn is a ferry.File whose content is a real file, as local blobs are.
func fileOn(t *testing.T, name string, data []byte) *ferry.File {
	p := filepath.Join(t.TempDir(), "blob")
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return &ferry.File{Name: name, Size: int64(len(data)), Open: func(context.Context) (io.ReadSeekCloser, error) { return os.Open(p) }}
}

// streamOnly hides every method but Read, Seek and Close.
type streamOnly struct{ r *bytes.Reader }

func (s streamOnly) Read(p []byte) (int, error)                { return s.r.Read(p) }
func (s streamOnly) Seek(off int64, whence int) (int64, error) { return s.r.Seek(off, whence) }
func (s streamOnly) Close() error                              { return nil }

func fileStream(name string, data []byte) *ferry.File {
	return &ferry.File{Name: name, Size: int64(len(data)), Open: func(context.Context) (io.ReadSeekCloser, error) {
		return streamOnly{bytes.NewReader(data)}, nil
	}}
}

func TestInspector(t *testing.T) {
	secret := ferry.E(ferry.CodeSensitiveContent).With("category", "test")
	archive := zipOf(t, ent("a.txt", "harmless"), file{Name: "in.tar.gz", Body: gz(t, "", tarOf(t, ent("b.txt", "the word SECRET is here")))},
		file{Name: "big.bin", Body: randomBytes(3 << 20)})
	hook := func(seen *[]string) EntryFunc {
		return func(ctx context.Context, e *Entry, r io.Reader) error {
			*seen = append(*seen, e.Path)
			if r == nil {
				return nil
			}
			b, err := io.ReadAll(r)
			if err != nil {
				return err
			}
			if strings.Contains(string(b), "SECRET") {
				return secret.With("where", e.Path)
			}
			return nil
		}
	}
	for _, tc := range []struct {
		name string
		file *ferry.File
	}{
		{"on disk", fileOn(t, "x.zip", archive)},
		{"a stream", fileStream("x.zip", archive)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var seen []string
			in := &Inspector{Config: DefaultConfig(), Entry: hook(&seen)}
			err := in.Inspect(t.Context(), tc.file)
			fails(ferry.CodeSensitiveContent, "where", "x.zip/in.tar.gz/b.txt").check(t, err)
			if want := []string{"x.zip/a.txt", "x.zip/in.tar.gz", "x.zip/in.tar.gz/b.txt"}; strings.Join(seen, ",") != strings.Join(want, ",") {
				t.Fatalf("seen %q, want %q", seen, want)
			}
		})
	}
	t.Run("without a hook", func(t *testing.T) {
		in := &Inspector{Config: DefaultConfig()}
		pass().check(t, in.Inspect(t.Context(), fileOn(t, "x.zip", archive)))
		fails(ferry.CodeFileTypeBlocked).check(t, in.Inspect(t.Context(), fileOn(t, "x.zip", zipOf(t, ent("a.lnk", "L")))))
	})
	t.Run("not an archive", func(t *testing.T) {
		called := false
		in := &Inspector{Config: DefaultConfig(), Entry: func(context.Context, *Entry, io.Reader) error { called = true; return nil }}
		pass().check(t, in.Inspect(t.Context(), fileOn(t, "a.txt", []byte("just text"))))
		pass().check(t, in.Inspect(t.Context(), fileOn(t, "empty", nil)))
		if called {
			t.Fatal("hook called for a file that is not an archive")
		}
	})
	t.Run("timeout", func(t *testing.T) {
		c := DefaultConfig()
		c.Timeout = policy.Duration(time.Minute)
		// A clock that has moved on by an hour when the watch first looks:
		// past before the walk starts.
		start, calls := time.Now(), 0
		in := &Inspector{Config: c, now: func() time.Time {
			calls++
			return start.Add(time.Duration(calls-1) * time.Hour)
		}}
		err := in.Inspect(t.Context(), fileOn(t, "x.zip", archive))
		fails(ferry.CodeScanUnavailable).check(t, err)
		if fe, _ := coded(err); fe.Rule != RuleTimeout || !fe.Code.Info().Retryable {
			t.Fatalf("rule %q, retryable %v", fe.Rule, fe.Code.Info().Retryable)
		}
	})
	t.Run("in time", func(t *testing.T) {
		c := DefaultConfig()
		c.Timeout = policy.Duration(time.Minute)
		start := time.Now()
		in := &Inspector{Config: c, now: func() time.Time { return start }}
		pass().check(t, in.Inspect(t.Context(), fileOn(t, "x.zip", archive)))
	})
	t.Run("cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		in := &Inspector{Config: DefaultConfig()}
		err := in.Inspect(ctx, fileOn(t, "x.zip", archive))
		if !errors.Is(err, context.Canceled) || ferry.ErrorCode(err) != ferry.CodeInternal {
			t.Fatalf("err = %v, want the context's error (fail closed)", err)
		}
	})
	t.Run("invalid configuration", func(t *testing.T) {
		in := &Inspector{Config: Config{}}
		if err := in.Inspect(t.Context(), fileOn(t, "x.zip", archive)); err == nil || ferry.ErrorCode(err) != ferry.CodeInternal {
			t.Fatalf("err = %v, want a configuration error", err)
		}
	})
}

var _ ferry.Inspector = (*Inspector)(nil)

// The time a walk may take grows with what it unpacked.
func TestAllowance(t *testing.T) {
	for _, tc := range []struct {
		n    int64
		want time.Duration
	}{
		{0, 2 * time.Minute},
		{1 << 29, 3 * time.Minute},
		{1 << 30, 4 * time.Minute},
		{8 << 30, 18 * time.Minute},
	} {
		if got := allowance(2*time.Minute, tc.n); got != tc.want {
			t.Errorf("allowance(2m, %d) = %v, want %v", tc.n, got, tc.want)
		}
	}
}
