package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ferryhq/ferry"
	"github.com/ferryhq/ferry/meta/internal/sqlstore"
)

var _ ferry.AuditStore = (*Store)(nil)

const auditCols = `id, at, account_id, account, action, transfer_id, name, size, verdict, code, rule, ip, details`

// AppendAudit stores recs in one transaction, one INSERT … RETURNING id
// each, all sent in one batch (one round trip), and sets their IDs once it
// has committed. The identity column hands out IDs in the order of the
// inserts. The texts of a record are stored as textSafe makes them, so that
// a refused file name holding a NUL is recorded rather than refused.
func (s *Store) AppendAudit(ctx context.Context, recs []*ferry.AuditRecord) error {
	const op = "meta/postgres: append audit"
	if len(recs) == 0 {
		return nil
	}
	ids := make([]int64, len(recs))
	err := s.write(ctx, op, func(tx pgx.Tx) error {
		b := &pgx.Batch{}
		for i, r := range recs {
			details, err := encodeDetails(r.Details)
			if err != nil {
				return err
			}
			b.Queue(insertAuditSQL, nanos(r.At), r.AccountID, textSafe(r.Account), textSafe(r.Action),
				textSafe(r.TransferID), textSafe(r.Name), r.Size, textSafe(r.Verdict), int(r.Code), textSafe(r.Rule),
				textSafe(r.IP), details).
				QueryRow(func(row pgx.Row) error { return row.Scan(&ids[i]) })
		}
		return tx.SendBatch(ctx, b).Close()
	})
	if err != nil {
		return err
	}
	for i, r := range recs {
		r.ID = ids[i]
	}
	return nil
}

const insertAuditSQL = `INSERT INTO audit
	(at, account_id, account, action, transfer_id, name, size, verdict, code, rule, ip, details)
	VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`

// encodeDetails renders details as a JSON object, nil (NULL) for none. A
// value that JSON cannot encode is stored as its fmt text, so that a record
// is never refused for its details. The column is json, which keeps the
// text as it is: a \u0000 that jsonb would refuse is stored too.
func encodeDetails(d map[string]any) (any, error) {
	if len(d) == 0 {
		return nil, nil
	}
	b, err := json.Marshal(d)
	if err != nil {
		safe := make(map[string]any, len(d))
		for k, v := range d {
			if _, err := json.Marshal(v); err != nil {
				v = fmt.Sprint(v)
			}
			safe[k] = v
		}
		if b, err = json.Marshal(safe); err != nil {
			return nil, fmt.Errorf("audit details: %w", err)
		}
	}
	return string(b), nil
}

func scanAudit(row pgx.Row) (*ferry.AuditRecord, error) {
	var (
		r       ferry.AuditRecord
		at      int64
		code    int32
		details []byte
	)
	err := row.Scan(&r.ID, &at, &r.AccountID, &r.Account, &r.Action, &r.TransferID, &r.Name, &r.Size,
		&r.Verdict, &code, &r.Rule, &r.IP, &details)
	if err != nil {
		return nil, err
	}
	r.At, r.Code = fromNanos(at), ferry.Code(code)
	if details != nil {
		if err := json.Unmarshal(details, &r.Details); err != nil {
			return nil, fmt.Errorf("audit record %d: details: %w", r.ID, err)
		}
	}
	return &r, nil
}

