//go:build !linux

package s3test

import "os/exec"

// dieWithParent does nothing here: only Linux has a parent-death signal, so
// a gateway whose test binary crashed keeps running.
func dieWithParent(cmd *exec.Cmd) {}

// xattrsWork reports false, so that the posix backend keeps its metadata
// in a sidecar folder, which works on every file system.
func xattrsWork(dir string) bool { return false }
