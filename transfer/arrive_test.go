package transfer

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"io"
	"math/rand/v2"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ferryhq/ferry"
	"github.com/ferryhq/ferry/blob/local"
	"github.com/ferryhq/ferry/meta/sqlite"
	"github.com/ferryhq/ferry/policy"
)

// readBacks counts how often the staged upload is read from its start.
type readBacks struct {
	ferry.BlobStore
	n atomic.Int32
}

func (r *readBacks) OpenUpload(ctx context.Context, id string) (io.ReadCloser, error) {
	r.n.Add(1)
	return r.BlobStore.OpenUpload(ctx, id)
}

// newHashService is a Service on a real SQLite file and folder, with a
// sender and a recipient.
func newHashService(t *testing.T, inspectors ...ferry.Inspector) (*Service, *readBacks, *ferry.MetaStore, *ferry.Account) {
	return newServiceAt(t, nil, inspectors...)
}

// stepClock is a clock that tests move.
type stepClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *stepClock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *stepClock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// newServiceAt is newHashService on clock clk (nil: the wall clock).
func newServiceAt(t *testing.T, clk ferry.Clock, inspectors ...ferry.Inspector) (*Service, *readBacks, *ferry.MetaStore, *ferry.Account) {
	return newServiceWith(t, Config{VerdictWait: -1}, clk, inspectors...)
}

