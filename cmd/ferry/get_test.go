package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestGetSavesUnderServerName(t *testing.T) {
	c := newCLI(t)
	api := c.withAPI()
	data := testBytes(70000)
	api.addTransfer("t1", "../../季度 报告 final 🚀.txt", data)
	dir := t.TempDir()
	t.Chdir(dir)
	code, out, errOut := c.run("", "get", "t1")
	want := "季度 报告 final 🚀.txt"
	if code != 0 || out != "saved "+want+" (70 KB)\n" {
		t.Fatalf("get: %d %q %q", code, out, errOut)
	}
	if b, err := os.ReadFile(filepath.Join(dir, want)); err != nil || !bytes.Equal(b, data) {
		t.Fatalf("saved file: %v", err)
	}
	code, _, errOut = c.run("", "get", "t1")
	if code != 1 || !strings.Contains(errOut, "exists: use --force") {
		t.Errorf("second get: %d %q", code, errOut)
	}
	if code, _, errOut = c.run("", "get", "t1", "--force"); code != 0 {
		t.Errorf("--force: %d %q", code, errOut)
	}
	if _, err := os.Stat(filepath.Join(dir, want+".part")); !os.IsNotExist(err) {
		t.Error("the .part file was left behind")
	}
}

func TestGetResumesPartFile(t *testing.T) {
	c := newCLI(t)
	api := c.withAPI()
	data := testBytes(90000)
	api.addTransfer("t1", "a.bin", data)
	out := filepath.Join(t.TempDir(), "saved.bin")
	if err := os.WriteFile(out+".part", data[:40000], 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := c.run("", "get", "t1", "-o", out); code != 0 {
		t.Fatalf("get: %d %q", code, errOut)
	}
	if b, _ := os.ReadFile(out); !bytes.Equal(b, data) {
		t.Fatal("resumed download differs")
	}
	if len(api.ranges) != 1 || api.ranges[0] != "bytes=40000-" {
		t.Errorf("Range headers %q", api.ranges)
	}
}

func TestGetIntoFolderAndBadChecksum(t *testing.T) {
	c := newCLI(t)
	api := c.withAPI()
	tr := api.addTransfer("t1", "x.txt", []byte("the real content"))
	dir := t.TempDir()
	if code, out, errOut := c.run("", "get", "t1", "-o", dir); code != 0 || out != "saved "+filepath.Join(dir, "x.txt")+" (16 B)\n" {
		t.Fatalf("get into a folder: %d %q %q", code, out, errOut)
	}
	tr.SHA256 = strings.Repeat("0", 64) // the server now claims another hash
	api.blobs[tr.SHA256] = []byte("the real content")
	code, _, errOut := c.run("", "get", "t1", "-o", filepath.Join(dir, "y.txt"))
	if code != 1 || !strings.Contains(errOut, "SHA-256") {
		t.Errorf("bad checksum: %d %q", code, errOut)
	}
	if _, err := os.Stat(filepath.Join(dir, "y.txt.part")); !os.IsNotExist(err) {
		t.Error("a damaged .part must be removed")
	}
}
