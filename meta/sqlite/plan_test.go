package sqlite

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferryhq/ferry"
)

// The queries that run on every create, pre-check and recall, and those of
// the sweeper, use the indexes made for them: a partial index serves a query
// only when the query names its condition, and a query that scans instead
// still answers right, only slower as the tables grow — which no other test
// would see.
func TestQueryPlans(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "ferry.db"))
	defer s.Close()
	for _, tc := range []struct {
		name, query string
		args        []any
		want        []string // each index the plan must search, in any order
	}{
		{"usage figures", figuresSQL, []any{1, 2, 3}, []string{"transfers_sender_live", "transfers_sender_rank"}},
		{"counting", countingSQL, []any{1, 2, 3}, []string{"transfers_sender_counting"}},
		{"networks", networksSQL, []any{1, 2}, []string{"sender_networks_last"}},
		{"due", transferSelect + dueSQL, []any{1, 1, 10}, []string{"transfers_delivered_expires", "transfers_uploading_expires"}},
		{"inspections left", transferSelect + inStateSQL(ferry.StateInspecting), []any{1, 10}, []string{"transfers_inspecting_updated"}},
		{"unreferenced blobs", `SELECT b.sha256 FROM blobs b WHERE NOT ` + referenced(), nil, []string{"transfers_sha256"}},
		{"transfer", transferByIDSQL, []any{"x"}, []string{"sqlite_autoindex_transfers_1"}},
		{"session", sessionSQL, []any{[]byte("x")}, []string{"sqlite_autoindex_tokens_1"}},
	} {
		rows, err := s.r.QueryContext(t.Context(), `EXPLAIN QUERY PLAN `+tc.query, tc.args...)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		all := strings.Join(plan, "\n")
		for _, idx := range tc.want {
			if !strings.Contains(all, "INDEX "+idx) {
				t.Errorf("%s: the plan does not use %s:\n%s", tc.name, idx, all)
			}
		}
		if strings.Contains(all, "SCAN t\n") || strings.HasSuffix(all, "SCAN t") || strings.Contains(all, "SCAN transfers") {
			t.Errorf("%s: the plan scans transfers:\n%s", tc.name, all)
		}
	}
}
