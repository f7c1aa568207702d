package s3

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// The part files a killed node left in its temporary folder are removed
// when a store opens there again; files being worked on, and files that
// are not parts, stay.
func TestOpenRemovesStaleParts(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, age time.Duration) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("part"), 0o600); err != nil {
			t.Fatal(err)
		}
		at := time.Now().Add(-age)
		if err := os.Chtimes(p, at, at); err != nil {
			t.Fatal(err)
		}
		return p
	}
	stale := write("ferry-part-123", time.Hour)
	fresh := write("ferry-part-456", time.Minute)
	other := write("notes.txt", time.Hour)
	removeStaleParts(dir, time.Now().Add(-staleParts))
	for p, want := range map[string]bool{stale: false, fresh: true, other: true} {
		if _, err := os.Stat(p); (err == nil) != want {
			t.Errorf("%s: exists %v, want %v", filepath.Base(p), err == nil, want)
		}
	}
}
