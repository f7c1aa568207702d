package e2e

import (
	"bytes"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ferryhq/ferry"
	"github.com/ferryhq/ferry/httpapi/wire"
)

// Alice sends to Bob: Bob sees nothing until the last byte arrived, then
// finds it in his inbox, downloads it, accepts it; Alice sees it downloaded.
func TestAliceToBob(t *testing.T) {
	e := start(t, nil)
	alice, bob := e.user("alice", ferry.TierFree), e.user("bob", ferry.TierFree)
	data := pdfBytes(t, 300_000)

	c := e.create(alice, []string{"bob"}, "plan.pdf", int64(len(data)), sha256hex(data))
	if c.Transfer.State != ferry.StateUploading || c.UploadURL != "/api/v1/uploads/"+c.ID {
		t.Fatalf("create: %+v", c)
	}
	if c.Challenge == nil {
		t.Fatal("a declared sha256 must always get a challenge")
	}
	if r := e.patch(alice, c.UploadURL, 0, data[:100_000], nil); r.StatusCode != 204 || r.Header.Get("Upload-Offset") != "100000" {
		t.Fatalf("first PATCH: %d %s", r.StatusCode, r.body)
	}
	if got := e.list(bob, "inbox"); len(got.Transfers) != 0 {
		t.Fatalf("bob sees an unfinished upload: %+v", got)
	}
	e.wantError(e.do(request{method: "GET", path: "/api/v1/transfers/" + c.ID + "/content", token: bob}), 404, ferry.CodeNotFound)

	r := e.patch(alice, c.UploadURL, 100_000, data[100_000:], nil)
	if r.StatusCode != 204 || r.Header.Get("Ferry-Transfer-State") != "available" {
		t.Fatalf("last PATCH: %d %s %v", r.StatusCode, r.body, r.Header)
	}
	inbox := e.list(bob, "inbox")
	if len(inbox.Transfers) != 1 || inbox.Transfers[0].ID != c.ID || inbox.Transfers[0].Sender != "alice" {
		t.Fatalf("inbox: %+v", inbox)
	}
	got := e.do(request{method: "GET", path: "/api/v1/transfers/" + c.ID + "/content", token: bob})
	if got.StatusCode != 200 || !bytes.Equal(got.body, data) {
		t.Fatalf("download: %d, %d bytes", got.StatusCode, len(got.body))
	}
	if et := got.Header.Get("ETag"); et != `"`+sha256hex(data)+`"` {
		t.Errorf("ETag %q", et)
	}
	var tr wire.Transfer
	e.decode(e.do(request{method: "POST", path: "/api/v1/transfers/" + c.ID + "/accept", token: bob}), 200, &tr)
	if tr.Recipients[0].Status != ferry.RecipientAccepted {
		t.Errorf("accept: %+v", tr.Recipients)
	}
	out := e.list(alice, "outbox")
	if len(out.Transfers) != 1 || out.Transfers[0].State != ferry.StateDownloaded || out.Transfers[0].DownloadedAt == nil {
		t.Fatalf("outbox after download: %+v", out)
	}
	// Downloaded: the sender can no longer recall it.
	e.wantError(e.do(request{method: "DELETE", path: "/api/v1/transfers/" + c.ID, token: alice}), 409, ferry.CodeStateConflict)
}

// An upload that breaks off half way keeps its bytes; HEAD tells the offset
// and the rest completes it bit-identically.
func TestInterruptedUploadResumes(t *testing.T) {
	e := start(t, nil)
	alice := e.user("alice", ferry.TierFree)
	e.user("bob", ferry.TierFree)
	data := mp4Bytes(t, 4<<20)
	c := e.create(alice, []string{"bob"}, "video.mp4", int64(len(data)), sha256hex(data))

	// The client loses its network after sending half the bytes.
	half := int64(len(data) / 2)
	res := brokenPatch(e, alice, c.UploadURL, 0, data[:half], int64(len(data)))
	if res.StatusCode != 400 || res.Header.Get("Ferry-Error-Code") != "2007" || res.Header.Get("Upload-Offset") != strconv.FormatInt(half, 10) {
		t.Fatalf("broken PATCH answered %d %v; want 400 2007 with Upload-Offset %d", res.StatusCode, res.Header, half)
	}
	if offset := resumeUpload(t, e, alice, c.UploadURL, data); offset != half {
		t.Fatalf("resumed from %d; want %d, every byte that arrived before the break", offset, half)
	}
	tr := e.transfer(alice, c.ID)
	if tr.State != ferry.StateAvailable || tr.SHA256 != sha256hex(data) {
		t.Fatalf("after resume: %+v", tr)
	}
	e2 := e.do(request{method: "GET", path: "/api/v1/transfers/" + c.ID + "/content", token: alice})
	if !bytes.Equal(e2.body, data) {
		t.Fatal("resumed upload is not bit-identical")
	}
}

