package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/ferryhq/ferry/httpapi/wire"
)

// Exit statuses.
const (
	exitOK    = 0
	exitError = 1
	exitUsage = 2
)

// usageError is a mistake in the command line itself.
type usageError struct {
	path string // the command path, for the hint
	msg  string
}

func (e *usageError) Error() string { return e.msg }

func usageErr(cmd *cobra.Command, msg string) error {
	return &usageError{path: cmd.CommandPath(), msg: msg}
}

// report prints err to stderr and returns the exit status for it.
func (a *app) report(err error) int {
	var ue *usageError
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, errReported):
		return exitError
	case errors.As(err, &ue):
		fmt.Fprintf(a.stderr, "error: %s\nRun '%s --help' for usage.\n", ue.msg, ue.path)
		return exitUsage
	}
	a.printError(err)
	return exitError
}

// hinted is an error with a line of advice printed after it.
type hinted struct {
	err  error
	hint string
}

func (h *hinted) Error() string { return h.err.Error() + "\n" + h.hint }
func (h *hinted) Unwrap() error { return h.err }

func withHint(err error, hint string) error { return &hinted{err: err, hint: hint} }

// printWireError prints a coded error the way every command does:
//
//	error 6002 FILE_TOO_LARGE: <message>
//	remedy: <remedy>
//	rule: <rule>
//	retry after: 30s
func printWireError(w io.Writer, e *wire.Error) {
	fmt.Fprintf(w, "error %d %s: %s\n", e.Code, e.Name, e.Message)
	if e.Remedy != "" {
		fmt.Fprintf(w, "remedy: %s\n", e.Remedy)
	}
	if e.Rule != "" {
		fmt.Fprintf(w, "rule: %s\n", e.Rule)
	}
	if e.RetryAfterSeconds > 0 {
		fmt.Fprintf(w, "retry after: %ds\n", e.RetryAfterSeconds)
	}
}

// printError prints an error that is not a usage error: a coded one in
// its four lines, an interruption as such, anything else plainly; then
// its hint, if any.
func (a *app) printError(err error) {
	var we *wire.Error
	var h *hinted
	switch {
	case errors.As(err, &we):
		printWireError(a.stderr, we)
	case errors.Is(err, context.Canceled):
		fmt.Fprintln(a.stderr, "error: interrupted")
	case errors.As(err, &h):
		fmt.Fprintf(a.stderr, "error: %v\n", h.err)
	default:
		fmt.Fprintf(a.stderr, "error: %v\n", err)
	}
	if errors.As(err, &h) {
		fmt.Fprintln(a.stderr, h.hint)
	}
}
