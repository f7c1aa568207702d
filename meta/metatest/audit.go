package metatest

import (
	"fmt"
	"math"
	"reflect"
	"slices"
	"sync"
	"time"

	"github.com/ferryhq/ferry"
)

func auditTests() []test {
	return []test{
		{"Audit/RoundTrip", testAuditRoundTrip},
		{"Audit/Details", testAuditDetails},
		{"Audit/AppendNothing", testAuditAppendNothing},
		{"Audit/Filters", testAuditFilters},
		{"Audit/Pages", testAuditPages},
		{"Audit/PageLimits", testAuditPageLimits},
		{"Audit/BadCursor", testAuditBadCursor},
		{"Audit/Summary", testAuditSummary},
		{"Audit/ConcurrentAppends", testAuditConcurrent},
	}
}

// checkAudit compares every field of got with want.
func checkAudit(e *env, got, want *ferry.AuditRecord) {
	e.t.Helper()
	if got == nil {
		e.t.Fatalf("audit record %d: got nil", want.ID)
	}
	var d diff
	d.eq("ID", got.ID, want.ID)
	d.time("At", got.At, want.At)
	d.eq("AccountID", got.AccountID, want.AccountID)
	d.eq("Account", got.Account, want.Account)
	d.eq("Action", got.Action, want.Action)
	d.eq("TransferID", got.TransferID, want.TransferID)
	d.eq("Name", got.Name, want.Name)
	d.eq("Size", got.Size, want.Size)
	d.eq("Verdict", got.Verdict, want.Verdict)
	d.eq("Code", got.Code, want.Code)
	d.eq("Rule", got.Rule, want.Rule)
	d.eq("IP", got.IP, want.IP)
	if !reflect.DeepEqual(got.Details, want.Details) {
		d = append(d, fmt.Sprintf("Details = %#v, want %#v", got.Details, want.Details))
	}
	d.report(e.t, fmt.Sprintf("audit record %d", want.ID))
}

// appendAudit stores recs and checks that each got a new, increasing ID.
func (e *env) appendAudit(recs ...*ferry.AuditRecord) {
	e.t.Helper()
	e.ok(e.s.AppendAudit(e.ctx, recs), "AppendAudit")
	for i, r := range recs {
		if r.ID <= 0 || (i > 0 && r.ID <= recs[i-1].ID) {
			e.t.Fatalf("AppendAudit set IDs %v, want increasing positive IDs", auditIDs(recs))
		}
	}
}

// audit lists one page of q.
func (e *env) audit(q ferry.AuditQuery) ([]*ferry.AuditRecord, string) {
	e.t.Helper()
	recs, next, err := e.s.Audit(e.ctx, q)
	e.ok(err, fmt.Sprintf("Audit(%+v)", q))
	return recs, next
}

func auditIDs(recs []*ferry.AuditRecord) []int64 {
	out := make([]int64, len(recs))
	for i, r := range recs {
		out[i] = r.ID
	}
	return out
}

// auditRec is a small record of action and verdict by account at t.
func auditRec(account, action, verdict string, code ferry.Code, t time.Time) *ferry.AuditRecord {
	return &ferry.AuditRecord{At: t, Account: account, Action: action, Verdict: verdict, Code: code}
}

func testAuditRoundTrip(e *env) {
	alice := e.account("alice")
	east := time.FixedZone("UTC+8", 8*60*60)
	full := &ferry.AuditRecord{
		At: at(time.Second).In(east), AccountID: alice.ID, Account: "alice", Action: ferry.AuditUpload,
		TransferID: "t-123", Name: "Résumé 2026 (最终版) 📄.pdf", Size: 5_000_000_123,
		Verdict: ferry.VerdictRejected, Code: ferry.CodeMalwareDetected, Rule: "inspect.malware", IP: "2001:db8::1",
		Details: map[string]any{"signature": "EICAR-Test", "limit": float64(1 << 40), "groups": []any{"document", "image"},
			"archive": map[string]any{"depth": float64(3), "encrypted": false}, "none": nil},
	}
	accepted := &ferry.AuditRecord{At: at(2 * time.Second), AccountID: alice.ID, Account: "alice", Action: ferry.AuditCreate,
		TransferID: "t-124", Name: "notes.txt", Size: 12, Verdict: ferry.VerdictAccepted, IP: "192.0.2.7"}
	unknown := &ferry.AuditRecord{At: at(3 * time.Second), Account: "mallory", Action: ferry.AuditLogin,
		Verdict: ferry.VerdictRejected, Code: ferry.CodeLoginFailed, Rule: "login", IP: "198.51.100.9"}
	e.appendAudit(full, accepted, unknown)

	recs, next := e.audit(ferry.AuditQuery{})
	if next != "" || len(recs) != 3 {
		e.t.Fatalf("Audit() = %v, cursor %q; want 3 records and no cursor", auditIDs(recs), next)
	}
	// Newest first; each as written, its time in UTC.
	want := []*ferry.AuditRecord{unknown, accepted, full}
	for i, w := range want {
		checkAudit(e, recs[i], w)
	}
}

