package client

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/ferryhq/ferry"
	"github.com/ferryhq/ferry/httpapi/wire"
	"github.com/ferryhq/ferry/policy"
)

// The published policy survives the trip: the tier's limits and the
// catalogue's signatures are what the server holds, so that the checks
// run on them locally decide as the server's would.
func TestPolicyRoundTrip(t *testing.T) {
	p := policy.Default()
	if err := p.Complete(); err != nil {
		t.Fatal(err)
	}
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || r.URL.Path != "/api/v1/policy" {
			t.Errorf("%s %s", r.Method, r.URL.Path)
		}
		_ = json.NewEncoder(w).Encode(wire.EffectivePolicy{Tier: ferry.TierFree, Limits: p.Tier(ferry.TierFree),
			Types: p.Types, BlockedTypes: p.BlockedTypes, MaxNameBytes: policy.MaxNameBytes})
	})
	got, err := newTestClient(srv).Policy(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got.Tier != ferry.TierFree || got.Limits == nil || got.Limits.MaxFileSize != 5e9 || got.Limits.GroupLimits["media"] != 4e9 {
		t.Fatalf("limits %+v", got.Limits)
	}
	ix := got.Types.Index()
	if ok, declared, detected := ix.Consistent(".pdf", []byte("MZ\x90\x00")); ok || declared != "pdf" || detected != "exe" {
		t.Errorf("decoded catalogue: Consistent(.pdf, MZ) = %v %q %q", ok, declared, detected)
	}
	if ok, _, _ := ix.Consistent(".pdf", []byte("%PDF-1.7")); !ok {
		t.Error("decoded catalogue refuses a real pdf head")
	}
}

func TestPrecheck(t *testing.T) {
	var body wire.CreateTransferRequest
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/api/v1/precheck" {
			t.Errorf("%s %s", r.Method, r.URL.Path)
		}
		_ = json.NewDecoder(r.Body).Decode(&body)
		e := wire.NewError(ferry.E(ferry.CodeStorageQuotaExceeded).WithRule("tiers.free.storage_quota"), ferry.English)
		_ = json.NewEncoder(w).Encode(wire.Precheck{Verdict: "rejected", Error: &e, Checks: []wire.Check{
			{Rule: "files.name", Passed: true},
			{Rule: "tiers.free.storage_quota", Code: e.Code, Name: e.Name, Message: e.Message, Limit: 100, Actual: 120},
		}})
	})
	pc, err := newTestClient(srv).Precheck(context.Background(), wire.CreateTransferRequest{To: []string{"bo"}, Name: "季度.pdf", Size: 120})
	if err != nil {
		t.Fatal(err)
	}
	if body.Name != "季度.pdf" || body.Size != 120 || len(body.To) != 1 || body.SHA256 != "" {
		t.Errorf("request body %+v", body)
	}
	if pc.Verdict != "rejected" || pc.Error == nil || pc.Error.Code != ferry.CodeStorageQuotaExceeded || len(pc.Checks) != 2 {
		t.Fatalf("answer %+v", pc)
	}
	if c := pc.Checks[1]; c.Passed || c.Code != ferry.CodeStorageQuotaExceeded || c.Limit != float64(100) || c.Actual != float64(120) {
		t.Errorf("check %+v", c)
	}
}

// A pre-check that cannot be answered is an error, not a verdict.
func TestPrecheckUnauthenticated(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		writeErr(w, http.StatusUnauthorized, ferry.CodeUnauthenticated)
	})
	pc, err := newTestClient(srv).Precheck(context.Background(), wire.CreateTransferRequest{Name: "a.pdf", Size: 1})
	if pc != nil || errCode(err) != ferry.CodeUnauthenticated {
		t.Fatalf("Precheck = %+v, %v", pc, err)
	}
}
