package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/ferryhq/ferry"
	"github.com/ferryhq/ferry/meta/internal/sqlstore"
)

var _ ferry.AuditStore = (*Store)(nil)

const auditCols = `id, at, account_id, account, action, transfer_id, name, size, verdict, code, rule, ip, details`

// AppendAudit stores recs in one write transaction and sets their IDs once
// it has committed. Each record is an execution of one prepared INSERT,
// whose ID is its rowid: multi-row INSERTs measured no faster (they need a
// statement journal), and would leave IDs to be inferred.
func (s *Store) AppendAudit(ctx context.Context, recs []*ferry.AuditRecord) error {
	const op = "meta/sqlite: append audit"
	if len(recs) == 0 {
		return nil
	}
	ids := make([]int64, len(recs))
	err := s.write(ctx, op, func(tx *txn) error {
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO audit
			(at, account_id, account, action, transfer_id, name, size, verdict, code, rule, ip, details)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for i, r := range recs {
			details, err := encodeDetails(r.Details)
			if err != nil {
				return err
			}
			res, err := stmt.ExecContext(ctx, nanos(r.At), r.AccountID, r.Account, r.Action, r.TransferID, r.Name,
				r.Size, r.Verdict, int(r.Code), r.Rule, r.IP, details)
			if err != nil {
				return err
			}
			if ids[i], err = res.LastInsertId(); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for i, r := range recs {
		r.ID = ids[i]
	}
	return nil
}

// encodeDetails renders details as a JSON object, nil (NULL) for none. A
// value that JSON cannot encode is stored as its fmt text, so that a record
// is never refused for its details.
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

func scanAudit(sc scanner) (*ferry.AuditRecord, error) {
	var (
		r       ferry.AuditRecord
		at      int64
		code    int
		details sql.NullString
	)
	err := sc.Scan(&r.ID, &at, &r.AccountID, &r.Account, &r.Action, &r.TransferID, &r.Name, &r.Size,
		&r.Verdict, &code, &r.Rule, &r.IP, &details)
	if err != nil {
		return nil, err
	}
	r.At, r.Code = fromNanos(at), ferry.Code(code)
	if details.Valid {
		if err := json.Unmarshal([]byte(details.String), &r.Details); err != nil {
			return nil, fmt.Errorf("audit record %d: details: %w", r.ID, err)
		}
	}
	return &r, nil
}

// Audit lists the records q selects, newest first by (at, id),
// keyset-paginated like the transfer lists.
func (s *Store) Audit(ctx context.Context, q ferry.AuditQuery) ([]*ferry.AuditRecord, string, error) {
	const op = "meta/sqlite: audit"
	limit := min(normLimit(q.Page.Limit, defaultPage), maxPage)
	where, args := auditWhere(q.Since, q.Until)
	for _, f := range []struct {
		cond string
		val  any
		set  bool
	}{
		{"account = ?", q.Account, q.Account != ""},
		{"action = ?", q.Action, q.Action != ""},
		{"verdict = ?", q.Verdict, q.Verdict != ""},
		// code != 0 lets SQLite use the partial index audit_code.
		{"code != 0 AND code = ?", int(q.Code), q.Code != 0},
	} {
		if f.set {
			where = append(where, f.cond)
			args = append(args, f.val)
		}
	}
	if q.Page.Cursor != "" {
		at, id, err := decodeAuditCursor(q.Page.Cursor)
		if err != nil {
			return nil, "", ferry.E(ferry.CodeBadRequest).WithOp(op).WithErr(err).With("reason", "malformed page cursor")
		}
		where = append(where, "(at, id) < (?, ?)")
		args = append(args, at, id)
	}
	query := `SELECT ` + auditCols + ` FROM audit` + whereClause(where) + ` ORDER BY at DESC, id DESC LIMIT ?`
	args = append(args, limit+1) // one more, to learn whether there is a next page
	var recs []*ferry.AuditRecord
	err := s.read(ctx, op, func(tx *txn) error {
		rows, err := tx.QueryContext(ctx, query, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			r, err := scanAudit(rows)
			if err != nil {
				return err
			}
			recs = append(recs, r)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, "", err
	}
	if len(recs) <= limit {
		return recs, "", nil
	}
	recs = recs[:limit]
	last := recs[limit-1]
	return recs, sqlstore.EncodeCursor(nanos(last.At), strconv.FormatInt(last.ID, 10)), nil
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

// auditWhere returns the conditions of since <= at < until, a zero bound
// being open.
func auditWhere(since, until time.Time) ([]string, []any) {
	var where []string
	var args []any
	if !since.IsZero() {
		where = append(where, "at >= ?")
		args = append(args, nanos(since))
	}
	if !until.IsZero() {
		where = append(where, "at < ?")
		args = append(args, nanos(until))
	}
	return where, args
}

func whereClause(conds []string) string {
	if len(conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(conds, " AND ")
}

// nanosPerDay is the length of a UTC day; UTC has no leap seconds in Unix
// time, so a day number is a floor division.
const nanosPerDay = int64(24 * time.Hour)

// AuditSummary counts records by UTC day, action, verdict and code.
func (s *Store) AuditSummary(ctx context.Context, since, until time.Time) ([]ferry.AuditCount, error) {
	const op = "meta/sqlite: audit summary"
	where, args := auditWhere(since, until)
	// The day number rounds down for times before 1970 as well.
	day := fmt.Sprintf(`CASE WHEN at >= 0 THEN at / %[1]d ELSE (at + 1) / %[1]d - 1 END`, nanosPerDay)
	query := `SELECT ` + day + ` AS day, action, verdict, code, count(*) FROM audit` + whereClause(where) +
		` GROUP BY day, action, verdict, code ORDER BY day, action, verdict, code`
	var out []ferry.AuditCount
	err := s.read(ctx, op, func(tx *txn) error {
		rows, err := tx.QueryContext(ctx, query, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				c    ferry.AuditCount
				d    int64
				code int
			)
			if err := rows.Scan(&d, &c.Action, &c.Verdict, &code, &c.Count); err != nil {
				return err
			}
			c.Day, c.Code = time.Unix(d*int64(24*60*60), 0).UTC(), ferry.Code(code)
			out = append(out, c)
		}
		return rows.Err()
	})
	return out, err
}