// Details that are empty read back as nil; values JSON cannot encode are
// kept as text rather than failing the append.
func testAuditDetails(e *env) {
	empty := auditRec("alice", ferry.AuditCreate, ferry.VerdictAccepted, 0, at(0))
	empty.Details = map[string]any{}
	odd := auditRec("alice", ferry.AuditCreate, ferry.VerdictRejected, ferry.CodeFileTooLarge, at(time.Second))
	odd.Details = map[string]any{"ratio": math.Inf(1), "limit": "5 GB"}
	e.appendAudit(empty, odd)
	recs, _ := e.audit(ferry.AuditQuery{})
	if len(recs) != 2 {
		e.t.Fatalf("Audit() = %v, want 2 records", auditIDs(recs))
	}
	if recs[1].Details != nil {
		e.t.Errorf("empty Details read back as %#v, want nil", recs[1].Details)
	}
	d := recs[0].Details
	if _, isText := d["ratio"].(string); !isText || d["limit"] != "5 GB" || len(d) != 2 {
		e.t.Errorf("Details with an unencodable value read back as %#v, want ratio as text and limit kept", d)
	}
}

func testAuditAppendNothing(e *env) {
	e.ok(e.s.AppendAudit(e.ctx, nil), "AppendAudit(nil)")
	recs, next := e.audit(ferry.AuditQuery{})
	if len(recs) != 0 || next != "" {
		e.t.Errorf("Audit of an empty log = %v, %q", auditIDs(recs), next)
	}
}

func testAuditFilters(e *env) {
	r := []*ferry.AuditRecord{
		auditRec("alice", ferry.AuditCreate, ferry.VerdictAccepted, 0, at(0)),
		auditRec("alice", ferry.AuditCreate, ferry.VerdictRejected, ferry.CodeFileTooLarge, at(time.Minute)),
		auditRec("bob", ferry.AuditCreate, ferry.VerdictRejected, ferry.CodeFileTooLarge, at(2*time.Minute)),
		auditRec("bob", ferry.AuditUpload, ferry.VerdictRejected, ferry.CodeMalwareDetected, at(3*time.Minute)),
		auditRec("alice", ferry.AuditLogin, ferry.VerdictRejected, ferry.CodeLoginFailed, at(4*time.Minute)),
		auditRec("carol", ferry.AuditDownload, ferry.VerdictAccepted, 0, at(5*time.Minute)),
	}
	e.appendAudit(r...)
	ids := func(is ...int) []int64 { // newest first
		var out []int64
		for _, i := range slices.Backward(is) {
			out = append(out, r[i].ID)
		}
		return out
	}
	for _, c := range []struct {
		name string
		q    ferry.AuditQuery
		want []int64
	}{
		{"all", ferry.AuditQuery{}, ids(0, 1, 2, 3, 4, 5)},
		{"since is inclusive", ferry.AuditQuery{Since: at(2 * time.Minute)}, ids(2, 3, 4, 5)},
		{"until is exclusive", ferry.AuditQuery{Until: at(2 * time.Minute)}, ids(0, 1)},
		{"since and until", ferry.AuditQuery{Since: at(time.Minute), Until: at(3*time.Minute + 1)}, ids(1, 2, 3)},
		{"empty range", ferry.AuditQuery{Since: at(time.Hour)}, nil},
		{"account", ferry.AuditQuery{Account: "alice"}, ids(0, 1, 4)},
		{"unknown account", ferry.AuditQuery{Account: "dave"}, nil},
		{"action", ferry.AuditQuery{Action: ferry.AuditCreate}, ids(0, 1, 2)},
		{"verdict", ferry.AuditQuery{Verdict: ferry.VerdictAccepted}, ids(0, 5)},
		{"code", ferry.AuditQuery{Code: ferry.CodeFileTooLarge}, ids(1, 2)},
		{"all at once", ferry.AuditQuery{Since: at(time.Minute), Until: at(time.Hour), Account: "bob",
			Action: ferry.AuditCreate, Verdict: ferry.VerdictRejected, Code: ferry.CodeFileTooLarge}, ids(2)},
	} {
		recs, next := e.audit(c.q)
		if got := auditIDs(recs); !slices.Equal(got, c.want) || next != "" {
			e.t.Errorf("%s: Audit = %v, cursor %q; want %v", c.name, got, next, c.want)
		}
	}
}

