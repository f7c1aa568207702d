package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/ferryhq/ferry"
	"github.com/ferryhq/ferry/httpapi/client"
)

// app is one run of the command line: its streams, environment and
// version. Commands are built as closures over it.
type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	version        string
	// http is the HTTP client for the API; nil means a default one.
	http *http.Client
}

// run executes the command line args and returns the exit status: 0 on
// success, 1 on an error, 2 on a usage error. SIGINT and SIGTERM cancel
// what is running (an upload is kept for resuming).
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	a := &app{stdin: stdin, stdout: stdout, stderr: stderr, getenv: os.Getenv, version: version}
	return a.run(ctx, args)
}

func (a *app) run(ctx context.Context, args []string) int {
	root := a.rootCmd()
	root.SetArgs(args)
	return a.report(root.ExecuteContext(ctx))
}

func (a *app) rootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:           "ferry",
		Short:         "ferry: self-hosted offline file transfer",
		Long:          "ferry sends files to accounts on a ferry server, which checks them against a published policy,\nholds them, and delivers them when the recipient fetches them. Every rejection says why.",
		Version:       a.version,
		SilenceErrors: true,
		SilenceUsage:  true,
		Args:          cobra.ArbitraryArgs,
		RunE:          groupRun,
	}
	root.SetIn(a.stdin)
	root.SetOut(a.stdout)
	root.SetErr(a.stderr)
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error { return usageErr(cmd, err.Error()) })
	root.AddCommand(
		a.serveCmd(), a.migrateCmd(), a.configCmd(), a.codesCmd(), a.versionCmd(),
		a.loginCmd(), a.logoutCmd(),
		a.sendCmd(), a.listCmd("inbox"), a.listCmd("outbox"), a.getCmd(),
		a.transferCmd("status"), a.transferCmd("recall"), a.transferCmd("accept"), a.transferCmd("decline"),
		a.userCmd(),
		a.checkCmd(), a.totpCmd(), a.stepUpCmd(),
	)
	return root
}

// groupRun is the RunE of a command that only holds subcommands: help
// without arguments, a usage error with an unknown one.
func groupRun(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usageErr(cmd, fmt.Sprintf("unknown command %q for %q", args[0], cmd.CommandPath()))
	}
	return cmd.Help()
}

// exactArgs is cobra.ExactArgs(n) that reports a usage error.
func exactArgs(n int, what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return usageErr(cmd, fmt.Sprintf("%s expects %s", cmd.CommandPath(), what))
		}
		return nil
	}
}

// lang is the user's language, from LC_ALL, LC_MESSAGES or LANG.
func (a *app) lang() ferry.Lang {
	for _, k := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if v := a.getenv(k); v != "" {
			if strings.HasPrefix(strings.ToLower(v), "zh") {
				return ferry.Chinese
			}
			return ferry.English
		}
	}
	return ferry.English
}

// newClient returns an API client for server with token.
func (a *app) newClient(server, token string) *client.Client {
	return &client.Client{BaseURL: server, Token: token, HTTP: a.http, Lang: string(a.lang()), Version: a.version}
}

// signedIn returns a client for the stored session.
func (a *app) signedIn() (*client.Client, *session, error) {
	s, err := a.loadSession()
	if err != nil {
		return nil, nil, err
	}
	return a.newClient(s.Server, s.Token), s, nil
}

// isTerminal reports whether v is an *os.File on a terminal.
func isTerminal(v any) bool {
	f, ok := v.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// errReported is returned when a command has already printed its errors.
var errReported = errors.New("ferry: errors reported")
