package server

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
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
	got.Path = ""
	g, _ := json.Marshal(got)
	w, _ := json.Marshal(want)
	if string(g) != string(w) {
		t.Errorf("example differs from the defaults:\n got %s\nwant %s", g, w)
	}
}

// Every key of Config is documented in the example (as a key, or in a
// comment for the catalogue, which is too long to print whole).
func TestExampleDocumentsEveryKey(t *testing.T) {
	var walk func(typ reflect.Type, path string)
	walk = func(typ reflect.Type, path string) {
		for typ.Kind() == reflect.Pointer {
			typ = typ.Elem()
		}
		for i := 0; i < typ.NumField(); i++ {
			f := typ.Field(i)
			key := strings.Split(f.Tag.Get("yaml"), ",")[0]
			if key == "" || key == "-" || !f.IsExported() {
				continue
			}
			if !strings.Contains(ExampleConfig(), key+":") {
				t.Errorf("%s%s is not documented in example.yaml", path, key)
			}
			ft := f.Type
			for ft.Kind() == reflect.Pointer || ft.Kind() == reflect.Map || ft.Kind() == reflect.Slice {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct && ft.PkgPath() != "time" {
				walk(ft, path+key+".")
			}
		}
	}
	walk(reflect.TypeOf(Config{}), "")
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