// auditPages walks every page of q with the given limit and returns the
// IDs in the order received, checking the cursors as pages does.
func (e *env) auditPages(q ferry.AuditQuery, limit, total int) []int64 {
	e.t.Helper()
	var got []int64
	q.Page = ferry.Page{Limit: limit}
	for i := 0; ; i++ {
		recs, next := e.audit(q)
		if len(recs) > limit {
			e.t.Fatalf("page %d has %d records, limit %d", i, len(recs), limit)
		}
		got = append(got, auditIDs(recs)...)
		if next == "" {
			if len(got) != total {
				e.t.Errorf("pages ended after %d records, want %d", len(got), total)
			}
			return got
		}
		if len(recs) < limit {
			e.t.Errorf("page %d has %d < %d records but a next cursor", i, len(recs), limit)
		}
		if i > total {
			e.t.Fatalf("more pages than records: %v", got)
		}
		q.Page.Cursor = next
	}
}

func testAuditPages(e *env) {
	// Seven records, several at the same instant, appended out of time
	// order over two batches.
	offsets := []time.Duration{time.Minute, 0, 3 * time.Minute, 2 * time.Minute, time.Minute, 3 * time.Minute, time.Minute}
	var recs []*ferry.AuditRecord
	for i, d := range offsets {
		recs = append(recs, auditRec("alice", ferry.AuditCreate, ferry.VerdictAccepted, 0, at(d)))
		recs[i].Name = fmt.Sprintf("f%d", i)
	}
	e.appendAudit(recs[:4]...)
	e.appendAudit(recs[4:]...)
	// Newest first; among equal times, the later ID first.
	want := auditIDs([]*ferry.AuditRecord{recs[5], recs[2], recs[3], recs[6], recs[4], recs[0], recs[1]})
	for _, limit := range []int{1, 2, 3, 7, 100} {
		if got := e.auditPages(ferry.AuditQuery{}, limit, 7); !slices.Equal(got, want) {
			e.t.Errorf("Audit pages of %d = %v, want %v", limit, got, want)
		}
	}
	// Filtered pages walk the same order.
	if got := e.auditPages(ferry.AuditQuery{Account: "alice", Until: at(3 * time.Minute)}, 2, 5); !slices.Equal(got, want[2:]) {
		e.t.Errorf("filtered pages = %v, want %v", got, want[2:])
	}
	// A record appended meanwhile neither shifts nor repeats the next page.
	page, next := e.audit(ferry.AuditQuery{Page: ferry.Page{Limit: 3}})
	e.appendAudit(auditRec("alice", ferry.AuditCreate, ferry.VerdictAccepted, 0, at(time.Hour)))
	rest, last := e.audit(ferry.AuditQuery{Page: ferry.Page{Limit: 4, Cursor: next}})
	if got := append(auditIDs(page), auditIDs(rest)...); !slices.Equal(got, want) || last != "" {
		e.t.Errorf("pages around an append = %v (cursor %q), want %v and no cursor", got, last, want)
	}
}

func testAuditPageLimits(e *env) {
	var recs []*ferry.AuditRecord
	for i := range 501 {
		recs = append(recs, auditRec("alice", ferry.AuditCreate, ferry.VerdictAccepted, 0, at(time.Duration(i)*time.Second)))
	}
	e.appendAudit(recs...)
	for _, c := range []struct{ limit, want int }{{0, 50}, {-1, 50}, {1000, 500}, {500, 500}} {
		got, next := e.audit(ferry.AuditQuery{Page: ferry.Page{Limit: c.limit}})
		if len(got) != c.want || next == "" {
			e.t.Errorf("Audit(limit %d) = %d records, cursor %q; want %d and a cursor", c.limit, len(got), next, c.want)
		}
	}
}

func testAuditBadCursor(e *env) {
	e.appendAudit(auditRec("alice", ferry.AuditCreate, ferry.VerdictAccepted, 0, base()))
	for _, c := range []string{"%%% not a cursor %%%", "AAAA", "bm9wZQ", "MTI6eA"} { // the last is "12:x"
		_, _, err := e.s.Audit(e.ctx, ferry.AuditQuery{Page: ferry.Page{Cursor: c}})
		e.wantCode(err, ferry.CodeBadRequest, fmt.Sprintf("Audit(cursor %q)", c))
	}
}

// count is a line of a summary.
func count(day time.Time, action, verdict string, code ferry.Code, n int64) ferry.AuditCount {
	return ferry.AuditCount{Day: day, Action: action, Verdict: verdict, Code: code, Count: n}
}

