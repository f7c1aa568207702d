package server

import (
	"cmp"
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
	Driver string `yaml:"driver"` // sqlite or postgres
	Path   string `yaml:"path"`   // sqlite: the database file; default <data>/ferry.db
	// DSN is PostgreSQL's connection string, postgres://user:pass@host/db;
	// empty takes FERRY_METADATA_DSN, then DATABASE_URL.
	DSN string `yaml:"dsn"`
}

// BlobsConfig selects the blob store.
type BlobsConfig struct {
	Driver string `yaml:"driver"` // local or s3
	Path   string `yaml:"path"`   // local: the folder; default <data>/blobs
	// s3: where the objects are (see blob/s3.Config); keys and secrets
	// also from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, the endpoint
	// from AWS_ENDPOINT_URL_S3, the region from AWS_REGION.
	Endpoint  string      `yaml:"endpoint"`
	Region    string      `yaml:"region"`
	Bucket    string      `yaml:"bucket"`
	AccessKey string      `yaml:"access_key"`
	SecretKey string      `yaml:"secret_key"`
	PathStyle bool        `yaml:"path_style"`
	Prefix    string      `yaml:"prefix"`
	PartSize  ferry.Bytes `yaml:"part_size"`
	TempDir   string      `yaml:"temp_dir"`
	// Download is how content reaches a recipient: proxy (ferry streams
	// it) or redirect (s3 only: a short-lived presigned URL, so that the
	// store or a CDN in front of it serves the bytes).
	Download    string          `yaml:"download"`
	RedirectTTL policy.Duration `yaml:"redirect_ttl"`
}

// UploadsConfig tunes uploads.
type UploadsConfig struct {
	AbandonAfter       policy.Duration `yaml:"abandon_after"`
	VerdictWait        policy.Duration `yaml:"verdict_wait"`
	VerdictWaitMaxSize ferry.Bytes     `yaml:"verdict_wait_max_size"`
	LockWait           policy.Duration `yaml:"lock_wait"`
	// Hash is when an upload's SHA-256 is computed: arrival (as its bytes
	// arrive), after (reading it back after the last byte), or auto:
	// arrival on s3, after on a local disk.
	Hash string `yaml:"hash"`
}

// SweeperConfig tunes the sweeper.
type SweeperConfig struct {
	Interval       policy.Duration `yaml:"interval"`
	OrphanInterval policy.Duration `yaml:"orphan_interval"`
	OrphanGrace    policy.Duration `yaml:"orphan_grace"`
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
		Blobs:    BlobsConfig{Driver: "local", Download: "proxy", RedirectTTL: policy.Duration(5 * time.Minute)},
		Uploads: UploadsConfig{AbandonAfter: policy.Duration(24 * time.Hour), VerdictWait: policy.Duration(2 * time.Second), VerdictWaitMaxSize: 64 << 20,
			LockWait: policy.Duration(10 * time.Second), Hash: "auto"},
		Sweeper: SweeperConfig{Interval: policy.Duration(time.Minute), OrphanInterval: policy.Duration(time.Hour),
			OrphanGrace: policy.Duration(time.Hour)},
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
	if c.Uploads.Hash == "" {
		c.Uploads.Hash = "auto"
	}
	if c.Blobs.Download == "" {
		c.Blobs.Download = "proxy"
	}
	if c.Metadata.Driver == "postgres" && c.Metadata.DSN == "" {
		c.Metadata.DSN = cmp.Or(os.Getenv("FERRY_METADATA_DSN"), os.Getenv("DATABASE_URL"))
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
	fill(&c.Sweeper.OrphanGrace, def.Sweeper.OrphanGrace)
	fill(&c.Auth.TokenTTL, def.Auth.TokenTTL)
	fill(&c.Blobs.RedirectTTL, def.Blobs.RedirectTTL)
	switch {
	case c.Metadata.Driver != "sqlite" && c.Metadata.Driver != "postgres":
		return &policy.PathError{Path: "metadata.driver", Msg: fmt.Sprintf("unknown driver %q (have: sqlite, postgres)", c.Metadata.Driver)}
	case c.Metadata.Driver == "postgres" && c.Metadata.DSN == "":
		return &policy.PathError{Path: "metadata.dsn", Msg: "the postgres driver needs a DSN (or FERRY_METADATA_DSN)"}
	case c.Blobs.Driver != "local" && c.Blobs.Driver != "s3":
		return &policy.PathError{Path: "blobs.driver", Msg: fmt.Sprintf("unknown driver %q (have: local, s3)", c.Blobs.Driver)}
	case c.Blobs.Driver == "s3" && c.Blobs.Bucket == "":
		return &policy.PathError{Path: "blobs.bucket", Msg: "the s3 driver needs a bucket"}
	case c.Blobs.Download != "proxy" && c.Blobs.Download != "redirect":
		return &policy.PathError{Path: "blobs.download", Msg: fmt.Sprintf("%q is neither proxy nor redirect", c.Blobs.Download)}
	case c.Blobs.Download == "redirect" && c.Blobs.Driver != "s3":
		return &policy.PathError{Path: "blobs.download", Msg: "redirect needs the s3 driver (a local disk has no URL to send recipients to)"}
	case c.Uploads.Hash != "auto" && c.Uploads.Hash != "arrival" && c.Uploads.Hash != "after":
		return &policy.PathError{Path: "uploads.hash", Msg: fmt.Sprintf("%q is none of auto, arrival, after", c.Uploads.Hash)}
	case c.Log.Format != "" && c.Log.Format != "text" && c.Log.Format != "json":
		return fmt.Errorf("log.format: %q is neither text nor json", c.Log.Format)
	}
	return nil
}
