package keywords

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"

	"github.com/ferryhq/ferry/policy"
)

// Config is the inspect.keywords section of ferry.yaml. Start from
// DefaultConfig; Validate it once.
type Config struct {
	// Files are the dictionaries, one entry a line (see Parse). Relative
	// paths are opened as they are: resolve them first against the
	// configuration's folder. No files: no keyword inspection.
	Files []string `yaml:"files"`
	// ShowEntry adds the matched entry to the error a sender sees. Off by
	// default: a dictionary of sensitive words is itself sensitive, and
	// the category already tells what kind of rule fired.
	ShowEntry bool `yaml:"show_entry"`
	// MaxGap is how many separators may stand between two characters of an
	// entry, 1 to 255 (see Options).
	MaxGap int `yaml:"max_gap"`
}

// DefaultConfig returns the defaults: no files, entries not shown, a gap of
// DefaultMaxGap.
func DefaultConfig() Config { return Config{MaxGap: DefaultMaxGap} }

const section = "inspect.keywords."

// Validate reports the first value that cannot work, as a
// *policy.PathError naming its key ("inspect.keywords.files[2]").
func (c *Config) Validate() error {
	if c.MaxGap < 1 || c.MaxGap > 255 {
		return &policy.PathError{Path: section + "max_gap", Msg: fmt.Sprintf("%d: want 1 to 255 separators", c.MaxGap)}
	}
	seen := map[string]int{}
	for i, f := range c.Files {
		path := fmt.Sprintf("%sfiles[%d]", section, i)
		if f == "" {
			return &policy.PathError{Path: path, Msg: "empty file name"}
		}
		if j, dup := seen[f]; dup {
			return &policy.PathError{Path: path, Msg: fmt.Sprintf("%q is listed twice (files[%d])", f, j)}
		}
		seen[f] = i
	}
	return nil
}

// Source is the matcher of a Config's files as they were when loaded, and
// can tell when they changed.
type Source struct {
	cfg     Config
	sum     [sha256.Size]byte
	matcher *Matcher
}

// Load validates c, reads and parses its files and compiles them. A bad
// line is a *ParseError naming the file and line ("words.txt:12: …"), up
// to 20 of them per file, joined; a file that cannot be read is reported
// with its name.
func Load(c Config) (*Source, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	s := &Source{cfg: c}
	var dicts []*Dictionary
	var errs []error
	h := sha256.New()
	for _, f := range c.Files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("keywords: %s: %w", section+"files", err)
		}
		hashFile(h, f, b)
		d, err := Parse(bytes.NewReader(b), f)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		dicts = append(dicts, d)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	m, err := Options{MaxGap: c.MaxGap}.Compile(dicts...)
	if err != nil {
		return nil, err
	}
	h.Sum(s.sum[:0])
	s.matcher = m
	return s, nil
}

// Matcher returns the compiled dictionaries.
func (s *Source) Matcher() *Matcher { return s.matcher }

// Config returns the configuration s was loaded from.
func (s *Source) Config() Config { return s.cfg }

// Changed reports whether any listed file's content differs from what s
// was loaded from (a file that cannot be read is an error).
func (s *Source) Changed() (bool, error) {
	h := sha256.New()
	for _, f := range s.cfg.Files {
		b, err := os.ReadFile(f)
		if err != nil {
			return false, fmt.Errorf("keywords: %s: %w", section+"files", err)
		}
		hashFile(h, f, b)
	}
	var sum [sha256.Size]byte
	h.Sum(sum[:0])
	return sum != s.sum, nil
}

// Reload loads the files again when they changed: it returns the new
// Source and true, or s and false when nothing changed. On an error s stays
// good: keep using it, and report the error.
func (s *Source) Reload() (*Source, bool, error) {
	changed, err := s.Changed()
	if err != nil || !changed {
		return s, false, err
	}
	n, err := Load(s.cfg)
	if err != nil {
		return s, false, err
	}
	return n, true, nil
}

func hashFile(h interface{ Write([]byte) (int, error) }, name string, b []byte) {
	fmt.Fprintf(h, "%d:%s%d:", len(name), name, len(b))
	h.Write(b)
}
