//go:build !linux

package clamdtest

import "os/exec"

// dieWithParent does nothing here: only Linux has a parent-death signal, so
// a clamd whose test binary crashed keeps running.
func dieWithParent(cmd *exec.Cmd) {}
