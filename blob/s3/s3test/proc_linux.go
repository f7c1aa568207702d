package s3test

import (
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
)

// dieWithParent has Linux stop the gateway when the test binary dies (a
// panic, a -timeout), so that no versitygw outlives its test.
func dieWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}

// xattrsWork reports whether dir's file system keeps user extended
// attributes, where the posix backend stores metadata by default.
func xattrsWork(dir string) bool {
	p := filepath.Join(dir, ".xattr-probe")
	if err := os.WriteFile(p, nil, 0o600); err != nil {
		return false
	}
	defer os.Remove(p)
	return syscall.Setxattr(p, "user.ferry-probe", []byte("1"), 0) == nil
}
