package e2e

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ferryhq/ferry"
	"github.com/ferryhq/ferry/httpapi/wire"
	"github.com/minio/minio-go/v7"
)

// These tests run real `ferry serve` processes as the nodes of one cluster,
// over one PostgreSQL database and one S3 bucket, whatever FERRY_E2E_STORES
// says: several nodes need both by nature. Without PostgreSQL or versitygw
// they skip, and fail in CI or with FERRY_REQUIRE_POSTGRES=1 and
// FERRY_REQUIRE_S3=1.

const clusterPartSize = 5 << 20 // the nodes' blobs.part_size

// startNodes starts the named nodes of c at once, as a deployment does:
// they migrate the database and create the administrator once between them.
func startNodes(t *testing.T, c *cluster, names ...string) []*node {
	t.Helper()
	nodes := make([]*node, len(names))
	for i, name := range names {
		nodes[i] = c.node(name)
	}
	errs := make([]error, len(nodes))
	var wg sync.WaitGroup
	for i, n := range nodes {
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = n.run() }()
	}
	wg.Wait()
	for i, n := range nodes {
		if errs[i] != nil {
			t.Fatalf("node %s: %v", n.name, errs[i])
		}
		n.signIn(t)
	}
	return nodes
}

// The test: an upload begun on node A, A killed with SIGKILL while
// the bytes stream in, the upload finished through node B from the offset
// that survived, the file downloaded through a restarted A bit-identical —
// and after the sweeper, the bucket holds the blob's objects and nothing
// else: no staged upload, tail or multipart upload left behind.
func TestClusterUploadSurvivesAKilledNode(t *testing.T) {
	c := newCluster(t, "")
	nodes := startNodes(t, c, "A", "B")
	a, b := nodes[0], nodes[1]
	alice := a.user("alice", ferry.TierFree)
	b.user("bob", ferry.TierFree) // accounts are shared: created on either node
	bob := a.login("bob", "bob-password")

	data := randomBytes(t, 40<<20)
	cr := a.create(alice, []string{"bob"}, "backup.img", int64(len(data)), "")
	if h := b.head(alice, cr.UploadURL); h.StatusCode != 200 || h.Header.Get("Upload-Offset") != "0" {
		t.Fatalf("HEAD through B before any byte: %d offset %q", h.StatusCode, h.Header.Get("Upload-Offset"))
	}

	// Stream through A until B sees a part stored, then some more, and kill A.
	up := streamPatch(t, a.env, alice, cr.UploadURL, 0, int64(len(data)))
	const piece = 256 << 10
	sent, durable := 0, int64(0)
	for durable == 0 {
		if sent+2*piece > len(data) {
			t.Fatalf("sent %d of %d bytes through A and B never saw a part stored", sent, len(data))
		}
		up.write(data[sent : sent+piece])
		sent += piece
		durable = offsetOf(t, b.head(alice, cr.UploadURL))
	}
	up.write(data[sent : sent+piece]) // in flight when A dies
	sent += piece
	a.kill()
	if res, err := up.end(); err == nil {
		t.Fatalf("the PATCH to a killed node was answered: %d", res.StatusCode)
	}
	if durable%clusterPartSize != 0 || durable >= int64(sent) {
		t.Fatalf("B saw %d bytes stored while %d were sent: want whole parts of %d, fewer than sent", durable, sent, clusterPartSize)
	}

	// B carries on from what survived: at least what it saw, in whole parts.
	survived := resumeUpload(t, b.env, alice, cr.UploadURL, data)
	t.Logf("sent %d bytes to A; B saw %d stored before the kill; %d survived it", sent, durable, survived)
	if survived < durable || survived%clusterPartSize != 0 || survived >= int64(sent) {
		t.Errorf("offset after the kill %d: want whole parts of %d, from %d to below %d", survived, clusterPartSize, durable, sent)
	}
	if tr := waitSettled(t, b.env, alice, cr.ID); tr.State != ferry.StateAvailable {
		t.Fatalf("after the upload through B: %s %+v", tr.State, tr.Error)
	}

	a.start(t)
	if got := downloadSHA(t, a.env, bob, cr.ID); got != sha256hex(data) {
		t.Fatalf("downloaded through the restarted A: sha256 %s, want %s", got, sha256hex(data))
	}

	// The sweepers of both nodes run every 100ms; what the dead node left
	// must go, and the blob must stay.
	wantOnlyBlob(t, c, sha256hex(data))
	if got := downloadSHA(t, b.env, bob, cr.ID); got != sha256hex(data) {
		t.Fatalf("downloaded through B after the sweep: sha256 %s", got)
	}
}

