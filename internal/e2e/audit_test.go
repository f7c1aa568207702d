package e2e

import (
	"testing"
	"time"

	"github.com/ferryhq/ferry"
	"github.com/ferryhq/ferry/httpapi/wire"
)

// auditOf returns the audit log as an administrator reads it, once every
// decision made so far is stored.
func (e *env) auditOf(query string) []wire.AuditRecord {
	e.t.Helper()
	if err := e.node.Audit.Flush(e.t.Context()); err != nil {
		e.t.Fatal(err)
	}
	var out wire.AuditList
	e.decode(e.do(request{method: "GET", path: "/api/v1/admin/audit?" + query, token: e.admin}), 200, &out)
	return out.Records
}

// Every decision the node makes reaches the audit log, with who, when, the
// file, the verdict, the code, the rule and the client's address: logins,
// creates, pre-checks, uploads, recalls, downloads and risk levels.
func TestEveryDecisionIsAudited(t *testing.T) {
	e := start(t, nil)
	alice := e.user("alice", ferry.TierFree)
	bob := e.user("bob", ferry.TierFree)
	e.wantError(e.do(request{method: "POST", path: "/api/v1/login",
		json: wire.LoginRequest{Username: "alice", Password: "wrong"}}), 401, ferry.CodeLoginFailed)

	delivered := e.send(alice, []string{"bob"}, "季度 报告.pdf", pdfBytes(t, 5000))
	e.wantError(e.createSized(alice, 5e9+1), 413, ferry.CodeFileTooLarge)
	var pc wire.Precheck
	e.decode(e.do(request{method: "POST", path: "/api/v1/precheck", token: alice,
		json: wire.CreateTransferRequest{To: []string{"bob"}, Name: "desk.lnk", Size: 10}}), 200, &pc)
	fake := e.create(alice, []string{"bob"}, "invoice.pdf", 9000, "")
	e.wantError(e.patch(alice, fake.UploadURL, 0, exeBytes(t, 9000), nil), 415, ferry.CodeFileTypeMismatch)
	recalled := e.create(alice, []string{"bob"}, "draft.pdf", 100, "")
	e.decode(e.do(request{method: "DELETE", path: "/api/v1/transfers/" + recalled.ID, token: alice}), 200, nil)
	e.do(request{method: "GET", path: "/api/v1/transfers/" + delivered + "/content", token: bob})
	// The server records a download after its last byte went out, which
	// may be after the client read it: wait until the transfer says so.
	for i := 0; e.transfer(alice, delivered).State != ferry.StateDownloaded; i++ {
		if i == 10000 {
			t.Fatal("the download was never recorded")
		}
	}

	type want struct {
		action, verdict string
		code            ferry.Code
		rule, name, id  string
	}
	wants := []want{ // newest first
		{ferry.AuditDownload, ferry.VerdictAccepted, 0, "", "季度 报告.pdf", delivered},
		{ferry.AuditRecall, ferry.VerdictAccepted, 0, "", "draft.pdf", recalled.ID},
		{ferry.AuditCreate, ferry.VerdictAccepted, 0, "", "draft.pdf", recalled.ID},
		{ferry.AuditUpload, ferry.VerdictRejected, ferry.CodeFileTypeMismatch, "types.document.pdf", "invoice.pdf", fake.ID},
		{ferry.AuditCreate, ferry.VerdictAccepted, 0, "", "invoice.pdf", fake.ID},
		{ferry.AuditPrecheck, ferry.VerdictRejected, ferry.CodeFileTypeBlocked, "blocked_types", "desk.lnk", ""},
		{ferry.AuditCreate, ferry.VerdictRejected, ferry.CodeFileTooLarge, "tiers.free.max_file_size", "part.img", ""},
		{ferry.AuditUpload, ferry.VerdictAccepted, 0, "", "季度 报告.pdf", delivered},
		{ferry.AuditCreate, ferry.VerdictAccepted, 0, "", "季度 报告.pdf", delivered},
	}
	var got []wire.AuditRecord
	for _, r := range e.auditOf("limit=50") {
		if r.Action != ferry.AuditLogin && r.Action != ferry.AuditRisk {
			got = append(got, r)
		}
	}
	if len(got) != len(wants) {
		t.Fatalf("%d decisions about files, want %d: %+v", len(got), len(wants), got)
	}
	for i, w := range wants {
		g := got[i]
		if g.Action != w.action || g.Verdict != w.verdict || g.Code != w.code || g.Rule != w.rule || g.Name != w.name || g.TransferID != w.id {
			t.Errorf("record %d: %+v, want %+v", i, g, w)
		}
		if w.code != 0 && g.CodeName != w.code.Name() {
			t.Errorf("record %d: code name %q", i, g.CodeName)
		}
		if g.At.IsZero() || g.User == "" {
			t.Errorf("record %d without a time or a user: %+v", i, g)
		}
		// Decisions on a request carry the client's address; an upload's
		// verdict comes from the inspection, after the request.
		if (g.Action == ferry.AuditCreate || g.Action == ferry.AuditPrecheck) && g.IP != "127.0.0.1" {
			t.Errorf("record %d: ip %q", i, g.IP)
		}
	}
	if got[0].User != "bob" || got[1].User != "alice" || got[6].Size != 5e9+1 {
		t.Errorf("who and size: %+v %+v %+v", got[0], got[1], got[6])
	}

	logins := e.auditOf("action=login&verdict=rejected")
	if len(logins) != 1 || logins[0].User != "alice" || logins[0].Code != ferry.CodeLoginFailed || logins[0].IP != "127.0.0.1" {
		t.Errorf("failed logins: %+v", logins)
	}
	if r := e.auditOf("code=FILE_TYPE_MISMATCH"); len(r) != 1 || r[0].TransferID != fake.ID {
		t.Errorf("by code name: %+v", r)
	}

	// Three failed logins raise alice to level 2: a decision too.
	for range 2 {
		e.do(request{method: "POST", path: "/api/v1/login", json: wire.LoginRequest{Username: "alice", Password: "wrong"}})
	}
	risk := e.auditOf("action=risk")
	if len(risk) != 1 || risk[0].User != "alice" || risk[0].Verdict != "level 2" || risk[0].Code != ferry.CodeStepUpRequired ||
		risk[0].Rule != "risk.login_failures" {
		t.Errorf("risk decisions: %+v", risk)
	}

	var sum wire.AuditSummary
	e.decode(e.do(request{method: "GET", path: "/api/v1/admin/audit/summary", token: e.admin}), 200, &sum)
	day := e.clock.Now().UTC().Format(time.DateOnly)
	found := false
	for _, c := range sum.Counts {
		if c.Day == day && c.Action == ferry.AuditCreate && c.Verdict == ferry.VerdictAccepted && c.Count == 3 {
			found = true
		}
	}
	if !found {
		t.Errorf("summary has no 3 accepted creates on %s: %+v", day, sum.Counts)
	}
	e.wantError(e.do(request{method: "GET", path: "/api/v1/admin/audit", token: alice}), 403, ferry.CodeForbidden)
}
