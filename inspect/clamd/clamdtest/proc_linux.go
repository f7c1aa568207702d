package clamdtest

import (
	"os/exec"
	"syscall"
)

// dieWithParent has Linux stop clamd when the test binary dies (a panic, a
// -timeout), so that no clamd outlives its test.
func dieWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