// newServiceWith is newServiceAt with configuration c.
func newServiceWith(t *testing.T, c Config, clk ferry.Clock, inspectors ...ferry.Inspector) (*Service, *readBacks, *ferry.MetaStore, *ferry.Account) {
	t.Helper()
	dir := t.TempDir()
	meta, err := sqlite.Open(filepath.Join(dir, "ferry.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { meta.Close() })
	ls, err := local.Open(filepath.Join(dir, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	blobs := &readBacks{BlobStore: ls}
	var accts []*ferry.Account
	for _, name := range []string{"alice", "bob"} {
		a := &ferry.Account{Username: name, Tier: ferry.TierFree, PasswordHash: "x"}
		if err := meta.CreateAccount(t.Context(), a); err != nil {
			t.Fatal(err)
		}
		accts = append(accts, a)
	}
	p := policy.Default()
	if err := p.Complete(); err != nil {
		t.Fatal(err)
	}
	s := New(Options{Meta: meta, Blobs: blobs, Policy: func() *policy.Policy { return p }, Config: c,
		Inspectors: inspectors, Clock: clk})
	var ms ferry.MetaStore = meta
	return s, blobs, &ms, accts[0]
}

// tornReader gives its bytes, then fails.
type tornReader struct {
	r   io.Reader
	err error
}

func (t *tornReader) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	if err == io.EOF {
		return n, t.err
	}
	return n, err
}

// An upload is hashed as it arrives, over requests that break off, a
// chunk discarded by its checksum and a resume: its SHA-256 is right and
// the stage is never read back to hash it. When the state is lost, the
// stage is read back once, and the hash is still right.
func TestUploadIsHashedAsItArrives(t *testing.T) {
	for _, lose := range []bool{false, true} {
		s, blobs, meta, alice := newHashService(t)
		ctx := context.Background()
		data := make([]byte, 3<<20+77)
		rand.NewChaCha8([32]byte{1}).Read(data)
		want := sha256.Sum256(data)
		tr, err := s.Create(ctx, alice, CreateRequest{To: []string{"bob"}, Name: "disk.iso", Size: int64(len(data)), SHA256: hex.EncodeToString(want[:])})
		if err != nil {
			t.Fatal(err)
		}
		write := func(off, end int, body io.Reader, sum *Checksum) error {
			_, err := s.Write(ctx, alice, tr.ID, Chunk{Offset: int64(off), Length: int64(end - off), Body: body, Checksum: sum})
			return err
		}
		// 1 MiB, broken off after its bytes arrived.
		if err := write(0, 1<<20, &tornReader{bytes.NewReader(data[:1<<20]), errors.New("connection reset")}, nil); ferry.ErrorCode(err) != ferry.CodeUploadInterrupted {
			t.Fatalf("torn chunk: %v", err)
		}
		// A chunk whose checksum is wrong: discarded.
		bad := &Checksum{Algorithm: "sha1", Digest: make([]byte, 20)}
		if err := write(1<<20, 2<<20, bytes.NewReader(data[1<<20:2<<20]), bad); ferry.ErrorCode(err) != ferry.CodeChunkChecksumMismatch {
			t.Fatalf("bad checksum: %v", err)
		}
		if lose { // a state that does not match the stage is not used
			got, _ := (*meta).Transfer(ctx, tr.ID)
			got.UploadState = []byte{uploadStateFormat, 0, 0, 0, 0, 0, 0, 0, 1}
			if err := (*meta).UpdateTransfer(ctx, got); err != nil {
				t.Fatal(err)
			}
		}
		if err := write(1<<20, len(data)-1000, bytes.NewReader(data[1<<20:len(data)-1000]), nil); err != nil {
			t.Fatalf("resume: %v", err)
		}
		if err := write(len(data)-1000, len(data), bytes.NewReader(data[len(data)-1000:]), nil); err != nil {
			t.Fatalf("last chunk: %v", err)
		}
		s.Wait()
		got, err := (*meta).Transfer(ctx, tr.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.State != ferry.StateAvailable || got.SHA256 != hex.EncodeToString(want[:]) {
			t.Errorf("lost state %v: %s %s, want available with the content's hash", lose, got.State, got.SHA256)
		}
		if wantReads := map[bool]int32{false: 0, true: 1}[lose]; blobs.n.Load() != wantReads {
			t.Errorf("lost state %v: the stage was read back %d times, want %d", lose, blobs.n.Load(), wantReads)
		}
	}
}

// While a node holds a transfer's settle lock, no other settles it: the
// last byte leaves it inspecting, and Resume passes it by; once the lock
// is free, Resume finishes it.
func TestSettleLockKeepsOneNodeAtATime(t *testing.T) {
	s, _, meta, alice := newHashService(t)
	ctx := context.Background()
	data := []byte("the quarterly figures\n")
	tr, err := s.Create(ctx, alice, CreateRequest{To: []string{"bob"}, Name: "figures.txt", Size: int64(len(data))})
	if err != nil {
		t.Fatal(err)
	}
	// Another node is settling it.
	_, release, err := s.locks.(TryLocker).TryLock(ctx, settleKey(tr.ID))
	if err != nil || release == nil {
		t.Fatalf("TryLock: %v", err)
	}
	got, err := s.Write(ctx, alice, tr.ID, Chunk{Offset: 0, Length: int64(len(data)), Body: bytes.NewReader(data)})
	if err != nil || got.State != ferry.StateInspecting {
		t.Fatalf("last chunk: %v %v", got.State, err)
	}
	s.Wait()
	if n, err := s.Resume(ctx, time.Now().Add(time.Hour)); err != nil || n != 0 {
		t.Fatalf("Resume while another holds the lock: %d %v", n, err)
	}
	if got, _ := (*meta).Transfer(ctx, tr.ID); got.State != ferry.StateInspecting {
		t.Fatalf("settled beside the lock's holder: %s", got.State)
	}
	release() // that node died
	if n, err := s.Resume(ctx, time.Now().Add(time.Hour)); err != nil || n != 1 {
		t.Fatalf("Resume once the lock is free: %d %v", n, err)
	}
	if got, _ := (*meta).Transfer(ctx, tr.ID); got.State != ferry.StateAvailable {
		t.Fatalf("after Resume: %s", got.State)
	}
}

// countStreamer is a ferry.Streamer that passes everything and counts how
// often content is read whole (Inspect) rather than judged as it arrived.
type countStreamer struct {
	version   string
	notJudged bool
	off       bool          // the stream wants no bytes (not its kind of content)
	gate      chan struct{} // when set, the stream's first write waits for it
	inspects  atomic.Int32
}

func (c *countStreamer) Inspect(context.Context, *ferry.File) error { c.inspects.Add(1); return nil }
func (c *countStreamer) Version() string                            { return c.version }
func (c *countStreamer) Stream(state []byte) ferry.Stream {
	st := &countStream{c: c, version: c.version}
	if state != nil {
		if len(state) != 8 {
			return nil
		}
		st.n = int64(binary.BigEndian.Uint64(state))
	}
	return st
}

type countStream struct {
	c       *countStreamer
	version string
	n       int64
}

func (s *countStream) Version() string { return s.version }
func (s *countStream) Write(p []byte) error {
	if s.c.off {
		return ferry.ErrNotJudged
	}
	if s.c.gate != nil {
		<-s.c.gate
	}
	s.n += int64(len(p))
	return nil
}
func (s *countStream) State() ([]byte, error) {
	return binary.BigEndian.AppendUint64(nil, uint64(s.n)), nil
}
func (s *countStream) Close() error {
	if s.c.notJudged {
		return ferry.ErrNotJudged
	}
	return nil
}

// Content judged whole as it arrived, over several requests, is not read
// again by that inspector; it is when the stream could not judge it, when
// its state was lost, or when the rules changed between two requests.
func TestStreamedVerdictSparesTheReadBack(t *testing.T) {
	for _, c := range []struct {
		name      string
		between   func(s *countStreamer, meta ferry.MetaStore, id string)
		notJudged bool
		want      int32
	}{
		{"judged as it arrived", nil, false, 0},
		{"not judged", nil, true, 1},
		{"not its content", func(s *countStreamer, _ ferry.MetaStore, _ string) {}, false, 1},
		{"state lost", func(_ *countStreamer, meta ferry.MetaStore, id string) {
			tr, _ := meta.Transfer(context.Background(), id)
			tr.UploadState = nil
			meta.UpdateTransfer(context.Background(), tr)
		}, false, 1},
		{"rules changed", func(s *countStreamer, _ ferry.MetaStore, _ string) { s.version = "v2" }, false, 1},
	} {
		cs := &countStreamer{version: "v1", notJudged: c.notJudged, off: c.name == "not its content"}
		s, _, meta, alice := newHashService(t, cs)
		ctx := context.Background()
		data := bytes.Repeat([]byte("plain text, nothing to see\n"), 1000)
		tr, err := s.Create(ctx, alice, CreateRequest{To: []string{"bob"}, Name: "notes.txt", Size: int64(len(data))})
		if err != nil {
			t.Fatal(err)
		}
		half := len(data) / 2
		if _, err := s.Write(ctx, alice, tr.ID, Chunk{Offset: 0, Length: int64(half), Body: bytes.NewReader(data[:half])}); err != nil {
			t.Fatal(err)
		}
		if c.between != nil {
			c.between(cs, *meta, tr.ID)
		}
		if _, err := s.Write(ctx, alice, tr.ID, Chunk{Offset: int64(half), Length: int64(len(data) - half), Body: bytes.NewReader(data[half:])}); err != nil {
			t.Fatal(err)
		}
		s.Wait()
		got, _ := (*meta).Transfer(ctx, tr.ID)
		if got.State != ferry.StateAvailable || got.UploadState != nil {
			t.Errorf("%s: %s, state %x; want available, nothing saved", c.name, got.State, got.UploadState)
		}
		if n := cs.inspects.Load(); n != c.want {
			t.Errorf("%s: the content was read whole %d times, want %d", c.name, n, c.want)
		}
	}
}

// eofGate closes gate when it gives its last bytes (with io.EOF), so that
// a stream whose writes wait for gate is behind until the request's body
// has been read whole.
type eofGate struct {
	r    *bytes.Reader
	gate chan struct{}
	once sync.Once
}

func (g *eofGate) Read(p []byte) (int, error) {
	n, err := g.r.Read(p)
	if g.r.Len() == 0 {
		g.once.Do(func() { close(g.gate) })
		return n, io.EOF
	}
	return n, err
}

// A stream that cannot keep up with a request is left behind, which does
// not hold the request back: the content is read whole after its last
// byte instead.
func TestSlowStreamIsLeftBehind(t *testing.T) {
	cs := &countStreamer{version: "v1", gate: make(chan struct{})}
	s, _, meta, alice := newHashService(t, cs)
	ctx := context.Background()
	data := bytes.Repeat([]byte("plain text, nothing to see\n"), 120_000) // 3 MiB and more: more than the buffers
	tr, err := s.Create(ctx, alice, CreateRequest{To: []string{"bob"}, Name: "notes.txt", Size: int64(len(data))})
	if err != nil {
		t.Fatal(err)
	}
	body := &eofGate{r: bytes.NewReader(data), gate: cs.gate}
	if _, err := s.Write(ctx, alice, tr.ID, Chunk{Offset: 0, Length: int64(len(data)), Body: body}); err != nil {
		t.Fatal(err)
	}
	s.Wait()
	if got, _ := (*meta).Transfer(ctx, tr.ID); got.State != ferry.StateAvailable {
		t.Errorf("%s, want available", got.State)
	}
	if n := cs.inspects.Load(); n != 1 {
		t.Errorf("the content was read whole %d times, want once", n)
	}
}

// An upload a request is writing right now is not abandoned, however long
// that one request streams; once it lets go, the sweeper abandons it.
func TestSweeperLeavesAnUploadBeingWritten(t *testing.T) {
	clk := &stepClock{t: time.Now()}
	s, _, meta, alice := newServiceAt(t, clk)
	ctx := context.Background()
	tr, err := s.Create(ctx, alice, CreateRequest{To: []string{"bob"}, Name: "notes.txt", Size: 100})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Write(ctx, alice, tr.ID, Chunk{Offset: 0, Length: 10, Body: bytes.NewReader(make([]byte, 10))}); err != nil {
		t.Fatal(err)
	}
	_, release, err := s.locks.Lock(ctx, tr.ID, nil) // a request streams on
	if err != nil {
		t.Fatal(err)
	}
	clk.Add(48 * time.Hour)
	if rep, err := s.Sweep(ctx); err != nil || rep.Abandoned != 0 {
		t.Fatalf("sweep while it is written: %+v %v", rep, err)
	}
	if got, _ := (*meta).Transfer(ctx, tr.ID); got.State != ferry.StateUploading {
		t.Fatalf("abandoned while it was written: %s", got.State)
	}
	release()
	if rep, err := s.Sweep(ctx); err != nil || rep.Abandoned != 1 {
		t.Fatalf("sweep once it is let go: %+v %v", rep, err)
	}
}

// With HashAfter, nothing is hashed beside the write: the upload is read
// back once after its last byte, and its hash is right.
func TestHashAfterReadsBackOnce(t *testing.T) {
	s, blobs, meta, alice := newServiceWith(t, Config{VerdictWait: -1, HashAfter: true}, nil)
	ctx := context.Background()
	data := bytes.Repeat([]byte{1, 2, 3, 4, 5}, 300_000)
	want := sha256.Sum256(data)
	tr, err := s.Create(ctx, alice, CreateRequest{To: []string{"bob"}, Name: "disk.iso", Size: int64(len(data)), SHA256: hex.EncodeToString(want[:])})
	if err != nil {
		t.Fatal(err)
	}
	for _, part := range [][2]int{{0, 1 << 20}, {1 << 20, len(data)}} {
		if _, err := s.Write(ctx, alice, tr.ID, Chunk{Offset: int64(part[0]), Length: int64(part[1] - part[0]), Body: bytes.NewReader(data[part[0]:part[1]])}); err != nil {
			t.Fatal(err)
		}
	}
	s.Wait()
	got, _ := (*meta).Transfer(ctx, tr.ID)
	if got.State != ferry.StateAvailable || got.SHA256 != hex.EncodeToString(want[:]) || blobs.n.Load() != 1 {
		t.Errorf("%s %s, read back %d times; want available, the content's hash, once", got.State, got.SHA256, blobs.n.Load())
	}
}