// A Chinese name with spaces and an emoji round-trips byte-exact through
// the inbox and Content-Disposition.
func TestUnicodeNameRoundTrips(t *testing.T) {
	e := start(t, nil)
	alice, bob := e.user("alice", ferry.TierFree), e.user("bob", ferry.TierFree)
	const name = "季度 报告 final 🚀.txt"
	id := e.send(alice, []string{"bob"}, name, []byte("hello"))
	inbox := e.list(bob, "inbox")
	if inbox.Transfers[0].Name != name {
		t.Fatalf("inbox name %q, want %q", inbox.Transfers[0].Name, name)
	}
	r := e.do(request{method: "GET", path: "/api/v1/transfers/" + id + "/content", token: bob})
	cd := r.Header.Get("Content-Disposition")
	_, ext, ok := strings.Cut(cd, "filename*=UTF-8''")
	if !ok {
		t.Fatalf("no filename* in %q", cd)
	}
	decoded, err := url.PathUnescape(ext)
	if err != nil || decoded != name {
		t.Fatalf("filename* decodes to %q (%v), want %q; header %q", decoded, err, name, cd)
	}
	if !strings.HasPrefix(cd, `attachment; filename="`) || strings.ContainsAny(strings.SplitN(cd, ";", 3)[1], "季🚀") {
		t.Errorf("the filename fallback must be ASCII: %q", cd)
	}
}

func TestRangeDownloads(t *testing.T) {
	e := start(t, nil)
	alice, bob := e.user("alice", ferry.TierFree), e.user("bob", ferry.TierFree)
	data := randomBytes(t, 10_000)
	id := e.send(alice, []string{"bob"}, "data.img", data)
	path := "/api/v1/transfers/" + id + "/content"
	etag := `"` + sha256hex(data) + `"`

	for _, tc := range []struct {
		rng       string
		ifRange   string
		status    int
		from, to  int
		countsAll bool
	}{
		{"bytes=10-19", "", 206, 10, 20, false},
		{"bytes=-100", "", 206, 9900, 10000, true},
		{"bytes=5000-", etag, 206, 5000, 10000, true},
		{"bytes=5000-", `"stale"`, 200, 0, 10000, true},
	} {
		h := map[string]string{"Range": tc.rng}
		if tc.ifRange != "" {
			h["If-Range"] = tc.ifRange
		}
		r := e.do(request{method: "GET", path: path, token: bob, header: h})
		if r.StatusCode != tc.status || !bytes.Equal(r.body, data[tc.from:tc.to]) {
			t.Errorf("%s (If-Range %s): %d, %d bytes; want %d, bytes %d-%d", tc.rng, tc.ifRange, r.StatusCode, len(r.body), tc.status, tc.from, tc.to)
		}
	}
	r := e.do(request{method: "GET", path: path, token: bob, header: map[string]string{"Range": "bytes=20000-"}})
	if r.StatusCode != 416 {
		t.Errorf("unsatisfiable range: %d", r.StatusCode)
	}
}

