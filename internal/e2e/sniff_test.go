package e2e

import (
	"testing"

	"github.com/ferryhq/ferry"
	"github.com/ferryhq/ferry/httpapi/wire"
)

// An .exe named .pdf is refused when its first bytes arrive (1002), not
// after its last: the PATCH answers the error, the transfer is rejected,
// its bytes are gone, and its storage is given back.
func TestUploadRefusesContentThatIsNotWhatItsNameSays(t *testing.T) {
	e := start(t, nil)
	alice := e.user("alice", ferry.TierFree)
	bob := e.user("bob", ferry.TierFree)
	data := exeBytes(t, 1<<20)
	c := e.create(alice, []string{"bob"}, "invoice.pdf", int64(len(data)), "")
	b := e.wantError(e.patch(alice, c.UploadURL, 0, data, nil), 415, ferry.CodeFileTypeMismatch)
	if b.Rule != "types.document.pdf" || b.Details["declared_type"] != "pdf" || b.Details["detected_type"] != "exe" {
		t.Errorf("1002 body %+v", b)
	}
	if got := e.transfer(alice, c.ID); got.State != ferry.StateRejected || got.Error == nil || got.Error.Code != ferry.CodeFileTypeMismatch {
		t.Errorf("transfer after 1002: %+v", got)
	}
	e.wantError(e.head(alice, c.UploadURL), 415, ferry.CodeFileTypeMismatch)
	if n := e.storage(alice); n != 0 {
		t.Errorf("storage after 1002: %d, want 0", n)
	}
	if in := e.list(bob, "inbox"); len(in.Transfers) != 0 {
		t.Errorf("bob's inbox: %+v", in.Transfers)
	}
}

// The first bytes may come in several PATCHes: the check waits until it
// has enough, and judges all of them.
func TestUploadJudgesAHeadSplitAcrossChunks(t *testing.T) {
	e := start(t, nil)
	alice := e.user("alice", ferry.TierFree)
	e.user("bob", ferry.TierFree)

	data := exeBytes(t, 10000)
	c := e.create(alice, []string{"bob"}, "scan.jpg", int64(len(data)), "")
	if r := e.patch(alice, c.UploadURL, 0, data[:2], nil); r.StatusCode != 204 {
		t.Fatalf("first 2 bytes: %d %s", r.StatusCode, r.body)
	}
	if r := e.head(alice, c.UploadURL); r.Header.Get("Upload-Offset") != "2" {
		t.Fatalf("offset after 2 bytes: %q", r.Header.Get("Upload-Offset"))
	}
	b := e.wantError(e.patch(alice, c.UploadURL, 2, data[2:5000], nil), 415, ferry.CodeFileTypeMismatch)
	if b.Rule != "types.image.jpeg" {
		t.Errorf("rule %q", b.Rule)
	}

	// A real PDF in small pieces passes.
	pdf := append([]byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"), randomBytes(t, 9000)...)
	c = e.create(alice, []string{"bob"}, "季度 报告.pdf", int64(len(pdf)), "")
	for off := 0; off < len(pdf); off += 3000 {
		end := min(off+3000, len(pdf))
		if r := e.patch(alice, c.UploadURL, int64(off), pdf[off:end], nil); r.StatusCode != 204 {
			t.Fatalf("PATCH at %d: %d %s", off, r.StatusCode, r.body)
		}
	}
	if got := e.transfer(alice, c.ID); got.State != ferry.StateAvailable {
		t.Errorf("the pdf: %+v", got)
	}
}

// Instant transfer shares content sent before, perhaps under another name:
// an executable sent as a disk image cannot come back as a .pdf.
func TestInstantTransferJudgesTheNewName(t *testing.T) {
	e := start(t, nil)
	alice := e.user("alice", ferry.TierFree)
	e.user("bob", ferry.TierFree)
	data := exeBytes(t, 100<<10)
	e.send(alice, []string{"bob"}, "backup.img", data) // no signature to check: accepted
	c := e.create(alice, []string{"bob"}, "invoice.pdf", int64(len(data)), sha256hex(data))
	if c.Challenge == nil {
		t.Fatal("no challenge")
	}
	e.wantError(e.do(request{method: "POST", path: "/api/v1/transfers/" + c.ID + "/proof", token: alice,
		json: wire.ProofRequest{SHA256: proofFor(data, c.Challenge)}}), 415, ferry.CodeFileTypeMismatch)
	if got := e.transfer(alice, c.ID); got.State != ferry.StateRejected {
		t.Errorf("state %s, want rejected", got.State)
	}
}
