package clamd_test

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/ferryhq/ferry"
	"github.com/ferryhq/ferry/inspect/clamd"
	"github.com/ferryhq/ferry/inspect/clamd/clamdtest"
)

// file is content under inspection that counts how often it was opened.
type file struct {
	ferry.File
	opened int
}

func newFile(content []byte) *file {
	f := &file{File: ferry.File{Name: "report.pdf", Size: int64(len(content)), SHA256: "ab12"}}
	f.Open = func(context.Context) (io.ReadSeekCloser, error) {
		f.opened++
		return readSeekNopCloser{bytes.NewReader(content)}, nil
	}
	return f
}

type readSeekNopCloser struct{ io.ReadSeeker }

func (readSeekNopCloser) Close() error { return nil }

func newInspector(t *testing.T, cfg clamd.Config, log *slog.Logger) *clamd.Inspector {
	t.Helper()
	return clamd.NewInspector(newClient(t, cfg), log)
}

// wantError checks that err is an *ferry.Error with the code, rule and
// details given, and returns it.
func wantError(t *testing.T, what string, err error, code ferry.Code, rule string, details map[string]any) *ferry.Error {
	t.Helper()
	var fe *ferry.Error
	if !errors.As(err, &fe) || fe.Code != code || fe.Rule != rule {
		t.Fatalf("%s: got %v; want %d %s with rule %s", what, err, code, code.Name(), rule)
	}
	for k, v := range details {
		if fe.Details[k] != v {
			t.Errorf("%s: detail %s is %v, want %v (details %v)", what, k, fe.Details[k], v, fe.Details)
		}
	}
	return fe
}

func TestInspectVerdicts(t *testing.T) {
	srv := clamdtest.StartWith(t, clamdtest.Options{MaxFileSize: 256 << 10, MaxScanSize: 256 << 10})
	in := newInspector(t, clamd.Config{Address: srv.Address}, nil)
	ctx := context.Background()

	if err := in.Inspect(ctx, &newFile(clean(100<<10)).File); err != nil {
		t.Errorf("clean file: %v", err)
	}

	err := in.Inspect(ctx, &newFile(clamdtest.EICAR()).File)
	fe := wantError(t, "EICAR", err, ferry.CodeMalwareDetected, "inspect.clamd", map[string]any{"signature": clamdtest.Signature})
	if fe.RetryAfter != 0 {
		t.Errorf("EICAR: retry after %v; a detection is final", fe.RetryAfter)
	}
	if msg, _ := fe.Message(ferry.English); !strings.Contains(msg, clamdtest.Signature) {
		t.Errorf("EICAR: the message %q does not name the signature", msg)
	}

	err = in.Inspect(ctx, &newFile(encryptedZip(t)).File)
	wantError(t, "encrypted zip", err, ferry.CodeArchiveEncrypted, "inspect.clamd", map[string]any{"signature": "Heuristics.Encrypted.Zip"})

	// 4 MiB of zeros packs into a few KiB; unpacked it is over clamd's
	// MaxScanSize (256 KiB here), which AlertExceedsMax reports.
	err = in.Inspect(ctx, &newFile(zipOf(t, make([]byte, 4<<20))).File)
	wantError(t, "zip over MaxScanSize", err, ferry.CodeArchiveLimit, "inspect.clamd",
		map[string]any{"signature": "Heuristics.Limits.Exceeded.MaxScanSize", "limit_name": "MaxScanSize"})

	// EICAR past clamd's limits inside an archive member: clamd cannot
	// see it, and says so. (With MaxFileSize below MaxScanSize, as in
	// clamd's defaults, ClamAV 1.4 skips such a member without an alert
	// and answers OK: hence ferry's advice to set them equal.)
	err = in.Inspect(ctx, &newFile(zipOf(t, append(clean(1<<20), clamdtest.EICAR()...))).File)
	wantError(t, "EICAR deep in a large member", err, ferry.CodeArchiveLimit, "inspect.clamd", nil)

	// A file over clamd's MaxFileSize, which ferry's max_size (100 MiB
	// here) should not exceed: clamd could not scan it.
	err = in.Inspect(ctx, &newFile(clean(300<<10)).File)
	fe = wantError(t, "file over MaxFileSize", err, ferry.CodeScanUnavailable, "inspect.clamd",
		map[string]any{"signature": "Heuristics.Limits.Exceeded.MaxFileSize"})
	if fe.RetryAfter != clamd.RetryAfter || fe.Err == nil {
		t.Errorf("file over MaxFileSize: retry after %v, cause %v", fe.RetryAfter, fe.Err)
	}
}

