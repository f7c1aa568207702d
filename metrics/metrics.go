// Package metrics is what a node tells Prometheus at GET /metrics: every
// decision it made, by action and verdict; every refusal, by the stable
// code that users see in it; how the audit log keeps up; and the Go
// runtime and process figures. Each node has its own registry (no global
// state): the node creates a Metrics, routes its auditor through
// Metrics.Auditor, and serves Metrics.Handler.
//
// The decisions are counted where they are recorded for the audit log, so
// /metrics and GET /api/v1/admin/audit can never tell different stories:
// what one counts the other lists.
//
// Useful queries:
//
//	sum by (code, name) (rate(ferry_rejections_total[5m]))   # why files are refused, now
//	sum by (action) (rate(ferry_decisions_total[1m]))        # decisions per second
//	ferry_audit_pending_records                              # audit records not yet stored
//	rate(ferry_sqlite_writer_busy_seconds_total[1m])         # how busy the one SQLite writer is (1 = saturated)
package metrics

import (
	"net/http"
	"strconv"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/ferryhq/ferry"
	"github.com/ferryhq/ferry/audit"
	"github.com/ferryhq/ferry/meta/postgres"
	"github.com/ferryhq/ferry/meta/sqlite"
)

// Metrics is one node's registry and the collectors it feeds.
type Metrics struct {
	reg        *prometheus.Registry
	decisions  *prometheus.CounterVec
	rejections *prometheus.CounterVec
}

// New returns a registry holding the decision counters and the Go and
// process collectors.
func New() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		decisions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ferry_decisions_total",
			Help: "Decisions the node made (each is a record of the audit log), by action (create, precheck, upload, login, download, recall, risk) and verdict.",
		}, []string{"action", "verdict"}),
		rejections: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ferry_rejections_total",
			Help: "Decisions that refused, by action and by the stable error code users see (name is the code's name, e.g. FILE_TYPE_BLOCKED).",
		}, []string{"action", "code", "name"}),
	}
	m.reg.MustRegister(m.decisions, m.rejections,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the registry in Prometheus's text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// Auditor returns an auditor that counts each record, then hands it to
// next.
func (m *Metrics) Auditor(next ferry.Auditor) ferry.Auditor {
	return auditor{m: m, next: next}
}

type auditor struct {
	m    *Metrics
	next ferry.Auditor
}

func (a auditor) Record(rec *ferry.AuditRecord) {
	a.m.count(rec)
	a.next.Record(rec)
}

// count adds rec to the counters; a record with a code is a refusal (an
// accepted decision, and a risk change, carry none).
func (m *Metrics) count(rec *ferry.AuditRecord) {
	m.decisions.WithLabelValues(rec.Action, rec.Verdict).Inc()
	if rec.Code != 0 {
		m.rejections.WithLabelValues(rec.Action, strconv.Itoa(int(rec.Code)), rec.Code.Name()).Inc()
	}
}

// AuditLog exports the state of the audit log's recorder: the records
// stored, waiting, lost, and the failed attempts to store them.
func (m *Metrics) AuditLog(r *audit.Recorder) {
	m.reg.MustRegister(
		counterOf("ferry_audit_records_written_total", "Audit records stored.",
			r.Stats, func(s audit.Stats) float64 { return float64(s.Written) }),
		counterOf("ferry_audit_store_failures_total", "Attempts to store a batch of audit records that the store refused (they are retried).",
			r.Stats, func(s audit.Stats) float64 { return float64(s.Failures) }),
		counterOf("ferry_audit_records_lost_total", "Audit records given up on (logged instead of stored): at shutdown past its timeout, or recorded after it.",
			r.Stats, func(s audit.Stats) float64 { return float64(s.Lost) }),
		counterOf("ferry_audit_queue_full_total", "Decisions that waited for room in the audit queue.",
			r.Stats, func(s audit.Stats) float64 { return float64(s.Waits) }),
		gaugeOf("ferry_audit_pending_records", "Audit records recorded but not yet stored.",
			r.Stats, func(s audit.Stats) float64 { return float64(s.Pending) }),
	)
}

// SQLiteWriter exports the counters of a SQLite store's one writer: the
// writes, the transactions they shared, those that failed, and the time
// spent writing. rate(ferry_sqlite_writer_busy_seconds_total[1m]) near 1
// says the metadata writer is what limits the node's creates and recalls.
func (m *Metrics) SQLiteWriter(s *sqlite.Store) {
	m.reg.MustRegister(
		counterOf("ferry_sqlite_writes_total", "Writes of the SQLite metadata store (each in a savepoint of a shared transaction).",
			s.WriterStats, func(w sqlite.WriterStats) float64 { return float64(w.Writes) }),
		counterOf("ferry_sqlite_write_transactions_total", "Transactions the SQLite writer ran (group commit: several writes to one).",
			s.WriterStats, func(w sqlite.WriterStats) float64 { return float64(w.Batches) }),
		counterOf("ferry_sqlite_write_failures_total", "SQLite writes that returned an error.",
			s.WriterStats, func(w sqlite.WriterStats) float64 { return float64(w.Failed) }),
		counterOf("ferry_sqlite_writer_busy_seconds_total", "Time the one SQLite writer connection spent running transactions.",
			s.WriterStats, func(w sqlite.WriterStats) float64 { return w.Busy.Seconds() }),
	)
}

// PostgresPool exports the state of a PostgreSQL store's connection pool:
// connections in use and idle, and how often and how long requests waited
// for one. A wait that grows says the pool (metadata.dsn's pool_max_conns)
// or the server is what limits the node.
func (m *Metrics) PostgresPool(s *postgres.Store) {
	m.reg.MustRegister(
		gaugeOf("ferry_postgres_connections_in_use", "PostgreSQL connections the node holds for a query now.",
			s.PoolStats, func(st *pgxpool.Stat) float64 { return float64(st.AcquiredConns()) }),
		gaugeOf("ferry_postgres_connections_idle", "PostgreSQL connections open and idle.",
			s.PoolStats, func(st *pgxpool.Stat) float64 { return float64(st.IdleConns()) }),
		gaugeOf("ferry_postgres_connections_max", "The most PostgreSQL connections the pool opens.",
			s.PoolStats, func(st *pgxpool.Stat) float64 { return float64(st.MaxConns()) }),
		counterOf("ferry_postgres_acquires_total", "Connections taken from the pool.",
			s.PoolStats, func(st *pgxpool.Stat) float64 { return float64(st.AcquireCount()) }),
		counterOf("ferry_postgres_acquire_waits_total", "Takes that found no idle connection and waited.",
			s.PoolStats, func(st *pgxpool.Stat) float64 { return float64(st.EmptyAcquireCount()) }),
		counterOf("ferry_postgres_acquire_seconds_total", "Time spent taking connections from the pool.",
			s.PoolStats, func(st *pgxpool.Stat) float64 { return st.AcquireDuration().Seconds() }),
	)
}

// counterOf is a counter read at each scrape: f of what stats returns then.
func counterOf[S any](name, help string, stats func() S, f func(S) float64) prometheus.Collector {
	return prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help}, func() float64 { return f(stats()) })
}

// gaugeOf is counterOf for a value that may go down.
func gaugeOf[S any](name, help string, stats func() S, f func(S) float64) prometheus.Collector {
	return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, func() float64 { return f(stats()) })
}