// upload is a PATCH whose body the test writes as it goes.
type upload struct {
	t    *testing.T
	pw   *io.PipeWriter
	done chan uploadResult
}

type uploadResult struct {
	res  *http.Response
	body []byte
	err  error
}

// streamPatch starts a PATCH at offset announcing length bytes; the body
// is what the test writes to it.
func streamPatch(t *testing.T, e *env, token, path string, offset, length int64) *upload {
	t.Helper()
	pr, pw := io.Pipe()
	req, err := http.NewRequest("PATCH", e.url+path, pr)
	if err != nil {
		t.Fatal(err)
	}
	req.ContentLength = length
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Tus-Resumable", "1.0.0")
	req.Header.Set("Upload-Offset", strconv.FormatInt(offset, 10))
	req.Header.Set("Content-Type", "application/offset+octet-stream")
	u := &upload{t: t, pw: pw, done: make(chan uploadResult, 1)}
	go func() {
		res, err := http.DefaultClient.Do(req)
		r := uploadResult{res: res, err: err}
		if err == nil {
			r.body, r.err = io.ReadAll(res.Body)
			res.Body.Close()
		}
		pr.CloseWithError(io.ErrClosedPipe) // a write after the answer fails rather than blocks
		u.done <- r
	}()
	return u
}

// write sends p; it returns once the client took it.
func (u *upload) write(p []byte) {
	u.t.Helper()
	if _, err := u.pw.Write(p); err != nil {
		u.t.Fatalf("write to the PATCH: %v", err)
	}
}

// end closes the body short of its announced length and returns the answer.
func (u *upload) end() (*http.Response, error) {
	u.pw.CloseWithError(io.ErrUnexpectedEOF)
	r := <-u.done
	if r.err != nil {
		return nil, r.err
	}
	return r.res, nil
}

// offsetOf is the Upload-Offset of a HEAD answer.
func offsetOf(t *testing.T, h *resp) int64 {
	t.Helper()
	off, err := strconv.ParseInt(h.Header.Get("Upload-Offset"), 10, 64)
	if h.StatusCode != 200 || err != nil {
		t.Fatalf("HEAD: %d, Upload-Offset %q", h.StatusCode, h.Header.Get("Upload-Offset"))
	}
	return off
}

// waitSettled returns the transfer once its inspection ended.
func waitSettled(t *testing.T, e *env, token, id string) wire.Transfer {
	t.Helper()
	for range 5 {
		var tr wire.Transfer
		e.decode(e.do(request{method: "GET", path: "/api/v1/transfers/" + id + "?wait=60s", token: token}), 200, &tr)
		if tr.State != ferry.StateInspecting {
			return tr
		}
	}
	t.Fatalf("transfer %s still inspecting after 5 minutes", id)
	return wire.Transfer{}
}

