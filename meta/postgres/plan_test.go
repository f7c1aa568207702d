package postgres

import (
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// The queries a create runs inside its transaction can each be answered
// from an index, so that their cost does not grow with the sender's
// history. With sequential scans priced out, a plan that still reads a
// table whole, or an index other than the one meant, says the query's
// words no longer match the index's (a partial index is used only when the
// query's condition implies its predicate).
func TestUsageQueriesUseIndexes(t *testing.T) {
	s := open(t)
	defer s.Close()
	ctx := t.Context()
	for _, c := range []struct {
		name  string
		query string
		args  []any
		want  []string // indexes the plan must use
	}{
		{"figures", figuresSQL, []any{int64(1), int64(2), int64(3)},
			[]string{"transfers_sender_live", "transfers_sender_created"}},
		{"counting", countingSQL, []any{int64(1), int64(2), int64(3)}, []string{"transfers_sender_counting"}},
		{"networks", networksSQL, []any{int64(1), int64(2)}, []string{"Index", "sender_networks_"}},
		{"network in span", networkInSpanSQL, []any{int64(1), int64(2), int64(3), "n"}, []string{"transfers_sender_created"}},
		{"due", transferSelect + dueSQL, []any{int64(1), 10},
			[]string{"transfers_delivered_expires", "transfers_uploading_expires"}},
	} {
		var plan []string
		err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, `SET LOCAL enable_seqscan = off`); err != nil {
				return err
			}
			rows, err := tx.Query(ctx, `EXPLAIN `+c.query, c.args...)
			if err != nil {
				return err
			}
			plan, err = pgx.CollectRows(rows, pgx.RowTo[string])
			return err
		})
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		text := strings.Join(plan, "\n")
		if strings.Contains(text, "Seq Scan on transfers") || strings.Contains(text, "Seq Scan on sender_networks") {
			t.Errorf("%s reads a table whole:\n%s", c.name, text)
		}
		for _, idx := range c.want {
			if !strings.Contains(text, idx) {
				t.Errorf("%s does not use %s:\n%s", c.name, idx, text)
			}
		}
	}
}
