package archive

import (
	"errors"
	"math"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/ferryhq/ferry/policy"
)

func TestConfigValidate(t *testing.T) {
	def := DefaultConfig()
	if err := def.Validate(); err != nil {
		t.Fatalf("defaults: %v", err)
	}
	tests := []struct {
		name string
		mod  func(*Config)
		path string
	}{
		{"depth 0", func(c *Config) { c.MaxDepth = 0 }, "inspect.archive.max_depth"},
		{"depth 65", func(c *Config) { c.MaxDepth = 65 }, "inspect.archive.max_depth"},
		{"entries 0", func(c *Config) { c.MaxEntries = 0 }, "inspect.archive.max_entries"},
		{"expanded 0", func(c *Config) { c.MaxExpandedSize = 0 }, "inspect.archive.max_expanded_size"},
		{"ratio below 1", func(c *Config) { c.MaxRatio = 0.5 }, "inspect.archive.max_ratio"},
		{"ratio NaN", func(c *Config) { c.MaxRatio = math.NaN() }, "inspect.archive.max_ratio"},
		{"dictionary below 1 MiB", func(c *Config) { c.MaxDictionarySize = 1 << 19 }, "inspect.archive.max_dictionary_size"},
		{"encrypted", func(c *Config) { c.Encrypted = "maybe" }, "inspect.archive.encrypted"},
		{"timeout", func(c *Config) { c.Timeout = -1 }, "inspect.archive.timeout"},
		{"blocked", func(c *Config) { c.Blocked = []string{".lnk", "EXE"} }, "policy.blocked_types[1]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := DefaultConfig()
			tc.mod(&c)
			var pe *policy.PathError
			if err := c.Validate(); !errors.As(err, &pe) || pe.Path != tc.path {
				t.Fatalf("Validate() = %v, want a *policy.PathError at %s", err, tc.path)
			}
		})
	}
}

func TestConfigYAML(t *testing.T) {
	c := DefaultConfig()
	src := "max_depth: 3\nmax_entries: 500\nmax_expanded_size: 1GiB\nmax_ratio: 50\nmax_dictionary_size: 64MiB\nencrypted: allow\ntimeout: 30s\n"
	if err := yaml.Unmarshal([]byte(src), &c); err != nil {
		t.Fatal(err)
	}
	if c.MaxDepth != 3 || c.MaxEntries != 500 || c.MaxExpandedSize != 1<<30 || c.MaxRatio != 50 ||
		c.MaxDictionarySize != 64<<20 || c.Encrypted != EncryptedAllow || c.Timeout.String() != "30s" {
		t.Fatalf("got %+v", c)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
}