// downloadSHA fetches a transfer's content and returns its SHA-256.
func downloadSHA(t *testing.T, e *env, token, id string) string {
	t.Helper()
	req, _ := http.NewRequest("GET", e.url+"/api/v1/transfers/"+id+"/content", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != 200 {
		b, _ := io.ReadAll(res.Body)
		t.Fatalf("download: %d %s", res.StatusCode, b)
	}
	h := sha256.New()
	if _, err := io.Copy(h, res.Body); err != nil {
		t.Fatalf("download: %v", err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// wantOnlyBlob waits, with a deadline, until the bucket holds exactly blob
// sum (its pointer and the object it names) and no multipart upload.
func wantOnlyBlob(t *testing.T, c *cluster, sum string) {
	t.Helper()
	cl := c.s3.Client()
	var keys, incomplete []string
	deadline := time.Now().Add(30 * time.Second)
	for tick := time.NewTicker(100 * time.Millisecond); ; <-tick.C {
		keys, incomplete = keys[:0], incomplete[:0]
		for oi := range cl.ListObjects(t.Context(), c.bucket, minio.ListObjectsOptions{Recursive: true}) {
			if oi.Err != nil {
				t.Fatalf("list the bucket: %v", oi.Err)
			}
			keys = append(keys, oi.Key)
		}
		for u := range cl.ListIncompleteUploads(t.Context(), c.bucket, "", true) {
			if u.Err != nil {
				t.Fatalf("list multipart uploads: %v", u.Err)
			}
			incomplete = append(incomplete, u.Key+" "+u.UploadID)
		}
		if len(incomplete) == 0 && len(keys) == 2 && keys[0] == "blobs/"+sum && strings.HasPrefix(keys[1], "data/") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 30s of sweeping the bucket holds %q and multipart uploads %q; want blobs/%s and its data/ object only",
				keys, incomplete, sum)
		}
	}
	obj, err := cl.GetObject(t.Context(), c.bucket, keys[0], minio.GetObjectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer obj.Close()
	var ptr struct{ Key string }
	if err := json.NewDecoder(obj).Decode(&ptr); err != nil || ptr.Key != keys[1] {
		t.Fatalf("blob pointer names %q (%v), want %q", ptr.Key, err, keys[1])
	}
}

// clusterLimits is the policy of the create races, the same on every node:
// free holds 10 transfers of 1000 bytes, member sends 7 of them in 24
// hours, super creates 10 an hour; the others' bursts are out of the way,
// and refused bursts (risk events) never restrict an account.
const clusterLimits = `policy:
  tiers:
    free: {storage_quota: 10000, burst: {count: 1000, per: 1m}}
    member: {daily_volume: 7000, burst: {count: 1000, per: 1m}}
    super: {burst: {count: 10, per: 1h}}
  risk: {max_events: 1000}
`

// 100 concurrent creates, alternating between two nodes, never exceed a
// storage quota, a rolling 24-hour volume or a burst limit: exactly the
// allowed number is accepted, every other is refused with the rule's code,
// and the usage is the sum of what was accepted.
func TestClusterConcurrentCreatesKeepTheLimits(t *testing.T) {
	c := newCluster(t, clusterLimits)
	nodes := startNodes(t, c, "A", "B")
	nodes[0].user("bob", ferry.TierFree)
	const size = 1000
	for _, tc := range []struct {
		user     string
		tier     ferry.Tier
		accepted int
		status   int
		code     ferry.Code
		rule     string
	}{
		{"alice", ferry.TierFree, 10, 413, ferry.CodeStorageQuotaExceeded, "tiers.free.storage_quota"},
		{"carol", ferry.TierMember, 7, 429, ferry.CodeDailyVolumeExceeded, "tiers.member.daily_volume"},
		{"dave", ferry.TierSuper, 10, 429, ferry.CodeTooManyUploads, "tiers.super.burst"},
	} {
		t.Run(string(tc.code.Name()), func(t *testing.T) {
			token := nodes[1].user(tc.user, tc.tier)
			answers := make([]*resp, 100)
			var wg sync.WaitGroup
			for i := range answers {
				wg.Add(1)
				go func() { defer wg.Done(); answers[i] = nodes[i%2].createSized(token, size) }()
			}
			wg.Wait()
			accepted := [2]int{}
			for i, r := range answers {
				if r.StatusCode == 201 {
					accepted[i%2]++
					continue
				}
				b := r.errBody()
				if r.StatusCode != tc.status || b.Code != tc.code || b.Rule != tc.rule || r.Header.Get(wire.HeaderErrorCode) != strconv.Itoa(int(tc.code)) {
					t.Errorf("create %d through node %s: %d %s; want %d with %d and rule %s", i, nodes[i%2].name, r.StatusCode, r.body, tc.status, tc.code, tc.rule)
				}
				if tc.status == 429 && r.Header.Get("Retry-After") == "" {
					t.Errorf("create %d: %d without Retry-After", i, tc.code)
				}
			}
			t.Logf("accepted through A %d, through B %d", accepted[0], accepted[1])
			if accepted[0]+accepted[1] != tc.accepted {
				t.Fatalf("%d creates accepted, want exactly %d", accepted[0]+accepted[1], tc.accepted)
			}
			for _, n := range nodes {
				if got := n.storage(token); got != int64(tc.accepted*size) {
					t.Errorf("GET /api/v1/me through %s: storage %d, want %d", n.name, got, tc.accepted*size)
				}
				if got := len(n.list(token, "outbox").Transfers); got != tc.accepted {
					t.Errorf("outbox through %s: %d transfers, want %d", n.name, got, tc.accepted)
				}
			}
		})
	}
}
