package server

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// The example that `ferry config example` prints is a valid configuration
// whose values are exactly the defaults: the documentation cannot drift.
func TestExampleIsTheDefaults(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ferry.yaml")
	if err := os.WriteFile(path, []byte(ExampleConfig()), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := LoadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	want, err := LoadConfig("")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("example differs from the defaults:\n got %+v\nwant %+v", got, want)
	}
}

// Every key of Config appears in the example.
func TestExampleDocumentsEveryKey(t *testing.T) {
	var doc map[string]any
	if err := yaml.Unmarshal([]byte(ExampleConfig()), &doc); err != nil {
		t.Fatal(err)
	}
	var walk func(typ reflect.Type, node map[string]any, path string)
	walk = func(typ reflect.Type, node map[string]any, path string) {
		for typ.Kind() == reflect.Pointer {
			typ = typ.Elem()
		}
		for i := 0; i < typ.NumField(); i++ {
			key := strings.Split(typ.Field(i).Tag.Get("yaml"), ",")[0]
			if key == "" || key == "-" {
				continue
			}
			v, ok := node[key]
			if !ok {
				t.Errorf("%s%s is not documented in example.yaml", path, key)
				continue
			}
			ft := typ.Field(i).Type
			for ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if sub, isMap := v.(map[string]any); isMap && ft.Kind() == reflect.Struct {
				walk(ft, sub, path+key+".")
			}
		}
	}
	walk(reflect.TypeOf(Config{}), doc, "")
}

func TestLoadConfigErrors(t *testing.T) {
	for name, tc := range map[string]struct{ yaml, want string }{
		"unknown key":    {"listen: x\nlisten_port: 9\n", "line 2: field listen_port not found"},
		"bad size":       {"policy:\n  tiers:\n    free:\n      max_file_size: 5XB\n", "unknown unit"},
		"custom tier":    {"policy:\n  tiers:\n    staff:\n      max_file_size: 1GB\n", "policy.tiers.staff.storage_quota"},
		"unknown driver": {"metadata:\n  driver: oracle\n", "metadata.driver"},
		"bad duration":   {"uploads:\n  abandon_after: soon\n", "duration"},
		"bad log format": {"log:\n  format: xml\n", "log.format"},
	} {
		path := filepath.Join(t.TempDir(), "ferry.yaml")
		os.WriteFile(path, []byte(tc.yaml), 0o600)
		_, err := LoadConfig(path)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want it to mention %q", name, err, tc.want)
		}
	}
}

func TestPartialPolicyKeepsDefaults(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ferry.yaml")
	os.WriteFile(path, []byte("policy:\n  tiers:\n    free:\n      max_file_size: 1GiB\n"), 0o600)
	cfg, err := LoadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	free := cfg.Policy.Tiers["free"]
	if free.MaxFileSize != 1<<30 || free.StorageQuota != 200e9 || cfg.Policy.Tiers["enterprise"] == nil {
		t.Errorf("free %+v, tiers %v", free, cfg.Policy.TierNames())
	}
	if got := cfg.MetadataPath(); got != filepath.Join("ferry-data", "ferry.db") {
		t.Errorf("metadata path %q", got)
	}
	cfg.Data = "/srv/ferry" // as --data does after loading
	if cfg.MetadataPath() != "/srv/ferry/ferry.db" || cfg.BlobsPath() != "/srv/ferry/blobs" {
		t.Errorf("paths do not follow the data folder: %s %s", cfg.MetadataPath(), cfg.BlobsPath())
	}
}