// Audit lists the records q selects, newest first by (at, id),
// keyset-paginated like the transfer lists.
func (s *Store) Audit(ctx context.Context, q ferry.AuditQuery) ([]*ferry.AuditRecord, string, error) {
	const op = "meta/postgres: audit"
	limit := min(normLimit(q.Page.Limit, defaultPage), maxPage)
	var f filter
	f.bounds(q.Since, q.Until)
	if q.Account != "" {
		f.add("account = ?", textSafe(q.Account))
	}
	if q.Action != "" {
		f.add("action = ?", textSafe(q.Action))
	}
	if q.Verdict != "" {
		f.add("verdict = ?", textSafe(q.Verdict))
	}
	if q.Code != 0 {
		f.add("code <> 0 AND code = ?", int(q.Code)) // code <> 0: the partial index audit_code
	}
	if q.Page.Cursor != "" {
		at, id, err := decodeAuditCursor(q.Page.Cursor)
		if err != nil {
			return nil, "", ferry.E(ferry.CodeBadRequest).WithOp(op).WithErr(err).With("reason", "malformed page cursor")
		}
		f.add("(at, id) < (?, ?)", at, id)
	}
	query := `SELECT ` + auditCols + ` FROM audit` + f.where() +
		` ORDER BY at DESC, id DESC LIMIT ` + strconv.Itoa(limit+1) // one more: is there a next page?
	rows, err := s.pool.Query(ctx, query, f.args...)
	if err != nil {
		return nil, "", dbErr(op, err)
	}
	recs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*ferry.AuditRecord, error) { return scanAudit(r) })
	if err != nil {
		return nil, "", dbErr(op, err)
	}
	if len(recs) <= limit {
		return recs, "", nil
	}
	recs = recs[:limit]
	last := recs[limit-1]
	return recs, sqlstore.EncodeCursor(nanos(last.At), strconv.FormatInt(last.ID, 10)), nil
}

// filter builds a WHERE clause of conditions written with ?, numbered $1,
// $2, … in the order they are added.
type filter struct {
	conds []string
	args  []any
}

func (f *filter) add(cond string, args ...any) {
	for _, a := range args {
		f.args = append(f.args, a)
		cond = strings.Replace(cond, "?", "$"+strconv.Itoa(len(f.args)), 1)
	}
	f.conds = append(f.conds, cond)
}

// bounds adds since <= at < until, a zero bound being open.
func (f *filter) bounds(since, until time.Time) {
	if !since.IsZero() {
		f.add("at >= ?", nanos(since))
	}
	if !until.IsZero() {
		f.add("at < ?", nanos(until))
	}
}

func (f *filter) where() string {
	if len(f.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(f.conds, " AND ")
}

// decodeAuditCursor reads the cursor Audit returned: a time and an ID.
func decodeAuditCursor(c string) (int64, int64, error) {
	at, idText, err := sqlstore.DecodeCursor(c)
	if err != nil {
		return 0, 0, err
	}
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil {
		return 0, 0, err
	}
	return at, id, nil
}

// nanosPerDay is the length of a UTC day; UTC has no leap seconds in Unix
// time, so a day number is a floor division.
const nanosPerDay = int64(24 * time.Hour)

// AuditSummary counts records by UTC day, action, verdict and code.
func (s *Store) AuditSummary(ctx context.Context, since, until time.Time) ([]ferry.AuditCount, error) {
	const op = "meta/postgres: audit summary"
	var f filter
	f.bounds(since, until)
	// div truncates towards zero; the day number rounds down for times
	// before 1970 as well.
	day := fmt.Sprintf(`CASE WHEN at >= 0 THEN at / %[1]d ELSE (at + 1) / %[1]d - 1 END`, nanosPerDay)
	query := `SELECT ` + day + ` AS day, action, verdict, code, count(*) FROM audit` + f.where() +
		` GROUP BY day, action, verdict, code ORDER BY day, action COLLATE "C", verdict COLLATE "C", code`
	rows, err := s.pool.Query(ctx, query, f.args...)
	if err != nil {
		return nil, dbErr(op, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (ferry.AuditCount, error) {
		var (
			c    ferry.AuditCount
			d    int64
			code int32
		)
		err := r.Scan(&d, &c.Action, &c.Verdict, &code, &c.Count)
		c.Day, c.Code = time.Unix(d*int64(24*60*60), 0).UTC(), ferry.Code(code)
		return c, err
	})
	if err != nil {
		return nil, dbErr(op, err)
	}
	return out, nil
}
