package e2e

import (
	"context"
	"errors"
	"testing"

	"github.com/ferryhq/ferry"
	"github.com/ferryhq/ferry/httpapi/wire"
	"github.com/ferryhq/ferry/server"
)

// gate is a test inspector: it holds each inspection until the test
// releases it with a verdict.
type gate struct {
	entered chan string
	verdict chan error
}

func newGate() *gate { return &gate{entered: make(chan string, 8), verdict: make(chan error, 8)} }

func (g *gate) Inspect(ctx context.Context, f *ferry.File) error {
	g.entered <- f.Name
	return <-g.verdict
}

// An upload is acknowledged when its bytes are in; until the inspectors
// pass it, the recipient sees nothing; GET ?wait= brings the verdict.
func TestNothingVisibleBeforeInspectionPasses(t *testing.T) {
	g := newGate()
	e := startWith(t, func(c *server.Config) { c.Uploads.VerdictWaitMaxSize = 1 }, server.Options{Inspectors: []ferry.Inspector{g}})
	alice, bob := e.user("alice", ferry.TierFree), e.user("bob", ferry.TierFree)
	c := e.create(alice, []string{"bob"}, "report.txt", 5, "")
	r := e.patch(alice, c.UploadURL, 0, []byte("12345"), nil)
	if r.StatusCode != 204 || r.Header.Get(wire.HeaderTransferState) != "inspecting" {
		t.Fatalf("last PATCH of a large upload: %d %v", r.StatusCode, r.Header)
	}
	<-g.entered
	if len(e.list(bob, "inbox").Transfers) != 0 {
		t.Fatal("the recipient sees a transfer under inspection")
	}
	e.wantError(e.do(request{method: "GET", path: "/api/v1/transfers/" + c.ID + "/content", token: bob}), 404, ferry.CodeNotFound)
	if st := e.transfer(alice, c.ID).State; st != ferry.StateInspecting {
		t.Fatalf("state %s", st)
	}
	g.verdict <- nil
	var tr wire.Transfer
	e.decode(e.do(request{method: "GET", path: "/api/v1/transfers/" + c.ID + "?wait=60s", token: alice}), 200, &tr)
	if tr.State != ferry.StateAvailable {
		t.Fatalf("after the verdict: %s", tr.State)
	}
	if !contains(e.list(bob, "inbox").Transfers, c.ID) {
		t.Fatal("not delivered after passing")
	}
}

// A rejecting inspector's coded error becomes the transfer's; an
// inspector that cannot decide fails closed with 5005. Either way the file
// never reaches the recipient and the quota is released.
func TestInspectionRejectsAndFailsClosed(t *testing.T) {
	g := newGate()
	e := startWith(t, nil, server.Options{Inspectors: []ferry.Inspector{g}})
	alice, bob := e.user("alice", ferry.TierFree), e.user("bob", ferry.TierFree)

	for _, tc := range []struct {
		verdict error
		status  int
		code    ferry.Code
	}{
		{ferry.E(ferry.CodeMalwareDetected).With("signature", "Eicar-Test-Signature"), 422, ferry.CodeMalwareDetected},
		{errors.New("scanner connection refused"), 503, ferry.CodeScanUnavailable},
	} {
		c := e.create(alice, []string{"bob"}, "x.img", 4, "")
		g.verdict <- tc.verdict
		b := e.wantError(e.patch(alice, c.UploadURL, 0, []byte("abcd"), nil), tc.status, tc.code)
		if tc.code == ferry.CodeScanUnavailable && (!b.Retryable || b.RetryAfterSeconds == 0) {
			t.Errorf("5005 must be retryable with Retry-After: %+v", b)
		}
		if tc.code == ferry.CodeMalwareDetected && b.Details["signature"] != "Eicar-Test-Signature" {
			t.Errorf("5002 details %v", b.Details)
		}
		<-g.entered
		tr := e.transfer(alice, c.ID)
		if tr.State != ferry.StateRejected || tr.Error == nil || tr.Error.Code != tc.code {
			t.Fatalf("%+v", tr)
		}
	}
	if len(e.list(bob, "inbox").Transfers) != 0 || e.storage(alice) != 0 {
		t.Fatal("a rejected file was delivered or still counts")
	}
	// The rejected content is not kept: the sweeper deletes its blob.
	if rep, err := e.node.Transfers.Sweep(t.Context()); err != nil || rep.Blobs != 1 {
		t.Fatalf("sweep: %+v %v", rep, err)
	}
}

