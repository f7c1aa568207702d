package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/ferryhq/ferry/httpapi/wire"
)

func (a *app) loginCmd() *cobra.Command {
	var server, user, totp string
	var fromStdin bool
	cmd := &cobra.Command{
		Use:   "login --server URL --user NAME",
		Short: "Sign in to a ferry server and remember the session",
		Args:  exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if server == "" || user == "" {
				return usageErr(cmd, "--server and --user are required")
			}
			pw, err := a.readPassword("Password: ", fromStdin, false)
			if err != nil {
				return err
			}
			server = strings.TrimRight(server, "/")
			resp, err := a.newClient(server, "").Login(cmd.Context(), wire.LoginRequest{Username: user, Password: pw, TOTP: oneTimeCode(totp)})
			if err != nil {
				return err
			}
			s := &session{Server: server, User: user, Token: resp.Token, ExpiresAt: resp.ExpiresAt}
			if err := a.saveSession(s); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "signed in to %s as %s", server, user)
			if !resp.ExpiresAt.IsZero() {
				fmt.Fprintf(a.stdout, " (until %s)", resp.ExpiresAt.Local().Format(timeLayout))
			}
			fmt.Fprintln(a.stdout)
			return nil
		},
	}
	cmd.Flags().StringVar(&server, "server", "", "the server's URL, e.g. https://ferry.example.org")
	cmd.Flags().StringVar(&user, "user", "", "your username")
	cmd.Flags().BoolVar(&fromStdin, "password-stdin", false, "read the password from the first line of standard input")
	cmd.Flags().StringVar(&totp, "totp", "", "a one-time code, when the server asks for one (4002 STEP_UP_REQUIRED)")
	return cmd
}

func (a *app) logoutCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "logout",
		Short: "Forget the stored session",
		Args:  exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			path, err := a.configFile("config.json")
			if err != nil {
				return err
			}
			err = os.Remove(path)
			if errors.Is(err, fs.ErrNotExist) {
				fmt.Fprintln(a.stdout, "not signed in")
				return nil
			}
			if err != nil {
				return err
			}
			fmt.Fprintln(a.stdout, "signed out")
			return nil
		},
	}
}

// readPassword reads a password: the first line of stdin with fromStdin,
// otherwise from the terminal without echo (twice when confirm is set).
func (a *app) readPassword(prompt string, fromStdin, confirm bool) (string, error) {
	if fromStdin {
		line, err := bufio.NewReader(a.stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return "", err
		}
		if pw := strings.TrimRight(line, "\r\n"); pw != "" {
			return pw, nil
		}
		return "", errors.New("no password on standard input")
	}
	f, ok := a.stdin.(*os.File)
	if !ok || !isTerminal(f) {
		return "", errors.New("standard input is not a terminal to ask for a password: use --password-stdin")
	}
	pw, err := a.prompt(f, prompt)
	if err != nil || !confirm {
		return pw, err
	}
	again, err := a.prompt(f, "Again: ")
	if err != nil {
		return "", err
	}
	if again != pw {
		return "", errors.New("the passwords differ")
	}
	return pw, nil
}

func (a *app) prompt(f *os.File, prompt string) (string, error) {
	fmt.Fprint(a.stderr, prompt)
	b, err := term.ReadPassword(int(f.Fd()))
	fmt.Fprintln(a.stderr)
	if err != nil {
		return "", err
	}
	if len(b) == 0 {
		return "", errors.New("empty password")
	}
	return string(b), nil
}
