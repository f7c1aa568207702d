package e2e

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"

	"github.com/ferryhq/ferry"
	"github.com/ferryhq/ferry/blob/s3"
)

// What no record knows — an upload staged in the bucket and a blob stored
// by a node that died before it recorded them — is swept from the bucket
// by a node; an upload in progress that a record knows stays.
func TestClusterSweeperRemovesOrphans(t *testing.T) {
	c := newCluster(t, "")
	a := startNodes(t, c, "A")[0]
	alice := a.user("alice", ferry.TierFree)
	a.user("bob", ferry.TierFree)
	live := a.create(alice, []string{"bob"}, "disk.iso", 8<<20, "")
	if r := a.patch(alice, live.UploadURL, 0, randomBytes(t, 6<<20), nil); r.StatusCode != 204 {
		t.Fatalf("PATCH: %d %s", r.StatusCode, r.body)
	}

	// Behind the nodes' backs, as a node that died would have left them.
	st, err := s3.Open(t.Context(), c.s3.Config(t, c.bucket))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Append(t.Context(), "orphan-upload", 0, bytes.NewReader(randomBytes(t, 6<<20))); err != nil {
		t.Fatal(err)
	}
	blob := randomBytes(t, 1<<20)
	sum := sha256.Sum256(blob)
	if _, err := st.Append(t.Context(), "orphan-blob", 0, bytes.NewReader(blob)); err != nil {
		t.Fatal(err)
	}
	if err := st.Commit(t.Context(), "orphan-blob", hex.EncodeToString(sum[:])); err != nil {
		t.Fatal(err)
	}

	// Swept within the deadline: nothing in the bucket but the live upload.
	cl := c.s3.Client()
	deadline := time.Now().Add(30 * time.Second)
	for tick := time.NewTicker(100 * time.Millisecond); ; <-tick.C {
		var stray []string
		for oi := range cl.ListObjects(t.Context(), c.bucket, minio.ListObjectsOptions{Recursive: true}) {
			if oi.Err != nil {
				t.Fatal(oi.Err)
			}
			if !bytes.Contains([]byte(oi.Key), []byte(live.ID)) {
				stray = append(stray, oi.Key)
			}
		}
		_, _, blobErr := st.Open(t.Context(), hex.EncodeToString(sum[:]))
		size, _ := st.UploadSize(t.Context(), "orphan-upload")
		if blobErr == nil {
			blobErr = errStillThere
		}
		if len(stray) == 0 && size == 0 && ferry.ErrorCode(blobErr) == ferry.CodeNotFound {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 30s the bucket still holds %q (orphan upload %d bytes, orphan blob: %v)", stray, size, blobErr)
		}
	}
	if off := offsetOf(t, a.head(alice, live.UploadURL)); off != 6<<20 {
		t.Errorf("the live upload holds %d bytes after the sweeps, want %d", off, 6<<20)
	}
}

var errStillThere = errors.New("still there")
