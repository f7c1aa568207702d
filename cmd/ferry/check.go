package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/ferryhq/ferry"
	"github.com/ferryhq/ferry/httpapi/client"
	"github.com/ferryhq/ferry/httpapi/wire"
)

// checkOptions are the flags of `ferry check`.
type checkOptions struct {
	to     []string
	asJSON bool
}

// The verdicts of `ferry check`, per file.
const (
	verdictAccepted  = "accepted"  // every rule passed
	verdictRejected  = "rejected"  // a rule failed: Error is the first
	verdictUnchecked = "unchecked" // the file could not be read: Failure says why
)

// Who judged a rule.
const (
	sourceLocal  = "local"  // this command, on the published policy
	sourceServer = "server" // POST /api/v1/precheck
)

// ruleRecipients is the server's check of --to, left out without it.
const ruleRecipients = "recipients"

// checkResult is what `ferry check` reports per file: one element of the
// array that --json prints.
type checkResult struct {
	File              string         `json:"file"`
	Name              string         `json:"name"`
	Size              int64          `json:"size"`
	Verdict           string         `json:"verdict"`
	Error             *wire.Error    `json:"error,omitempty"`
	Failure           string         `json:"failure,omitempty"`
	RecipientsChecked bool           `json:"recipients_checked"`
	Checks            []checkOutcome `json:"checks"`

	readErr error // why the file could not be read, for printing
}

// checkOutcome is one rule's outcome and who judged it.
type checkOutcome struct {
	wire.Check
	Source string `json:"source"`
}

const checkLong = `Check each FILE against the server's policy without sending it: nothing is created or
reserved, and only the first 4 KiB of a file are read (it is not hashed).

The rules that need only the file run here, on the policy the server publishes: the file name
(1004), the types blocked for everyone (1003), your tier's types (1001), its single-file size
(6002), the type group's cap (1006), and whether the content is what the name says (1002). The
server is asked for the rest: storage quota, 24-hour volume, burst, account risk, maintenance,
peak hours, region, client version, and the recipients when --to names them (without --to
they are not checked, and the output says so).

Each file gets its verdict on standard output: accepted, or the first rule that fails, printed
as every ferry error is (code, message, remedy, rule), then any other rule that fails. A rule
checked here comes before the server's.

--json prints one array instead, an element per FILE:

  {"file": "docs/report.pdf", "name": "report.pdf", "size": 1234,
   "verdict": "accepted" | "rejected" | "unchecked",
   "error": {"code", "name", "message", "remedy", "retryable", "retry_after_seconds",
             "rule", "details"},            (when rejected: the first rule that failed)
   "failure": "…",                          (when unchecked: the file could not be read)
   "recipients_checked": true | false,
   "checks": [{"rule", "passed", "code", "name", "message", "limit", "actual",
               "source": "local" | "server"}, …]}

Local checks come first, in the order they run; a rule checked here is not repeated from the
server unless the server judged it otherwise.

Exit status: 0 when every file would be accepted; 1 when one would not or a file cannot be
read, and 1 when the server cannot be asked (not signed in, unreachable), which stops the check
there (with --json nothing is printed then); 2 on a usage error.`

func (a *app) checkCmd() *cobra.Command {
	o := &checkOptions{}
	cmd := &cobra.Command{
		Use:   "check FILE… [--to USER[,USER]]",
		Short: "Check whether files would be accepted, without sending them",
		Long:  checkLong,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usageErr(cmd, "name at least one FILE to check")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, files []string) error {
			o.to = normalizeRecipients(o.to)
			return a.check(cmd.Context(), o, files)
		},
	}
	f := cmd.Flags()
	f.StringSliceVar(&o.to, "to", nil, "recipients' usernames, comma-separated or repeated (checked by the server)")
	f.BoolVar(&o.asJSON, "json", false, "print the results as JSON")
	return cmd
}

// check checks each file in turn: a file that cannot be read does not
// stop the others, a server that cannot be asked stops them all.
func (a *app) check(ctx context.Context, o *checkOptions, files []string) error {
	c, s, err := a.signedIn()
	if err != nil {
		return err
	}
	ep, err := c.Policy(ctx)
	if err != nil {
		return unreachable(err, s.Server)
	}
	lp, err := newLocalPolicy(ep)
	if err != nil {
		return err
	}
	results := make([]*checkResult, 0, len(files))
	failed := false
	for _, file := range files {
		res, err := a.checkFile(ctx, c, lp, o, file)
		if err != nil {
			return unreachable(err, s.Server)
		}
		results = append(results, res)
		failed = failed || res.Verdict != verdictAccepted
		switch {
		case o.asJSON:
		case res.readErr != nil && len(files) == 1:
			return res.readErr
		case res.readErr != nil:
			fmt.Fprintf(a.stderr, "%s:\n", file)
			a.printError(res.readErr)
		default:
			printCheck(a.stdout, res)
		}
	}
	if o.asJSON {
		if err := writeJSON(a.stdout, results); err != nil {
			return err
		}
	}
	if failed {
		return errReported
	}
	return nil
}