// encryptedZip returns a zip whose one entry is marked encrypted
// (traditional PKWARE encryption), as `zip -P` writes; clamd does not need
// real ciphertext to report it.
func encryptedZip(t *testing.T) []byte {
	var b bytes.Buffer
	z := zip.NewWriter(&b)
	w, err := z.CreateHeader(&zip.FileHeader{Name: "secret.txt", Method: zip.Store, Flags: 0x1})
	if err != nil {
		t.Fatal(err)
	}
	w.Write(clean(100)) // a 12-byte encryption header and the "ciphertext"
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func zipOf(t *testing.T, content []byte) []byte {
	var b bytes.Buffer
	z := zip.NewWriter(&b)
	w, err := z.Create("inner.bin")
	if err == nil {
		_, err = w.Write(content)
	}
	if err == nil {
		err = z.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// Every way clamd can fail is 5005, retryable, with the cause for logs
// only: the file is not delivered.
func TestInspectFailsClosed(t *testing.T) {
	srv := clamdtest.Start(t)
	stopped := clamdtest.Start(t)
	stopped.Stop()
	cut := fakeClamd(t, func(_ context.Context, c net.Conn) { io.CopyN(io.Discard, c, 64<<10) })
	silent := fakeClamd(t, func(_ context.Context, c net.Conn) { readStream(c); io.Copy(io.Discard, c) })
	failing := newFile(nil)
	failing.Open = func(context.Context) (io.ReadSeekCloser, error) {
		return nil, ferry.E(ferry.CodeStorageUnavailable).WithErr(errors.New("disk on fire"))
	}
	short, long := newFile(clean(1000)), newFile(clean(1000))
	short.Size, long.Size = 1001, 999
	for _, tc := range []struct {
		name string
		cfg  clamd.Config
		f    *file
	}{
		{"clamd stopped (tcp)", clamd.Config{Address: stopped.Address}, newFile(clamdtest.EICAR())},
		{"clamd stopped (unix)", clamd.Config{Address: stopped.UnixAddress}, newFile(clean(10))},
		{"over StreamMaxLength", clamd.Config{Address: clamdtest.StartWith(t, clamdtest.Options{StreamMaxLength: 64 << 10}).Address}, newFile(clean(1 << 20))},
		{"cut mid-stream", clamd.Config{Address: cut}, newFile(clean(32 << 20))},
		{"no answer", clamd.Config{Address: silent, Timeout: 300 * time.Millisecond}, newFile(clean(10))},
		{"content cannot be read", clamd.Config{Address: srv.Address}, failing},
		{"content shorter than the file", clamd.Config{Address: srv.Address}, short},
		{"content longer than the file", clamd.Config{Address: srv.Address}, long},
	} {
		err := newInspector(t, tc.cfg, nil).Inspect(context.Background(), &tc.f.File)
		fe := wantError(t, tc.name, err, ferry.CodeScanUnavailable, "inspect.clamd", nil)
		if fe.RetryAfter != clamd.RetryAfter || fe.Err == nil || len(fe.Details) != 0 {
			t.Errorf("%s: retry after %v, cause %v, details %v; want %v, a cause, no details", tc.name, fe.RetryAfter, fe.Err, fe.Details, clamd.RetryAfter)
		}
		if rec := string(ferry.EncodeError(fe)); strings.Contains(rec, "127.0.0.1") || strings.Contains(rec, "fire") {
			t.Errorf("%s: the stored error %s shows the cause", tc.name, rec)
		}
	}
}

func TestInspectOversize(t *testing.T) {
	srv := clamdtest.Start(t)
	big := newFile(append(clean(64<<10), clamdtest.EICAR()...))

	err := newInspector(t, clamd.Config{Address: srv.Address, MaxSize: 64 << 10}, nil).Inspect(context.Background(), &big.File)
	fe := wantError(t, "oversize: reject", err, ferry.CodeScanUnavailable, "inspect.clamd.max_size",
		map[string]any{"limit": ferry.Bytes(64 << 10), "actual": ferry.Bytes(64<<10 + 68)})
	if fe.RetryAfter != 0 || big.opened != 0 {
		t.Errorf("oversize: reject: retry after %v, opened %d times; want no retry, not opened", fe.RetryAfter, big.opened)
	}

	var log bytes.Buffer
	in := newInspector(t, clamd.Config{Address: srv.Address, MaxSize: 64 << 10, Oversize: "skip"}, slog.New(slog.NewTextHandler(&log, nil)))
	if err := in.Inspect(context.Background(), &big.File); err != nil || big.opened != 0 {
		t.Errorf("oversize: skip: %v, opened %d times; want nil, not opened", err, big.opened)
	}
	if !strings.Contains(log.String(), "without a malware scan") || !strings.Contains(log.String(), "sha256=ab12") {
		t.Errorf("oversize: skip logged %q", log.String())
	}
	// At the limit the file is scanned.
	at := newFile(append(clean(64<<10-68), clamdtest.EICAR()...))
	err = in.Inspect(context.Background(), &at.File)
	wantError(t, "at max_size", err, ferry.CodeMalwareDetected, "inspect.clamd", map[string]any{"signature": clamdtest.Signature})
}
