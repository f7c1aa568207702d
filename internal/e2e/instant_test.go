package e2e

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"testing"

	"github.com/ferryhq/ferry"
	"github.com/ferryhq/ferry/httpapi/wire"
)

func proofFor(data []byte, ch *ferry.Challenge) string {
	h := sha256.New()
	for _, r := range ch.Ranges {
		h.Write(data[r.Offset : r.Offset+r.Length])
	}
	return hex.EncodeToString(h.Sum(nil))
}

func TestInstantTransfer(t *testing.T) {
	e := start(t, nil)
	alice, bob, carol := e.user("alice", ferry.TierFree), e.user("bob", ferry.TierFree), e.user("carol", ferry.TierFree)
	data := randomBytes(t, 1<<20)
	sha := sha256hex(data)
	e.send(alice, []string{"bob"}, "deck.img", data)

	// Carol holds the same file: a right proof delivers it without upload.
	c := e.create(carol, []string{"bob"}, "deck copy.img", int64(len(data)), sha)
	if c.Challenge == nil || len(c.Challenge.Ranges) == 0 {
		t.Fatal("no challenge")
	}
	var pr wire.ProofResponse
	e.decode(e.do(request{method: "POST", path: "/api/v1/transfers/" + c.ID + "/proof", token: carol,
		json: wire.ProofRequest{SHA256: proofFor(data, c.Challenge)}}), 200, &pr)
	if !pr.Instant || pr.Transfer.State != ferry.StateAvailable || pr.UploadURL != "" {
		t.Fatalf("right proof: %+v", pr)
	}
	r := e.do(request{method: "GET", path: "/api/v1/transfers/" + c.ID + "/content", token: bob})
	if !bytes.Equal(r.body, data) {
		t.Fatal("instant transfer content differs")
	}
	if e.storage(carol) != int64(len(data)) {
		t.Errorf("an instant transfer still counts against the sender's quota: %d", e.storage(carol))
	}
}

// Knowing a hash is not holding the file: a wrong proof answers exactly as
// content the server does not have, and the sender must upload.
func TestInstantTransferRefusesWrongProof(t *testing.T) {
	e := start(t, nil)
	alice, mallory := e.user("alice", ferry.TierFree), e.user("mallory", ferry.TierFree)
	e.user("bob", ferry.TierFree)
	data := randomBytes(t, 200_000)
	e.send(alice, []string{"bob"}, "payroll.img", data)

	prove := func(token string, c wire.CreateTransferResponse, proof string) wire.ProofResponse {
		var pr wire.ProofResponse
		e.decode(e.do(request{method: "POST", path: "/api/v1/transfers/" + c.ID + "/proof", token: token,
			json: wire.ProofRequest{SHA256: proof}}), 200, &pr)
		return pr
	}
	// Mallory knows the hash but not the content.
	held := e.create(mallory, []string{"mallory"}, "x.img", int64(len(data)), sha256hex(data))
	wrong := prove(mallory, held, sha256hex([]byte("guess")))
	// Content nobody holds, proven "right".
	other := randomBytes(t, 200_000)
	notHeld := e.create(mallory, []string{"mallory"}, "y.img", int64(len(other)), sha256hex(other))
	unknown := prove(mallory, notHeld, proofFor(other, notHeld.Challenge))
	for _, pr := range []wire.ProofResponse{wrong, unknown} {
		if pr.Instant || pr.Transfer.State != ferry.StateUploading || pr.UploadURL == "" {
			t.Fatalf("proof answered %+v", pr)
		}
	}
	if len(e.list(mallory, "inbox").Transfers) != 0 {
		t.Fatal("mallory got the content")
	}
	// One attempt per challenge: even the right proof now gets nothing.
	if again := prove(mallory, held, proofFor(data, held.Challenge)); again.Instant {
		t.Fatal("a second proof was accepted")
	}
	// The refused sender uploads normally.
	if r := e.patch(mallory, notHeld.UploadURL, 0, other, nil); r.StatusCode != 204 {
		t.Fatalf("upload after refusal: %d %s", r.StatusCode, r.body)
	}
	if got := e.transfer(mallory, notHeld.ID); got.State != ferry.StateAvailable {
		t.Fatalf("state %s", got.State)
	}
}
