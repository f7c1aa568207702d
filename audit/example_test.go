package audit_test

import (
	"context"
	"fmt"
	"log"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/ferryhq/ferry"
	"github.com/ferryhq/ferry/audit"
	"github.com/ferryhq/ferry/meta/sqlite"
)

func ExampleRecorder() {
	dir, err := os.MkdirTemp("", "ferry-audit-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	store, err := sqlite.Open(filepath.Join(dir, "ferry.db"))
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()

	rec := audit.NewRecorder(store, slog.Default(), audit.Options{})
	// On the request path: queue the decision and move on.
	rec.Record(&ferry.AuditRecord{Account: "alice", Action: ferry.AuditCreate, Name: "setup.exe", Size: 1 << 20,
		Verdict: ferry.VerdictRejected, Code: ferry.CodeFileTypeNotAllowed, Rule: "tiers.free.types", IP: "192.0.2.7"})
	// At shutdown: store what is queued.
	if err := rec.Close(context.Background()); err != nil {
		log.Fatal(err)
	}

	recs, _, err := store.Audit(context.Background(), ferry.AuditQuery{Verdict: ferry.VerdictRejected})
	if err != nil {
		log.Fatal(err)
	}
	for _, r := range recs {
		fmt.Println(r.Account, r.Action, r.Name, r.Code, r.Code.Name(), r.Rule)
	}
	// Output: alice create setup.exe 1001 FILE_TYPE_NOT_ALLOWED tiers.free.types
}
