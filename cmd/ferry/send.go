package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/ferryhq/ferry/httpapi/wire"
)

// sendOptions are the flags of `ferry send`.
type sendOptions struct {
	to     []string
	chunk  byteSize
	quiet  bool
	asJSON bool
}

// sendResult is what `ferry send` reports per file.
type sendResult struct {
	File    string      `json:"file"`
	ID      string      `json:"id,omitempty"`
	Name    string      `json:"name"`
	Size    int64       `json:"size"`
	State   string      `json:"state,omitempty"`
	Instant bool        `json:"instant"`
	Resumed bool        `json:"resumed"`
	Error   *wire.Error `json:"error,omitempty"`
	Failure string      `json:"failure,omitempty"`
}

func (a *app) sendCmd() *cobra.Command {
	o := &sendOptions{}
	cmd := &cobra.Command{
		Use:   "send FILE… --to USER[,USER]",
		Short: "Send files to accounts (resumes an interrupted send)",
		Long: "Send each FILE to the accounts named by --to. The file's SHA-256 is declared, so that content\n" +
			"the server already holds is sent instantly. An interrupted upload is resumed by running the\n" +
			"same command again.",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usageErr(cmd, "name at least one FILE to send")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, files []string) error {
			o.to = normalizeRecipients(o.to)
			if len(o.to) == 0 {
				return usageErr(cmd, "--to is required: the recipients' usernames")
			}
			return a.send(cmd, o, files)
		},
	}
	f := cmd.Flags()
	f.StringSliceVar(&o.to, "to", nil, "recipients' usernames, comma-separated or repeated")
	f.Var(&o.chunk, "chunk-size", "send in checksummed chunks of this size, e.g. 64MiB (0: one stream)")
	f.BoolVar(&o.quiet, "quiet", false, "no progress bars")
	f.BoolVar(&o.asJSON, "json", false, "print the results as JSON")
	return cmd
}

// send sends each file in turn; a failure does not stop the others.
func (a *app) send(cmd *cobra.Command, o *sendOptions, files []string) error {
	c, s, err := a.signedIn()
	if err != nil {
		return err
	}
	results := make([]*sendResult, 0, len(files))
	failed := false
	for _, file := range files {
		res, err := a.sendFile(cmd.Context(), c, s, o, file)
		results = append(results, res)
		if err != nil {
			failed = true
			res.Error = wireError(err)
			if res.Error == nil {
				res.Failure = err.Error()
			}
			if len(files) == 1 && !o.asJSON {
				return err
			}
			fmt.Fprintf(a.stderr, "%s:\n", file)
			a.printError(err)
			if cmd.Context().Err() != nil {
				break
			}
			continue
		}
		if !o.asJSON {
			printSent(a, res)
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

func printSent(a *app, r *sendResult) {
	how := ""
	switch {
	case r.Instant:
		how = "  instant"
	case r.Resumed:
		how = "  resumed"
	}
	fmt.Fprintf(a.stdout, "%s  %s  %s%s\n", r.ID, r.Name, r.State, how)
}
