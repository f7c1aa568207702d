package transfer

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"math/rand/v2"
	"path/filepath"
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
func newHashService(t *testing.T) (*Service, *readBacks, *ferry.MetaStore, *ferry.Account) {
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
	s := New(Options{Meta: meta, Blobs: blobs, Policy: func() *policy.Policy { return p }, Config: Config{VerdictWait: -1}})
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
			got.UploadHash = []byte{hashStateVersion, 0, 0, 0, 0, 0, 0, 0, 1}
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
