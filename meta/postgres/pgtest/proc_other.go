//go:build unix && !linux

package pgtest

import "syscall"

// sysProcAttr runs a command as owner (nil: the current user).
func sysProcAttr(owner *syscall.Credential) *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Credential: owner}
}