func testAuditSummary(e *env) {
	day := time.Date(2026, 3, 4, 0, 0, 0, 0, time.UTC)
	h := func(n int) time.Time { return day.Add(time.Duration(n) * time.Hour) }
	e.appendAudit(
		auditRec("alice", ferry.AuditCreate, ferry.VerdictAccepted, 0, h(-1)), // the day before
		auditRec("alice", ferry.AuditCreate, ferry.VerdictAccepted, 0, h(0)),  // midnight: this day
		auditRec("bob", ferry.AuditCreate, ferry.VerdictAccepted, 0, h(23)),
		auditRec("bob", ferry.AuditCreate, ferry.VerdictRejected, ferry.CodeFileTooLarge, h(5)),
		auditRec("bob", ferry.AuditCreate, ferry.VerdictRejected, ferry.CodeFileTooLarge, h(6)),
		auditRec("bob", ferry.AuditCreate, ferry.VerdictRejected, ferry.CodeFileTypeNotAllowed, h(6)),
		auditRec("carol", ferry.AuditUpload, ferry.VerdictRejected, ferry.CodeMalwareDetected, h(7)),
		auditRec("carol", ferry.AuditLogin, ferry.VerdictRejected, ferry.CodeLoginFailed, h(24)), // the next day
		auditRec("carol", ferry.AuditLogin, ferry.VerdictRejected, ferry.CodeLoginFailed, h(47)),
	)
	next := day.AddDate(0, 0, 1)
	all := []ferry.AuditCount{
		count(day.AddDate(0, 0, -1), ferry.AuditCreate, ferry.VerdictAccepted, 0, 1),
		count(day, ferry.AuditCreate, ferry.VerdictAccepted, 0, 2),
		count(day, ferry.AuditCreate, ferry.VerdictRejected, ferry.CodeFileTypeNotAllowed, 1),
		count(day, ferry.AuditCreate, ferry.VerdictRejected, ferry.CodeFileTooLarge, 2),
		count(day, ferry.AuditUpload, ferry.VerdictRejected, ferry.CodeMalwareDetected, 1),
		count(next, ferry.AuditLogin, ferry.VerdictRejected, ferry.CodeLoginFailed, 2),
	}
	for _, c := range []struct {
		name         string
		since, until time.Time
		want         []ferry.AuditCount
	}{
		{"open", time.Time{}, time.Time{}, all},
		{"one day", day, next, all[1:5]},
		{"part of a day", h(6), h(7), []ferry.AuditCount{
			count(day, ferry.AuditCreate, ferry.VerdictRejected, ferry.CodeFileTypeNotAllowed, 1),
			count(day, ferry.AuditCreate, ferry.VerdictRejected, ferry.CodeFileTooLarge, 1),
		}},
		{"since only", h(24), time.Time{}, all[5:]},
		{"nothing", h(100), h(200), nil},
	} {
		got, err := e.s.AuditSummary(e.ctx, c.since, c.until)
		e.ok(err, "AuditSummary("+c.name+")")
		if len(got) != len(c.want) {
			e.t.Errorf("AuditSummary(%s) = %+v, want %+v", c.name, got, c.want)
			continue
		}
		for i, w := range c.want {
			g := got[i]
			if !sameTime(g.Day, w.Day) || g.Action != w.Action || g.Verdict != w.Verdict || g.Code != w.Code || g.Count != w.Count {
				e.t.Errorf("AuditSummary(%s)[%d] = %+v, want %+v", c.name, i, g, w)
			}
		}
	}
}

// Concurrent appends all land, each record under its own ID.
func testAuditConcurrent(e *env) {
	const writers, batches, size = 4, 5, 20
	var wg sync.WaitGroup
	errs := make(chan error, writers*batches)
	all := make([][]*ferry.AuditRecord, writers*batches)
	for w := range writers {
		wg.Go(func() {
			for b := range batches {
				recs := make([]*ferry.AuditRecord, size)
				for i := range recs {
					recs[i] = auditRec(fmt.Sprintf("user%d", w), ferry.AuditCreate, ferry.VerdictAccepted, 0, at(time.Duration(i)))
					recs[i].Name = fmt.Sprintf("%d/%d/%d", w, b, i)
				}
				all[w*batches+b] = recs
				errs <- e.s.AppendAudit(e.ctx, recs)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		e.ok(err, "AppendAudit")
	}
	byID := map[int64]string{}
	for _, recs := range all {
		for _, r := range recs {
			byID[r.ID] = r.Name
		}
	}
	if len(byID) != writers*batches*size {
		e.t.Fatalf("%d distinct IDs for %d records", len(byID), writers*batches*size)
	}
	stored, next := e.audit(ferry.AuditQuery{Page: ferry.Page{Limit: 500}})
	if len(stored) != len(byID) || next != "" {
		e.t.Fatalf("Audit = %d records, cursor %q; want %d", len(stored), next, len(byID))
	}
	// Each ID names the record it was given to.
	for _, r := range stored {
		if byID[r.ID] != r.Name {
			e.t.Fatalf("record %d is %q, but AppendAudit gave that ID to %q", r.ID, r.Name, byID[r.ID])
		}
	}
}