// checkFile runs the local checks on one file, then asks the server for
// the rest. The error is the server's: a file that cannot be read is a
// result, unchecked.
func (a *app) checkFile(ctx context.Context, c *client.Client, lp *localPolicy, o *checkOptions, file string) (*checkResult, error) {
	res := &checkResult{File: file, Name: filepath.Base(file), RecipientsChecked: len(o.to) > 0, Checks: []checkOutcome{}}
	size, head, err := readHead(file)
	if err != nil {
		res.Verdict, res.Failure, res.readErr = verdictUnchecked, err.Error(), err
		return res, nil
	}
	res.Size = size
	pc, err := c.Precheck(ctx, wire.CreateTransferRequest{To: o.to, Name: res.Name, Size: size})
	if err != nil {
		return nil, err
	}
	lang := a.lang()
	judged := map[string]bool{} // rule checked here → passed
	for _, lc := range lp.check(res.Name, size, head) {
		wc := wire.Check{Rule: lc.Rule, Passed: lc.Passed, Code: lc.Code, Limit: lc.Limit, Actual: lc.Actual}
		if lc.Err != nil {
			e := wire.NewError(lc.Err, lang)
			wc.Name, wc.Message = e.Name, e.Message
			if res.Error == nil {
				res.Error = &e
			}
		}
		judged[lc.Rule] = lc.Passed
		res.Checks = append(res.Checks, checkOutcome{Check: wc, Source: sourceLocal})
	}
	for _, sc := range pc.Checks {
		if sc.Rule == ruleRecipients && !res.RecipientsChecked {
			continue
		}
		if passed, ok := judged[sc.Rule]; ok && passed == sc.Passed {
			continue
		}
		res.Checks = append(res.Checks, checkOutcome{Check: sc, Source: sourceServer})
		if !sc.Passed && res.Error == nil {
			res.Error = serverError(pc, sc, lang)
		}
	}
	res.Verdict = verdictAccepted
	if res.Error != nil {
		res.Verdict = verdictRejected
	}
	return res, nil
}

// serverError is the error of a failed server check: the answer's own
// error when it is that check's, else one made from the check and the
// catalogue (which gives the remedy).
func serverError(pc *wire.Precheck, c wire.Check, lang ferry.Lang) *wire.Error {
	if e := pc.Error; e != nil && e.Code == c.Code && (e.Rule == c.Rule || e.Rule == "") {
		return e
	}
	info, t := c.Code.Info(), c.Code.Text(lang)
	e := &wire.Error{Code: c.Code, Name: c.Name, Message: c.Message, Rule: c.Rule}
	if info.Code == c.Code { // a code this client knows
		e.Name, e.Remedy, e.Retryable, e.Status = info.Name, t.Remedy, info.Retryable, info.Status
		if e.Message == "" {
			e.Message = t.Message
		}
	}
	return e
}

// printCheck prints one file's verdict: a line when it is accepted; the
// first failure as every ferry error prints, then the others, when not.
func printCheck(w io.Writer, r *checkResult) {
	if r.Verdict == verdictAccepted {
		local, server := 0, 0
		for _, c := range r.Checks {
			if c.Source == sourceLocal {
				local++
			} else {
				server++
			}
		}
		note := ""
		if !r.RecipientsChecked {
			note = "; recipients not checked: name them with --to"
		}
		fmt.Fprintf(w, "%s: accepted (%d rules checked here, %d by the server%s)\n", r.File, local, server, note)
		return
	}
	fmt.Fprintf(w, "%s: rejected\n", r.File)
	printWireError(w, r.Error)
	first := true
	for _, c := range r.Checks {
		if c.Passed {
			continue
		}
		if first { // the one printed above
			first = false
			continue
		}
		fmt.Fprintf(w, "also failed: %d %s: %s (rule %s, checked %s)\n", c.Code, c.Name, c.Message, c.Rule, where(c.Source))
	}
}

func where(source string) string {
	if source == sourceLocal {
		return "here"
	}
	return "by the server"
}

// unreachable adds advice to an error of the transport (the server is
// down, the address is wrong); a coded error from the server is left as
// it is.
func unreachable(err error, server string) error {
	var ue *url.Error
	if errors.As(err, &ue) && !errors.Is(err, context.Canceled) {
		return withHint(err, fmt.Sprintf("the server %s cannot be reached: check that it is running and that this is its address (ferry login --server URL)", server))
	}
	return err
}