// A partial download does not count as downloaded; reaching the last byte
// does, once.
func TestDownloadCountsOnceAtTheEnd(t *testing.T) {
	e := start(t, nil)
	alice, bob := e.user("alice", ferry.TierFree), e.user("bob", ferry.TierFree)
	data := randomBytes(t, 5000)
	id := e.send(alice, []string{"bob"}, "a.img", data)
	path := "/api/v1/transfers/" + id + "/content"
	e.do(request{method: "GET", path: path, token: bob, header: map[string]string{"Range": "bytes=0-99"}})
	e.do(request{method: "HEAD", path: path, token: bob})
	e.do(request{method: "GET", path: path, token: alice}) // the sender's own download does not count
	if st := e.transfer(alice, id).State; st != ferry.StateAvailable {
		t.Fatalf("after a partial download the state is %s", st)
	}
	e.do(request{method: "GET", path: path, token: bob, header: map[string]string{"Range": "bytes=100-"}})
	tr := e.transfer(alice, id)
	if tr.State != ferry.StateDownloaded || tr.Recipients[0].DownloadedAt == nil {
		t.Fatalf("after the rest: %+v", tr)
	}
}

// Someone who is neither sender nor recipient learns nothing.
func TestStrangerSeesNothing(t *testing.T) {
	e := start(t, nil)
	alice, bob, carol := e.user("alice", ferry.TierFree), e.user("bob", ferry.TierFree), e.user("carol", ferry.TierFree)
	id := e.send(alice, []string{"bob"}, "secret.txt", []byte("secret"))
	for _, q := range []request{
		{method: "GET", path: "/api/v1/transfers/" + id},
		{method: "GET", path: "/api/v1/transfers/" + id + "/content"},
		{method: "POST", path: "/api/v1/transfers/" + id + "/accept"},
		{method: "POST", path: "/api/v1/transfers/" + id + "/decline"},
		{method: "DELETE", path: "/api/v1/transfers/" + id},
		{method: "GET", path: "/api/v1/transfers/nonexistent"},
	} {
		q.token = carol
		e.wantError(e.do(q), 404, ferry.CodeNotFound)
	}
	if len(e.list(carol, "inbox").Transfers) != 0 {
		t.Error("carol's inbox shows someone else's transfer")
	}
	// The recipient may not recall; the transfer is untouched.
	e.wantError(e.do(request{method: "DELETE", path: "/api/v1/transfers/" + id, token: bob}), 403, ferry.CodeForbidden)
	if st := e.transfer(alice, id).State; st != ferry.StateAvailable {
		t.Fatalf("state %s", st)
	}
	// Without a token: 401 8001.
	e.wantError(e.do(request{method: "GET", path: "/api/v1/inbox"}), 401, ferry.CodeUnauthenticated)
	e.wantError(e.do(request{method: "GET", path: "/api/v1/inbox", token: "fy_forged"}), 401, ferry.CodeUnauthenticated)
}

func TestRecall(t *testing.T) {
	e := start(t, nil)
	alice, bob := e.user("alice", ferry.TierFree), e.user("bob", ferry.TierFree)
	id := e.send(alice, []string{"bob"}, "oops.txt", []byte("wrong file"))
	if e.storage(alice) != 10 {
		t.Fatalf("storage before recall %d", e.storage(alice))
	}
	var tr wire.Transfer
	e.decode(e.do(request{method: "DELETE", path: "/api/v1/transfers/" + id, token: alice}), 200, &tr)
	if tr.State != ferry.StateRecalled {
		t.Fatalf("state %s", tr.State)
	}
	e.wantError(e.do(request{method: "GET", path: "/api/v1/transfers/" + id + "/content", token: bob}), 410, ferry.CodeTransferGone)
	if len(e.list(bob, "inbox").Transfers) != 0 {
		t.Error("a recalled transfer is still in the inbox")
	}
	if got := e.storage(alice); got != 0 {
		t.Errorf("storage after recall %d, want 0: the reservation was not released", got)
	}
	// Recalling twice is harmless.
	e.decode(e.do(request{method: "DELETE", path: "/api/v1/transfers/" + id, token: alice}), 200, nil)

	// Recall of an upload in progress through tus termination.
	c := e.create(alice, []string{"bob"}, "big.img", 1000, "")
	e.patch(alice, c.UploadURL, 0, make([]byte, 400), nil)
	r := e.do(request{method: "DELETE", path: c.UploadURL, token: alice, header: map[string]string{"Tus-Resumable": "1.0.0"}})
	if r.StatusCode != 204 {
		t.Fatalf("tus DELETE: %d %s", r.StatusCode, r.body)
	}
	e.wantError(e.patch(alice, c.UploadURL, 400, make([]byte, 600), nil), 410, ferry.CodeTransferGone)
	if got := e.storage(alice); got != 0 {
		t.Errorf("storage after terminating an upload %d", got)
	}
}

