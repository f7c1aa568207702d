package pgtest

import "syscall"

// sysProcAttr runs a command as owner (nil: the current user) and has Linux
// kill it when the test binary dies (a panic, a -timeout), so that no
// server outlives its tests. The server's own processes notice that their
// postmaster died and exit too.
func sysProcAttr(owner *syscall.Credential) *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Credential: owner, Pdeathsig: syscall.SIGKILL}
}
