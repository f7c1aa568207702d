package keywords

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferryhq/ferry/policy"
)

func TestConfigValidate(t *testing.T) {
	for _, tc := range []struct {
		mod  func(*Config)
		path string
	}{
		{func(c *Config) {}, ""},
		{func(c *Config) { c.Files = []string{"a.txt", "b.txt"} }, ""},
		{func(c *Config) { c.MaxGap = 0 }, "inspect.keywords.max_gap"},
		{func(c *Config) { c.MaxGap = 256 }, "inspect.keywords.max_gap"},
		{func(c *Config) { c.Files = []string{"a.txt", ""} }, "inspect.keywords.files[1]"},
		{func(c *Config) { c.Files = []string{"a.txt", "b.txt", "a.txt"} }, "inspect.keywords.files[2]"},
	} {
		c := DefaultConfig()
		tc.mod(&c)
		err := c.Validate()
		var pe *policy.PathError
		switch {
		case tc.path == "" && err != nil:
			t.Errorf("%+v: %v", c, err)
		case tc.path != "" && (!errors.As(err, &pe) || pe.Path != tc.path):
			t.Errorf("%+v: error %v, want one at %s", c, err, tc.path)
		}
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestLoadAndReload(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.txt"), filepath.Join(dir, "b.txt")
	writeFile(t, a, "机密\tsecret\n")
	writeFile(t, b, "!成人教育\n成人\tadult\n")
	c := DefaultConfig()
	c.Files = []string{a, b}
	src, err := Load(c)
	if err != nil {
		t.Fatal(err)
	}
	if h := src.Matcher().ScanString("机密 成人教育 成人"); len(h) != 2 || h[1].Category != "adult" {
		t.Fatalf("hits %+v", h)
	}
	if changed, err := src.Changed(); changed || err != nil {
		t.Fatalf("changed %v %v before any change", changed, err)
	}
	same, reloaded, err := src.Reload()
	if same != src || reloaded || err != nil {
		t.Fatalf("reload without change: %v %v", reloaded, err)
	}

	writeFile(t, b, "成人\tadult\n") // the allow entry goes
	next, reloaded, err := src.Reload()
	if !reloaded || err != nil {
		t.Fatalf("reload after change: %v %v", reloaded, err)
	}
	if h := next.Matcher().ScanString("成人教育"); len(h) != 1 {
		t.Errorf("after reload: hits %+v", h)
	}
	if next.Matcher().Version() == src.Matcher().Version() {
		t.Error("version unchanged after reload")
	}

	writeFile(t, b, "成人\tadult\n***\n") // a bad line: keep the old one
	kept, reloaded, err := next.Reload()
	if kept != next || reloaded || err == nil || !strings.Contains(err.Error(), b+":2: ") {
		t.Errorf("bad reload: %v %v", reloaded, err)
	}
	os.Remove(a)
	if _, err := next.Changed(); err == nil {
		t.Error("no error for a missing file")
	}
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	a := filepath.Join(dir, "a.txt")
	writeFile(t, a, "ok\n\t\tx\n")
	c := DefaultConfig()
	c.Files = []string{a}
	if _, err := Load(c); err == nil || !strings.Contains(err.Error(), a+":2: ") {
		t.Errorf("error %v", err)
	}
	c.Files = []string{filepath.Join(dir, "missing.txt")}
	if _, err := Load(c); err == nil || !strings.Contains(err.Error(), "missing.txt") {
		t.Errorf("error %v", err)
	}
}
