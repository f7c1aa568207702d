package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ferryhq/ferry"
	"github.com/ferryhq/ferry/httpapi/client"
	"github.com/ferryhq/ferry/httpapi/wire"
)

// transferCmd builds status, recall, accept or decline: one call on one
// transfer, whose resulting state is printed.
func (a *app) transferCmd(verb string) *cobra.Command {
	var asJSON bool
	calls := map[string]struct {
		short string
		call  func(*client.Client, context.Context, string) (*wire.Transfer, error)
	}{
		"status":  {"Show a transfer's state (and why it was rejected)", (*client.Client).Transfer},
		"recall":  {"Recall a transfer you sent, until it is downloaded", (*client.Client).Recall},
		"accept":  {"Accept a transfer sent to you", (*client.Client).Accept},
		"decline": {"Decline a transfer sent to you", (*client.Client).Decline},
	}
	spec := calls[verb]
	cmd := &cobra.Command{
		Use:   verb + " ID",
		Short: spec.short,
		Args:  exactArgs(1, "one transfer ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, _, err := a.signedIn()
			if err != nil {
				return err
			}
			t, err := spec.call(c, cmd.Context(), args[0])
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(a.stdout, t)
			}
			printTransfer(a.stdout, t)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the transfer as JSON")
	return cmd
}

// printTransfer prints every field of t that is set, one a line.
func printTransfer(w io.Writer, t *wire.Transfer) {
	var tb table
	tb.add("id:", t.ID)
	tb.add("name:", t.Name)
	tb.add("size:", fmt.Sprintf("%s (%d bytes)", shortSize(t.Size), t.Size))
	if t.SHA256 != "" {
		tb.add("sha256:", t.SHA256)
	}
	tb.add("state:", string(t.State))
	if t.State == ferry.StateUploading {
		tb.add("uploaded:", fmt.Sprintf("%s of %s", shortSize(t.Offset), shortSize(t.Size)))
	}
	tb.add("sender:", t.Sender)
	tb.add("recipients:", describeRecipients(t.Recipients))
	tb.add("created:", fmtTime(&t.CreatedAt))
	for _, row := range []struct {
		label string
		at    *time.Time
	}{{"available:", t.AvailableAt}, {"expires:", t.ExpiresAt}, {"downloaded:", t.DownloadedAt}} {
		if s := fmtTime(row.at); s != "-" {
			tb.add(row.label, s)
		}
	}
	_ = tb.write(w)
	if t.Error != nil {
		printWireError(w, t.Error)
	}
}

func describeRecipients(rs []wire.Recipient) string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = fmt.Sprintf("%s (%s", r.Username, r.Status)
		if r.DownloadedAt != nil {
			parts[i] += ", downloaded " + fmtTime(r.DownloadedAt)
		}
		parts[i] += ")"
	}
	return strings.Join(parts, ", ")
}
