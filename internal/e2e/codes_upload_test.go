package e2e

import (
	"bytes"
	"io"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/ferryhq/ferry"
	"github.com/ferryhq/ferry/httpapi/wire"
	"github.com/ferryhq/ferry/policy"
	"github.com/ferryhq/ferry/server"
)

// wantRejected asserts that transfer c was rejected with code: its error
// says so (GET), HEAD answers it, its storage is given back (the sender
// holds what it held before c), and its recipient bob never sees it.
func (e *env) wantRejected(sender, bob string, c wire.CreateTransferResponse, code ferry.Code, storage int64) {
	e.t.Helper()
	tr := e.transfer(sender, c.ID)
	if tr.State != ferry.StateRejected || tr.Error == nil || tr.Error.Code != code {
		e.t.Errorf("transfer after %d: state %s error %+v", code, tr.State, tr.Error)
	}
	e.wantCode(e.head(sender, c.UploadURL), code, ferry.English, codeWant{})
	if got := e.storage(sender); got != storage {
		e.t.Errorf("storage after %d: %d, want %d", code, got, storage)
	}
	if contains(e.list(bob, "inbox").Transfers, c.ID) {
		e.t.Errorf("the recipient sees the transfer rejected with %d", code)
	}
}

// Every code of an upload, through the tus endpoint: each answer as the
// catalogue has it, in both languages, and what the upload keeps: a
// refused chunk leaves the bytes before it, to resume from; a refused file
// is rejected, gives its storage back and never reaches the recipient.
// The codes share one node, one after the other. Its free tier expects
// at most a byte a second and refuses faster uploads (7002), which only
// the subtest that moves the clock between its chunks sees; the last
// subtest moves it by a day (2003).
func TestCodesUpload(t *testing.T) {
	t.Parallel()
	node := start(t, func(c *server.Config) {
		c.Policy.Tiers[ferry.TierFree].ExpectedRate = policy.Rate(1)
		c.Policy.Risk.RateAnomaly = "reject"
	})
	alice, bob := node.user("alice", ferry.TierFree), node.user("bob", ferry.TierFree)

	t.Run("1002 content is not what the name says", func(t *testing.T) {
		e := node.on(t)
		for _, lang := range codeLangs {
			held := e.storage(alice)
			c := e.create(alice, []string{"bob"}, "invoice.pdf", 8192, "")
			b := e.wantCode(e.patch(alice, c.UploadURL, 0, exeBytes(t, 8192), withLang(lang, nil)), ferry.CodeFileTypeMismatch, lang,
				codeWant{rule: "types.document.pdf"})
			wantDetails(t, b.Code, b.Details, map[string]any{"declared_type": "pdf", "detected_type": "exe", "extension": ".pdf"})
			e.wantRejected(alice, bob, c, ferry.CodeFileTypeMismatch, held)
		}
	})

	t.Run("1002 with a chunk checksum", func(t *testing.T) {
		e := node.on(t)
		held := e.storage(alice)
		data := exeBytes(t, 8192)
		c := e.create(alice, []string{"bob"}, "invoice.pdf", int64(len(data)), "")
		e.wantCode(e.patch(alice, c.UploadURL, 0, data, map[string]string{"Upload-Checksum": "sha256 " + sha256b64(data)}),
			ferry.CodeFileTypeMismatch, ferry.English, codeWant{rule: "types.document.pdf"})
		e.wantRejected(alice, bob, c, ferry.CodeFileTypeMismatch, held)
	})

	t.Run("1005 more bytes than declared", func(t *testing.T) {
		e := node.on(t)
		for _, lang := range codeLangs {
			held := e.storage(alice)
			c := e.create(alice, []string{"bob"}, "short.img", 10, "")
			b := e.wantCode(e.patch(alice, c.UploadURL, 0, randomBytes(t, 11), withLang(lang, nil)), ferry.CodeFileSizeMismatch, lang, codeWant{})
			wantDetails(t, b.Code, b.Details, map[string]any{"declared": 10, "actual": 11})
			e.wantRejected(alice, bob, c, ferry.CodeFileSizeMismatch, held)
		}
	})

	t.Run("1007 checksum mismatch", func(t *testing.T) {
		e := node.on(t)
		for _, lang := range codeLangs {
			held := e.storage(alice)
			data := randomBytes(t, 1000)
			c := e.create(alice, []string{"bob"}, "x.img", int64(len(data)), sha256hex([]byte("what was declared")))
			e.wantCode(e.patch(alice, c.UploadURL, 0, data, withLang(lang, nil)), ferry.CodeChecksumMismatch, lang, codeWant{})
			e.wantRejected(alice, bob, c, ferry.CodeChecksumMismatch, held)
		}
	})

	t.Run("1008 damaged chunk", func(t *testing.T) {
		e := node.on(t)
		data := randomBytes(t, 10)
		c := e.create(alice, []string{"bob"}, "x.img", 10, "")
		e.patch(alice, c.UploadURL, 0, data[:5], nil)
		for _, lang := range codeLangs {
			b := e.wantCode(e.patch(alice, c.UploadURL, 5, data[5:], withLang(lang, map[string]string{"Upload-Checksum": "sha256 " + sha256b64([]byte("other"))})),
				ferry.CodeChunkChecksumMismatch, lang, codeWant{})
			wantDetails(t, b.Code, b.Details, map[string]any{"algorithm": "sha256"})
			if n := e.offsetOf(alice, c.UploadURL); n != 5 {
				t.Fatalf("offset after a damaged chunk: %d, want the 5 bytes before it", n)
			}
		}
		if r := e.patch(alice, c.UploadURL, 5, data[5:], map[string]string{"Upload-Checksum": "sha256 " + sha256b64(data[5:])}); r.StatusCode != 204 {
			t.Fatalf("the chunk sent again: %d %s", r.StatusCode, r.body)
		}
		if got := e.do(request{method: "GET", path: "/api/v1/transfers/" + c.ID + "/content", token: bob}); !bytes.Equal(got.body, data) {
			t.Fatalf("delivered %d bytes, not what was sent", len(got.body))
		}
	})

	t.Run("2002 protocol version", func(t *testing.T) {
		e := node.on(t)
		c := e.create(alice, []string{"bob"}, "x.img", 10, "")
		e.patch(alice, c.UploadURL, 0, randomBytes(t, 5), nil)
		outbox := len(e.list(alice, "outbox").Transfers)
		old := map[string]string{"Tus-Resumable": "0.2.0"}
		for _, lang := range codeLangs {
			r := e.patch(alice, c.UploadURL, 5, randomBytes(t, 5), withLang(lang, old))
			b := e.wantCode(r, ferry.CodeProtocolUnsupported, lang, codeWant{})
			wantDetails(t, b.Code, b.Details, map[string]any{"actual": "0.2.0", "supported": "1.0.0"})
			if r.Header.Get("Tus-Version") != "1.0.0" {
				t.Errorf("412 without Tus-Version: %v", r.Header)
			}
			e.wantCode(e.do(request{method: "POST", path: "/api/v1/uploads/", token: alice, header: withLang(lang, map[string]string{
				"Tus-Resumable": "0.2.0", "Upload-Length": "10", "Upload-Metadata": tusMetadata("filename", "y.img", "to", "bob")})}),
				ferry.CodeProtocolUnsupported, lang, codeWant{})
		}
		if n := e.offsetOf(alice, c.UploadURL); n != 5 {
			t.Errorf("offset %d after refused PATCHes, want 5", n)
		}
		if n := len(e.list(alice, "outbox").Transfers); n != outbox {
			t.Errorf("%d transfers in the outbox, %d before: a refused tus creation made one", n, outbox)
		}
	})

	t.Run("2004 offset conflict", func(t *testing.T) {
		e := node.on(t)
		c := e.create(alice, []string{"bob"}, "x.img", 10, "")
		e.patch(alice, c.UploadURL, 0, randomBytes(t, 5), nil)
		for _, lang := range codeLangs {
			b := e.wantCode(e.patch(alice, c.UploadURL, 3, randomBytes(t, 7), withLang(lang, nil)), ferry.CodeUploadOffsetConflict, lang, codeWant{})
			wantDetails(t, b.Code, b.Details, map[string]any{"expected": 5, "actual": 3})
		}
		if n := e.offsetOf(alice, c.UploadURL); n != 5 {
			t.Errorf("offset %d after a conflicting PATCH, want 5", n)
		}
	})

	t.Run("2005 checksum algorithm", func(t *testing.T) {
		e := node.on(t)
		c := e.create(alice, []string{"bob"}, "x.img", 10, "")
		e.patch(alice, c.UploadURL, 0, randomBytes(t, 5), nil)
		for _, lang := range codeLangs {
			b := e.wantCode(e.patch(alice, c.UploadURL, 5, randomBytes(t, 5), withLang(lang, map[string]string{"Upload-Checksum": "crc32 AAAAAA=="})),
				ferry.CodeChecksumAlgorithmUnsupported, lang, codeWant{})
			wantDetails(t, b.Code, b.Details, map[string]any{"actual": "crc32", "supported": "sha256, sha1, md5"})
		}
		if n := e.offsetOf(alice, c.UploadURL); n != 5 {
			t.Errorf("offset %d after a refused PATCH, want 5", n)
		}
	})

	t.Run("2007 upload broke off", func(t *testing.T) {
		e := node.on(t)
		data := randomBytes(t, 10000)
		c := e.create(alice, []string{"bob"}, "x.img", int64(len(data)), sha256hex(data))
		offset := int64(0)
		for _, lang := range codeLangs { // 3000 bytes arrive of the rest announced
			r := e.breakOffPatch(alice, c.UploadURL, offset, data[offset:offset+3000], int64(len(data))-offset, lang)
			b := e.wantCode(r, ferry.CodeUploadInterrupted, lang, codeWant{})
			offset += 3000
			wantDetails(t, b.Code, b.Details, map[string]any{"offset": offset})
			if r.Header.Get("Upload-Offset") != strconv.FormatInt(offset, 10) {
				t.Errorf("Upload-Offset %q, want %d", r.Header.Get("Upload-Offset"), offset)
			}
			if n := e.offsetOf(alice, c.UploadURL); n != offset {
				t.Fatalf("offset %d after the break, want %d: every byte that arrived", n, offset)
			}
		}
		if st := e.transfer(alice, c.ID).State; st != ferry.StateUploading {
			t.Fatalf("state %s after breaks, want uploading", st)
		}
		if r := e.patch(alice, c.UploadURL, offset, data[offset:], nil); r.StatusCode != 204 {
			t.Fatalf("resume: %d %s", r.StatusCode, r.body)
		}
		if got := e.do(request{method: "GET", path: "/api/v1/transfers/" + c.ID + "/content", token: bob}); !bytes.Equal(got.body, data) {
			t.Fatal("the resumed upload is not what was sent")
		}
	})

	// Two PATCHes to one upload: the second takes it over from the first,
	// which was blocked reading a body that does not come (a dead mobile
	// connection must never lock its own client out). The first answers
	// 2007 with the offset it kept; the last one completes the upload.
	t.Run("2007 upload taken over", func(t *testing.T) {
		e := node.on(t)
		data := randomBytes(t, 10)
		c := e.create(alice, []string{"bob"}, "x.img", 10, "")
		zh := e.holdPatch(alice, c.UploadURL, 0, 10, withLang(ferry.Chinese, nil))
		en := e.holdPatch(alice, c.UploadURL, 0, 10, nil) // returns once it holds the upload
		b := e.wantCode(zh.answer(), ferry.CodeUploadInterrupted, ferry.Chinese, codeWant{})
		wantDetails(t, b.Code, b.Details, map[string]any{"offset": 0})
		if r := e.patch(alice, c.UploadURL, 0, data, nil); r.StatusCode != 204 {
			t.Fatalf("the last PATCH: %d %s", r.StatusCode, r.body)
		}
		e.wantCode(en.answer(), ferry.CodeUploadInterrupted, ferry.English, codeWant{})
		if got := e.do(request{method: "GET", path: "/api/v1/transfers/" + c.ID + "/content", token: bob}); !bytes.Equal(got.body, data) {
			t.Fatal("delivered content is not what was sent")
		}
	})

	// An upload faster than its tier expects: the chunk is refused, the
	// bytes before it kept, a risk event recorded; at a normal rate the
	// upload goes on.
	t.Run("7002 upload rate anomaly", func(t *testing.T) {
		e := node.on(t)
		carol := e.user("carol", ferry.TierFree)
		data := randomBytes(t, 1200)
		c := e.create(carol, []string{"bob"}, "x.img", int64(len(data)), "")
		if r := e.patch(carol, c.UploadURL, 0, data[:1000], nil); r.StatusCode != 204 { // too soon to judge a rate
			t.Fatalf("first PATCH: %d %s", r.StatusCode, r.body)
		}
		e.clock.Advance(2 * time.Minute) // 1000 bytes in 120 s: 8 a second
		for _, lang := range codeLangs {
			e.wantCode(e.patch(carol, c.UploadURL, 1000, data[1000:], withLang(lang, nil)), ferry.CodeUploadRateAnomaly, lang,
				codeWant{rule: "tiers.free.expected_rate", retryAfter: 60})
			if n := e.offsetOf(carol, c.UploadURL); n != 1000 {
				t.Fatalf("offset %d after 7002, want the 1000 bytes before", n)
			}
		}
		if r := e.riskOf("carol"); r.Events24h != 2 {
			t.Errorf("risk events after two 7002: %+v", r)
		}
		e.clock.Advance(20 * time.Minute) // 1000 bytes in 22 minutes: slow enough
		if r := e.patch(carol, c.UploadURL, 1000, data[1000:], nil); r.StatusCode != 204 {
			t.Fatalf("PATCH at a normal rate: %d %s", r.StatusCode, r.body)
		}
		if !contains(e.list(bob, "inbox").Transfers, c.ID) {
			t.Fatal("not delivered")
		}
	})

	// An upload without progress for 24 hours is abandoned by the sweeper;
	// its storage is given back, and a PATCH, HEAD and GET say why.
	t.Run("2003 upload stalled", func(t *testing.T) {
		e := node.on(t)
		dave := e.user("dave", ferry.TierFree)
		c := e.create(dave, []string{"bob"}, "slow.img", 1000, "")
		e.patch(dave, c.UploadURL, 0, randomBytes(t, 300), nil)
		e.clock.Advance(24*time.Hour + time.Second)
		if rep, err := e.node.Transfers.Sweep(t.Context()); err != nil || rep.Abandoned == 0 {
			t.Fatalf("sweep: %+v %v", rep, err)
		}
		for _, lang := range codeLangs {
			// The PATCH answer carries the rule but not the limit: the
			// generic message.
			e.wantCode(e.patch(dave, c.UploadURL, 300, randomBytes(t, 700), withLang(lang, nil)), ferry.CodeUploadStalled, lang,
				codeWant{rule: "uploads.abandon_after", generic: true})
			var tr wire.Transfer
			e.decode(e.do(request{method: "GET", path: "/api/v1/transfers/" + c.ID, token: dave, header: withLang(lang, nil)}), 200, &tr)
			if tr.State != ferry.StateExpired || tr.Error == nil {
				t.Fatalf("abandoned transfer: %+v", tr)
			}
			checkCoded(t, *tr.Error, ferry.CodeUploadStalled, lang, codeWant{rule: "uploads.abandon_after"})
		}
		e.wantCode(e.head(dave, c.UploadURL), ferry.CodeUploadStalled, ferry.English, codeWant{})
		if n := e.storage(dave); n != 0 {
			t.Errorf("an abandoned upload holds %d bytes of storage", n)
		}
	})
}

