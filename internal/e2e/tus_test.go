package e2e

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/ferryhq/ferry"
)

func tusMetadata(kv ...string) string {
	var parts []string
	for i := 0; i < len(kv); i += 2 {
		parts = append(parts, kv[i]+" "+base64.StdEncoding.EncodeToString([]byte(kv[i+1])))
	}
	return strings.Join(parts, ",")
}

func TestTusProtocol(t *testing.T) {
	e := start(t, nil)
	alice, bob := e.user("alice", ferry.TierFree), e.user("bob", ferry.TierFree)
	tus := map[string]string{"Tus-Resumable": "1.0.0"}

	r := e.do(request{method: "OPTIONS", path: "/api/v1/uploads/"})
	if r.StatusCode != 204 || r.Header.Get("Tus-Version") != "1.0.0" ||
		r.Header.Get("Tus-Extension") != "creation,termination,checksum,expiration" ||
		!strings.Contains(r.Header.Get("Tus-Checksum-Algorithm"), "sha256") {
		t.Fatalf("OPTIONS: %d %v", r.StatusCode, r.Header)
	}

	data := []byte("tus says hello to bob")
	r = e.do(request{method: "POST", path: "/api/v1/uploads/", token: alice, header: map[string]string{
		"Tus-Resumable": "1.0.0", "Upload-Length": "21",
		"Upload-Metadata": tusMetadata("filename", "hello 世界.txt", "to", "bob", "sha256", sha256hex(data))}})
	if r.StatusCode != 201 || !strings.HasPrefix(r.Header.Get("Location"), "/api/v1/uploads/") || r.Header.Get("Upload-Expires") == "" {
		t.Fatalf("tus POST: %d %s %v", r.StatusCode, r.body, r.Header)
	}
	loc := r.Header.Get("Location")
	if exp, err := time.Parse(time.RFC1123, r.Header.Get("Upload-Expires")); err != nil || !exp.Equal(e.clock.Now().Add(24*time.Hour).Truncate(time.Second)) {
		t.Errorf("Upload-Expires %q: want now + 24h", r.Header.Get("Upload-Expires"))
	}

	// Another protocol version: 412, 2002, with the versions we speak.
	r = e.do(request{method: "HEAD", path: loc, token: alice, header: map[string]string{"Tus-Resumable": "0.2.2"}})
	if r.StatusCode != 412 || r.Header.Get("Tus-Version") != "1.0.0" || r.Header.Get("Ferry-Error-Code") != "2002" {
		t.Fatalf("old version: %d %v", r.StatusCode, r.Header)
	}
	// Wrong content type: 415.
	e.wantError(e.patch(alice, loc, 0, data[:5], map[string]string{"Content-Type": "text/plain"}), 415, ferry.CodeUnsupportedContentType)
	// Wrong offset: 409 2004 with the offset expected.
	b := e.wantError(e.patch(alice, loc, 3, data[:5], nil), 409, ferry.CodeUploadOffsetConflict)
	if b.Details["expected"] != float64(0) {
		t.Errorf("2004 details %v", b.Details)
	}
	// Damaged chunk: 460 1008, discarded; the offset stays.
	e.wantError(e.patch(alice, loc, 0, data[:5], map[string]string{"Upload-Checksum": "sha256 " + sha256b64([]byte("other"))}), 460, ferry.CodeChunkChecksumMismatch)
	if h := e.head(alice, loc); h.Header.Get("Upload-Offset") != "0" {
		t.Fatalf("a damaged chunk was kept: offset %s", h.Header.Get("Upload-Offset"))
	}
	e.wantError(e.patch(alice, loc, 0, data[:5], map[string]string{"Upload-Checksum": "crc32 AAAA"}), 400, ferry.CodeChecksumAlgorithmUnsupported)
	// A good chunk with its checksum.
	if r := e.patch(alice, loc, 0, data[:5], map[string]string{"Upload-Checksum": "sha256 " + sha256b64(data[:5])}); r.StatusCode != 204 || r.Header.Get("Upload-Offset") != "5" {
		t.Fatalf("good chunk: %d %s", r.StatusCode, r.body)
	}
	// Only the sender may see or write the upload.
	e.wantError(e.head(bob, loc), 404, ferry.CodeNotFound)
	e.wantError(e.patch(bob, loc, 5, data[5:], nil), 404, ferry.CodeNotFound)
	// The rest completes it.
	r = e.patch(alice, loc, 5, data[5:], nil)
	if r.StatusCode != 204 || r.Header.Get("Upload-Offset") != "21" || r.Header.Get("Ferry-Transfer-State") != "available" {
		t.Fatalf("last chunk: %d %s %v", r.StatusCode, r.body, r.Header)
	}
	if h := e.head(alice, loc); h.StatusCode != 200 || h.Header.Get("Upload-Offset") != "21" {
		t.Fatalf("HEAD of a finished upload: %d %v", h.StatusCode, h.Header)
	}
	inbox := e.list(bob, "inbox")
	if len(inbox.Transfers) != 1 || inbox.Transfers[0].Name != "hello 世界.txt" {
		t.Fatalf("inbox %+v", inbox)
	}
	_ = tus
}

