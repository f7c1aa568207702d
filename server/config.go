package server

import (
	_ "embed"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/ferryhq/ferry"
	"github.com/ferryhq/ferry/policy"
)

// Config is the configuration of a node: ferry.yaml. Every key is
// documented in example.yaml, which `ferry config example` prints.
type Config struct {
	// Path is the file the configuration was read from ("" for the
	// defaults); the policy is reloaded from it.
	Path     string         `yaml:"-"`
	Listen   string         `yaml:"listen"`
	Data     string         `yaml:"data"`
	Metadata MetadataConfig `yaml:"metadata"`
	Blobs    BlobsConfig    `yaml:"blobs"`
	Uploads  UploadsConfig  `yaml:"uploads"`
	Sweeper  SweeperConfig  `yaml:"sweeper"`
	Auth     AuthConfig     `yaml:"auth"`
	Log      LogConfig      `yaml:"log"`
	Inspect  InspectConfig  `yaml:"inspect"`
	Policy   *policy.Policy `yaml:"policy"`
}

// MetadataConfig selects the metadata store.
type MetadataConfig struct {
	Driver string `yaml:"driver"` // sqlite
	Path   string `yaml:"path"`   // sqlite: the database file; default <data>/ferry.db
}

// BlobsConfig selects the blob store.
type BlobsConfig struct {
	Driver string `yaml:"driver"` // local
	Path   string `yaml:"path"`   // local: the folder; default <data>/blobs
}

// UploadsConfig tunes uploads.
type UploadsConfig struct {
	AbandonAfter       policy.Duration `yaml:"abandon_after"`
	VerdictWait        policy.Duration `yaml:"verdict_wait"`
	VerdictWaitMaxSize ferry.Bytes     `yaml:"verdict_wait_max_size"`
	LockWait           policy.Duration `yaml:"lock_wait"`
}

// SweeperConfig tunes the sweeper.
type SweeperConfig struct {
	Interval       policy.Duration `yaml:"interval"`
	OrphanInterval policy.Duration `yaml:"orphan_interval"`
}

// AuthConfig tunes sign-in.
type AuthConfig struct {
	TokenTTL policy.Duration `yaml:"token_ttl"`
}

// LogConfig tunes the log.
type LogConfig struct {
	Level  string `yaml:"level"`  // debug, info, warn, error
	Format string `yaml:"format"` // text or json
}

//go:embed example.yaml
var exampleYAML string

// ExampleConfig returns a commented ferry.yaml documenting every key, with
// the default values.
func ExampleConfig() string { return exampleYAML }

// DefaultConfig returns the embedded defaults.
func DefaultConfig() *Config {
	return &Config{
		Listen:   "127.0.0.1:8080",
		Data:     "./ferry-data",
		Metadata: MetadataConfig{Driver: "sqlite"},
		Blobs:    BlobsConfig{Driver: "local"},
		Uploads: UploadsConfig{AbandonAfter: policy.Duration(24 * time.Hour), VerdictWait: policy.Duration(2 * time.Second), VerdictWaitMaxSize: 64 << 20,
			LockWait: policy.Duration(10 * time.Second)},
		Sweeper: SweeperConfig{Interval: policy.Duration(time.Minute), OrphanInterval: policy.Duration(time.Hour)},
		Auth:    AuthConfig{TokenTTL: policy.Duration(30 * 24 * time.Hour)},
		Log:     LogConfig{Level: "info", Format: "text"},
		Inspect: defaultInspect(),
		Policy:  policy.Default(),
	}
}

// LoadConfig reads the YAML file at path over the defaults; "" gives the
// defaults. Unknown keys are errors, reported with their line.
func LoadConfig(path string) (*Config, error) {
	cfg := DefaultConfig()
	var doc yaml.Node
	if path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("config: %w", err)
		}
		if err := cfg.parse(b); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		_ = yaml.Unmarshal(b, &doc)
		cfg.Path = path
		cfg.Inspect.resolve(filepath.Dir(path))
	}
	if err := cfg.Complete(); err != nil {
		var pe *policy.PathError
		if errors.As(err, &pe) && path != "" {
			return nil, fmt.Errorf("%s:%d: %w", path, lineOf(&doc, pe.Path), err)
		}
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	return cfg, nil
}

func (c *Config) parse(b []byte) error {
	dec := yaml.NewDecoder(strings.NewReader(string(b)))
	dec.KnownFields(true)
	c.Policy = nil                                                   // a policy section replaces the defaults tier by tier, in Complete
	if err := dec.Decode(c); err != nil && !errors.Is(err, io.EOF) { // an empty file is valid
		return err
	}
	return nil
}

// MetadataPath is the SQLite file: metadata.path, or ferry.db in the data
// folder.
func (c *Config) MetadataPath() string {
	if c.Metadata.Path != "" {
		return c.Metadata.Path
	}
	return filepath.Join(c.Data, "ferry.db")
}

// BlobsPath is the blob folder: blobs.path, or blobs/ in the data folder.
func (c *Config) BlobsPath() string {
	if c.Blobs.Path != "" {
		return c.Blobs.Path
	}
	return filepath.Join(c.Data, "blobs")
}

// Complete fills in defaults and validates. Paths inside the data folder
// are derived when used, so that --data given after loading still counts.
func (c *Config) Complete() error {
	def := DefaultConfig()
	if c.Policy == nil {
		c.Policy = def.Policy
	}
	if err := c.Policy.Complete(); err != nil {
		return err
	}
	if err := c.Inspect.complete(); err != nil {
		return err
	}
	if c.Listen == "" {
		c.Listen = def.Listen
	}
	if c.Data == "" {
		c.Data = def.Data
	}
	if c.Metadata.Driver == "" {
		c.Metadata.Driver = "sqlite"
	}
	if c.Blobs.Driver == "" {
		c.Blobs.Driver = "local"
	}
	fill := func(d *policy.Duration, v policy.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	fill(&c.Uploads.AbandonAfter, def.Uploads.AbandonAfter)
	fill(&c.Uploads.VerdictWait, def.Uploads.VerdictWait)
	fill(&c.Uploads.LockWait, def.Uploads.LockWait)
	if c.Uploads.VerdictWaitMaxSize <= 0 {
		c.Uploads.VerdictWaitMaxSize = def.Uploads.VerdictWaitMaxSize
	}
	fill(&c.Sweeper.Interval, def.Sweeper.Interval)
	fill(&c.Sweeper.OrphanInterval, def.Sweeper.OrphanInterval)
	fill(&c.Auth.TokenTTL, def.Auth.TokenTTL)
	switch {
	case c.Metadata.Driver != "sqlite":
		return fmt.Errorf("metadata.driver: unknown driver %q (have: sqlite)", c.Metadata.Driver)
	case c.Blobs.Driver != "local":
		return fmt.Errorf("blobs.driver: unknown driver %q (have: local)", c.Blobs.Driver)
	case c.Log.Format != "" && c.Log.Format != "text" && c.Log.Format != "json":
		return fmt.Errorf("log.format: %q is neither text nor json", c.Log.Format)
	}
	return nil
}