// 2006: a PATCH to an upload whose lock another request holds and does
// not give up. A request blocked reading its body gives it up at once
// (TestCodesUpload, "2007 upload taken over"); the request that brought
// the last byte holds it while it waits for the verdict, here held back by
// a test inspector. The second PATCH waits for the lock as long as the
// node waits (transfer.Config.LockWait, 10 s of real time, which no
// configuration key sets), then answers 423. The test starts that wait,
// then lets the package's other tests run (t.Parallel) while it lasts.
func TestCodesUploadLocked(t *testing.T) {
	g := newGate()
	// A takeover waits lock_wait for the writer to let go; this one never does.
	e := startWith(t, func(c *server.Config) { c.Uploads.LockWait = policy.Duration(50 * time.Millisecond) },
		server.Options{Inspectors: []ferry.Inspector{g}})
	var release sync.Once
	verdict := func() { release.Do(func() { g.verdict <- nil }) }
	t.Cleanup(verdict) // before the node closes, which waits for the inspection
	alice := e.user("alice", ferry.TierFree)
	e.user("bob", ferry.TierFree)
	data := randomBytes(t, 10)
	c := e.create(alice, []string{"bob"}, "x.img", 10, "")
	patch := func(lang ferry.Lang, answer chan<- *resp) {
		r, err := tryDo(e, request{method: "PATCH", path: c.UploadURL, token: alice, body: bytes.NewReader(data),
			header: withLang(lang, map[string]string{"Tus-Resumable": "1.0.0", "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"})})
		if err != nil {
			t.Error(err)
		}
		answer <- r
	}
	first := make(chan *resp, 1)
	go patch(ferry.English, first)
	<-g.entered // the last byte is in: the first PATCH waits for the verdict, holding the upload
	answers := make(chan *resp, len(codeLangs))
	for _, lang := range codeLangs {
		go patch(lang, answers)
	}
	t.Parallel()

	for range codeLangs {
		r := <-answers
		if r == nil {
			t.FailNow()
		}
		lang := ferry.English
		if r.Request.Header.Get("Accept-Language") != "" {
			lang = ferry.Chinese
		}
		e.wantCode(r, ferry.CodeUploadLocked, lang, codeWant{})
	}
	verdict()
	if r := <-first; r == nil || r.StatusCode != 204 || r.Header.Get(wire.HeaderTransferState) != "available" {
		t.Fatalf("the first PATCH: %+v", r)
	}
}

// tryDo is env.do for other goroutines than the test's: it reports
// failures instead of ending the test.
func tryDo(e *env, q request) (*resp, error) {
	req, err := http.NewRequest(q.method, e.url+q.path, q.body)
	if err != nil {
		return nil, err
	}
	if q.token != "" {
		req.Header.Set("Authorization", "Bearer "+q.token)
	}
	for k, v := range q.header {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, err
	}
	return &resp{Response: res, body: b}, nil
}
