package archive

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/ferryhq/ferry"
)

// seen is what a test's visit recorded of one entry.
type seen struct {
	Path    string
	Size    int64
	Body    string // the first 64 bytes of content
	Archive Format
	Dir     bool
	Enc     bool
	Link    string
}

func (s seen) String() string {
	return fmt.Sprintf("%s size=%d archive=%q dir=%v enc=%v link=%q body=%q", s.Path, s.Size, s.Archive, s.Dir, s.Enc, s.Link, s.Body)
}

// walkBytes walks b as a file named name with cfg (the defaults for nil),
// reading every entry's content in visit.
func walkBytes(tb testing.TB, name string, b []byte, cfg *Config) ([]seen, *walker, error) {
	tb.Helper()
	if cfg == nil {
		c := DefaultConfig()
		cfg = &c
	}
	var out []seen
	var last *Entry
	w, err := walk(context.Background(), bytes.NewReader(b), int64(len(b)), name, cfg, func(e *Entry, r io.Reader) error {
		if last != nil && len(out) > 0 {
			out[len(out)-1].Size = last.Size
		}
		s := seen{Path: e.Path, Archive: e.Archive, Dir: e.IsDir, Enc: e.Encrypted, Link: e.LinkTarget}
		if r != nil {
			body, err := io.ReadAll(r)
			if err != nil {
				return err
			}
			s.Body = string(body[:min(len(body), 64)])
		}
		out = append(out, s)
		last = e
		return nil
	})
	if last != nil && len(out) > 0 {
		out[len(out)-1].Size = last.Size
	}
	return out, w, err
}

// paths lists the paths of entries seen.
func paths(ss []seen) []string {
	var out []string
	for _, s := range ss {
		out = append(out, s.Path)
	}
	return out
}

// want describes an expected verdict: nil for a pass, else the code and
// the details that must be among the error's.
type want struct {
	Code    ferry.Code
	Details map[string]any
}

func pass() want { return want{} }

func limit(name string, path string) want {
	return want{Code: ferry.CodeArchiveLimit, Details: map[string]any{"limit_name": name, "path": path}}
}

func fails(code ferry.Code, details ...any) want {
	w := want{Code: code, Details: map[string]any{}}
	for i := 0; i+1 < len(details); i += 2 {
		w.Details[details[i].(string)] = details[i+1]
	}
	return w
}

// check reports whether err is the verdict w.
func (w want) check(tb testing.TB, err error) {
	tb.Helper()
	if w.Code == 0 {
		if err != nil {
			tb.Fatalf("err = %v (%s), want nil", err, details(err))
		}
		return
	}
	var fe *ferry.Error
	if !errors.As(err, &fe) {
		tb.Fatalf("err = %v, want code %d", err, w.Code)
	}
	if fe.Code != w.Code {
		tb.Fatalf("code = %d %s (%s), want %d", fe.Code, err, details(err), w.Code)
	}
	for k, v := range w.Details {
		got, ok := fe.Details[k]
		if !ok || fmt.Sprint(got) != fmt.Sprint(v) {
			tb.Fatalf("details[%q] = %v, want %v (all: %s)", k, got, v, details(err))
		}
	}
}

func details(err error) string {
	var fe *ferry.Error
	if !errors.As(err, &fe) {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "rule=%s", fe.Rule)
	for k, v := range fe.Details {
		fmt.Fprintf(&b, " %s=%v", k, v)
	}
	return b.String()
}

func cfgWith(mod func(*Config)) *Config {
	c := DefaultConfig()
	mod(&c)
	return &c
}