// held is a test inspector that says when it started and then holds its
// verdict until the test gives it, or until it is cancelled, which it
// reports.
type held struct {
	entered   chan struct{}
	verdict   chan error
	cancelled chan struct{}
}

func newHeld() *held {
	return &held{entered: make(chan struct{}, 1), verdict: make(chan error, 1), cancelled: make(chan struct{}, 1)}
}

func (h *held) Inspect(ctx context.Context, f *ferry.File) error {
	h.entered <- struct{}{}
	select {
	case err := <-h.verdict:
		return err
	case <-ctx.Done():
		h.cancelled <- struct{}{}
		return ctx.Err()
	}
}

// The inspectors of one file run at once, and the verdict is the first
// one's in their order, as if they had run one after another: a later
// inspector's refusal waits for the earlier ones, and an earlier one's
// refusal stops the later ones.
func TestInspectorsRunAtOnce(t *testing.T) {
	first, second := newHeld(), newHeld()
	e := startWith(t, nil, server.Options{Inspectors: []ferry.Inspector{first, second}})
	alice := e.user("alice", ferry.TierFree)
	e.user("bob", ferry.TierFree)
	upload := func(name string) (wire.CreateTransferResponse, chan *resp) {
		c := e.create(alice, []string{"bob"}, name, 4, "")
		res := make(chan *resp, 1)
		go func() { res <- e.patch(alice, c.UploadURL, 0, []byte("abcd"), nil) }()
		return c, res
	}

	// Both start before either has a verdict; the second refuses first,
	// but the first's refusal is the transfer's.
	c, res := upload("a.txt")
	<-first.entered
	<-second.entered
	second.verdict <- ferry.E(ferry.CodeMalwareDetected).With("signature", "Later-Signature")
	first.verdict <- ferry.E(ferry.CodeSensitiveContent).With("category", "secret")
	e.wantError(<-res, 422, ferry.CodeSensitiveContent)
	if tr := e.transfer(alice, c.ID); tr.State != ferry.StateRejected || tr.Error.Code != ferry.CodeSensitiveContent {
		t.Fatalf("%+v", tr)
	}

	// The first refuses: the second, still deciding, is stopped.
	c, res = upload("b.txt")
	<-first.entered
	<-second.entered
	first.verdict <- ferry.E(ferry.CodeSensitiveContent).With("category", "secret")
	<-second.cancelled
	e.wantError(<-res, 422, ferry.CodeSensitiveContent)

	// Both pass, in either order: the file is delivered.
	c, res = upload("c.txt")
	<-first.entered
	<-second.entered
	second.verdict <- nil
	first.verdict <- nil
	if r := <-res; r.StatusCode != 204 {
		t.Fatalf("PATCH: %d", r.StatusCode)
	}
	var tr wire.Transfer
	e.decode(e.do(request{method: "GET", path: "/api/v1/transfers/" + c.ID + "?wait=60s", token: alice}), 200, &tr)
	if tr.State != ferry.StateAvailable {
		t.Fatalf("both passed: %s", tr.State)
	}
}

// panicking is a test inspector with a bug.
type panicking struct{}

func (panicking) Inspect(context.Context, *ferry.File) error { panic("an inspector's bug") }

// An inspector that panics fails the file closed (5005, retryable), and
// the node goes on serving.
func TestInspectorPanicFailsClosed(t *testing.T) {
	e := startWith(t, nil, server.Options{Inspectors: []ferry.Inspector{panicking{}}})
	alice, bob := e.user("alice", ferry.TierFree), e.user("bob", ferry.TierFree)
	c := e.create(alice, []string{"bob"}, "a.txt", 4, "")
	e.wantError(e.patch(alice, c.UploadURL, 0, []byte("abcd"), nil), 503, ferry.CodeScanUnavailable)
	if tr := e.transfer(alice, c.ID); tr.State != ferry.StateRejected || tr.Error.Code != ferry.CodeScanUnavailable {
		t.Fatalf("%+v", tr)
	}
	if len(e.list(bob, "inbox").Transfers) != 0 {
		t.Fatal("delivered after a panic")
	}
}