// Expiry runs on the injected clock: after the retention the sweeper
// expires the transfer and deletes its blob.
func TestExpiryDeletesTheBlob(t *testing.T) {
	e := start(t, nil)
	alice, bob := e.user("alice", ferry.TierFree), e.user("bob", ferry.TierFree)
	data := []byte("expires in a week")
	id := e.send(alice, []string{"bob"}, "week.txt", data)
	sha := sha256hex(data)
	ctx := t.Context()

	e.clock.Advance(7*24*time.Hour - time.Second)
	if rep, err := e.node.Transfers.Sweep(ctx); err != nil || rep.Expired != 0 {
		t.Fatalf("sweep one second early: %+v %v", rep, err)
	}
	e.clock.Advance(time.Second)
	rep, err := e.node.Transfers.Sweep(ctx)
	if err != nil || rep.Expired != 1 || rep.Blobs != 1 {
		t.Fatalf("sweep at expiry: %+v %v", rep, err)
	}
	e.wantError(e.do(request{method: "GET", path: "/api/v1/transfers/" + id + "/content", token: bob}), 410, ferry.CodeTransferExpired)
	if _, _, err := e.node.Blobs.Open(ctx, sha); ferry.ErrorCode(err) != ferry.CodeNotFound {
		t.Fatalf("blob still there after expiry: %v", err)
	}
	if got := e.storage(alice); got != 0 {
		t.Errorf("storage after expiry %d", got)
	}
}

// Identical content is stored once and kept while any transfer uses it.
func TestDedupKeepsSharedBlob(t *testing.T) {
	e := start(t, nil)
	alice, bob := e.user("alice", ferry.TierFree), e.user("bob", ferry.TierFree)
	data := []byte("the same bytes twice")
	first := e.send(alice, []string{"bob"}, "one.txt", data)
	second := e.send(alice, []string{"bob"}, "two.txt", data)
	e.decode(e.do(request{method: "DELETE", path: "/api/v1/transfers/" + first, token: alice}), 200, nil)
	if rep, err := e.node.Transfers.Sweep(t.Context()); err != nil || rep.Blobs != 0 {
		t.Fatalf("sweep deleted a blob still in use: %+v %v", rep, err)
	}
	if r := e.do(request{method: "GET", path: "/api/v1/transfers/" + second + "/content", token: bob}); !bytes.Equal(r.body, data) {
		t.Fatalf("second transfer lost its content: %d", r.StatusCode)
	}
}

func TestDecline(t *testing.T) {
	e := start(t, nil)
	alice, bob, carol := e.user("alice", ferry.TierFree), e.user("bob", ferry.TierFree), e.user("carol", ferry.TierFree)
	id := e.send(alice, []string{"bob", "carol"}, "offer.txt", []byte("take it or leave it"))
	var tr wire.Transfer
	e.decode(e.do(request{method: "POST", path: "/api/v1/transfers/" + id + "/decline", token: bob}), 200, &tr)
	if tr.State != ferry.StateAvailable {
		t.Fatalf("one of two declined: state %s", tr.State)
	}
	if contains(e.list(bob, "inbox").Transfers, id) || !contains(e.list(carol, "inbox").Transfers, id) {
		t.Fatal("a declined transfer must leave only the decliner's inbox")
	}
	e.wantError(e.do(request{method: "GET", path: "/api/v1/transfers/" + id + "/content", token: bob}), 410, ferry.CodeTransferGone)
	e.decode(e.do(request{method: "POST", path: "/api/v1/transfers/" + id + "/decline", token: carol}), 200, &tr)
	if tr.State != ferry.StateDeclined {
		t.Fatalf("all declined: state %s", tr.State)
	}
	if got := e.storage(alice); got != 0 {
		t.Errorf("storage after every recipient declined: %d", got)
	}
}
