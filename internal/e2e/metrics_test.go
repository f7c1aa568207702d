package e2e

import (
	"bufio"
	"bytes"
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/ferryhq/ferry"
	"github.com/ferryhq/ferry/httpapi/wire"
	"github.com/ferryhq/ferry/meta/postgres"
	"github.com/ferryhq/ferry/meta/sqlite"
)

// GET /metrics counts every decision by action and verdict, and every
// refusal by its code; the decisions it counts are exactly the records the
// audit log stores.
func TestMetricsCountDecisions(t *testing.T) {
	e := start(t, nil)
	alice := e.user("alice", ferry.TierFree)
	e.user("bob", ferry.TierFree)
	before := e.metrics()

	e.create(alice, []string{"bob"}, "report.pdf", 1000, "")
	shortcut := wire.CreateTransferRequest{To: []string{"bob"}, Name: "invoice.lnk", Size: 100}
	e.wantError(e.do(request{method: "POST", path: "/api/v1/transfers", token: alice, json: shortcut}), 415, ferry.CodeFileTypeBlocked)
	e.wantError(e.do(request{method: "POST", path: "/api/v1/transfers", token: alice, json: shortcut}), 415, ferry.CodeFileTypeBlocked)
	var pre wire.Precheck
	e.decode(e.do(request{method: "POST", path: "/api/v1/precheck", token: alice, json: shortcut}), 200, &pre)
	if pre.Verdict != ferry.VerdictRejected {
		t.Fatalf("precheck of a shortcut: %+v", pre)
	}
	e.wantError(e.do(request{method: "POST", path: "/api/v1/login",
		json: wire.LoginRequest{Username: "alice", Password: "not-alice-password"}}), 401, ferry.CodeLoginFailed)

	after := e.metrics()
	for _, c := range []struct {
		series string
		want   float64
	}{
		{`ferry_decisions_total{action="create",verdict="accepted"}`, 1},
		{`ferry_decisions_total{action="create",verdict="rejected"}`, 2},
		{`ferry_decisions_total{action="precheck",verdict="rejected"}`, 1},
		{`ferry_rejections_total{action="create",code="1003",name="FILE_TYPE_BLOCKED"}`, 2},
		{`ferry_rejections_total{action="precheck",code="1003",name="FILE_TYPE_BLOCKED"}`, 1},
		{`ferry_rejections_total{action="login",code="4001",name="LOGIN_FAILED"}`, 1},
	} {
		if got := after[c.series] - before[c.series]; got != c.want {
			t.Errorf("%s rose by %v, want %v", c.series, got, c.want)
		}
	}
	if _, ok := after[`ferry_decisions_total{action="create",verdict="rejected"}`]; !ok {
		t.Fatalf("no rejected creates in /metrics: %v", after)
	}
	for _, s := range []string{"go_goroutines", "process_resident_memory_bytes", "ferry_audit_pending_records"} {
		if _, ok := after[s]; !ok {
			t.Errorf("/metrics has no %s", s)
		}
	}

	// Every decision counted is a record of the audit log, and no more.
	if err := e.node.Audit.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	m := e.metrics()
	var decisions float64
	for k, v := range m {
		if strings.HasPrefix(k, "ferry_decisions_total{") {
			decisions += v
		}
	}
	if written := m["ferry_audit_records_written_total"]; written != decisions || decisions == 0 {
		t.Errorf("audit records written %v, decisions counted %v", written, decisions)
	}
	if p := m["ferry_audit_pending_records"]; p != 0 {
		t.Errorf("%v audit records pending after a flush", p)
	}
	// The accepted create wrote a transfer, and the flush its records:
	// on SQLite the one writer ran them, and none failed (a refused create
	// writes nothing); on PostgreSQL each took a connection from the pool.
	switch e.node.Meta.(type) {
	case *sqlite.Store:
		if w := m["ferry_sqlite_writes_total"] - before["ferry_sqlite_writes_total"]; w < 2 {
			t.Errorf("ferry_sqlite_writes_total rose by %v, want at least 2", w)
		}
		if f := m["ferry_sqlite_write_failures_total"]; f != 0 {
			t.Errorf("ferry_sqlite_write_failures_total = %v", f)
		}
	case *postgres.Store:
		if a := m["ferry_postgres_acquires_total"] - before["ferry_postgres_acquires_total"]; a < 2 {
			t.Errorf("ferry_postgres_acquires_total rose by %v, want at least 2", a)
		}
		if c := m["ferry_postgres_connections_max"]; c < 1 {
			t.Errorf("ferry_postgres_connections_max = %v", c)
		}
	default:
		t.Fatalf("a node on %T", e.node.Meta)
	}
}

// metrics reads GET /metrics (no token) into series → value.
func (e *env) metrics() map[string]float64 {
	e.t.Helper()
	r := e.do(request{method: "GET", path: "/metrics"})
	if r.StatusCode != 200 {
		e.t.Fatalf("GET /metrics: %d %s", r.StatusCode, r.body)
	}
	out := map[string]float64{}
	sc := bufio.NewScanner(bytes.NewReader(r.body))
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if i < 0 || err != nil {
			e.t.Fatalf("GET /metrics: line %q", line)
		}
		out[line[:i]] = v
	}
	return out
}