// Bytes beyond the declared size reject the transfer (1005); it never
// reaches the recipient and its reservation is released.
func TestOverlongUploadRejected(t *testing.T) {
	e := start(t, nil)
	alice, bob := e.user("alice", ferry.TierFree), e.user("bob", ferry.TierFree)
	c := e.create(alice, []string{"bob"}, "short.txt", 10, "")
	e.wantError(e.patch(alice, c.UploadURL, 0, make([]byte, 11), nil), 422, ferry.CodeFileSizeMismatch)
	tr := e.transfer(alice, c.ID)
	if tr.State != ferry.StateRejected || tr.Error == nil || tr.Error.Code != ferry.CodeFileSizeMismatch {
		t.Fatalf("after overlong PATCH: %+v", tr)
	}
	if len(e.list(bob, "inbox").Transfers) != 0 || e.storage(alice) != 0 {
		t.Fatal("rejected transfer delivered or still reserved")
	}
}

// A declared SHA-256 that the bytes do not match: the last PATCH answers
// 1007, the transfer is rejected with it, nothing is delivered.
func TestChecksumMismatchRejected(t *testing.T) {
	e := start(t, nil)
	alice, bob := e.user("alice", ferry.TierFree), e.user("bob", ferry.TierFree)
	data := []byte("what was sent")
	c := e.create(alice, []string{"bob"}, "x.txt", int64(len(data)), sha256hex([]byte("what was declared")))
	e.wantError(e.patch(alice, c.UploadURL, 0, data, map[string]string{"Accept-Language": "zh-CN"}), 422, ferry.CodeChecksumMismatch)
	tr := e.transfer(alice, c.ID)
	if tr.State != ferry.StateRejected || tr.Error.Code != ferry.CodeChecksumMismatch || tr.Error.Message == "" {
		t.Fatalf("%+v", tr)
	}
	e.wantError(e.head(alice, c.UploadURL), 422, ferry.CodeChecksumMismatch)
	if len(e.list(bob, "inbox").Transfers) != 0 || e.storage(alice) != 0 {
		t.Fatal("mismatched content delivered or still reserved")
	}
}

// An upload without progress for 24 h is abandoned by the sweeper: 2003,
// bytes deleted, reservation released.
func TestAbandonedUpload(t *testing.T) {
	e := start(t, nil)
	alice := e.user("alice", ferry.TierFree)
	e.user("bob", ferry.TierFree)
	c := e.create(alice, []string{"bob"}, "slow.img", 1000, "")
	e.patch(alice, c.UploadURL, 0, make([]byte, 300), nil)
	e.clock.Advance(23 * time.Hour)
	e.patch(alice, c.UploadURL, 300, make([]byte, 100), nil) // progress resets the deadline
	e.clock.Advance(23 * time.Hour)
	if rep, _ := e.node.Transfers.Sweep(t.Context()); rep.Abandoned != 0 {
		t.Fatal("an upload with recent progress was abandoned")
	}
	e.clock.Advance(2 * time.Hour)
	if rep, err := e.node.Transfers.Sweep(t.Context()); err != nil || rep.Abandoned != 1 {
		t.Fatalf("sweep: %+v %v", rep, err)
	}
	e.wantError(e.head(alice, c.UploadURL), 410, ferry.CodeUploadStalled)
	tr := e.transfer(alice, c.ID)
	if tr.State != ferry.StateExpired || tr.Error == nil || tr.Error.Code != ferry.CodeUploadStalled {
		t.Fatalf("%+v", tr)
	}
	if n, _ := e.node.Blobs.UploadSize(t.Context(), c.ID); n != 0 || e.storage(alice) != 0 {
		t.Fatalf("abandoned upload still holds %d bytes / storage %d", n, e.storage(alice))
	}
}

func TestEmptyFile(t *testing.T) {
	e := start(t, nil)
	alice, bob := e.user("alice", ferry.TierFree), e.user("bob", ferry.TierFree)
	c := e.create(alice, []string{"bob"}, "empty.txt", 0, "")
	if c.Transfer.State != ferry.StateAvailable {
		t.Fatalf("an empty file needs no upload: %s", c.Transfer.State)
	}
	r := e.do(request{method: "GET", path: "/api/v1/transfers/" + c.ID + "/content", token: bob})
	if r.StatusCode != 200 || len(r.body) != 0 {
		t.Fatalf("%d %d", r.StatusCode, len(r.body))
	}
}
