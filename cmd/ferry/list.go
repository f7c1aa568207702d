package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ferryhq/ferry/httpapi/client"
	"github.com/ferryhq/ferry/httpapi/wire"
)

// listCmd builds `ferry inbox` or `ferry outbox`.
func (a *app) listCmd(which string) *cobra.Command {
	var asJSON, all bool
	var limit int
	short := "List the files sent to you, newest first"
	if which == "outbox" {
		short = "List the files you sent, newest first"
	}
	cmd := &cobra.Command{
		Use:   which,
		Short: short,
		Args:  exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, _, err := a.signedIn()
			if err != nil {
				return err
			}
			list, err := fetchList(cmd.Context(), c, which, limit, all)
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(a.stdout, list)
			}
			if err := a.printList(list, which); err != nil {
				return err
			}
			if list.NextCursor != "" {
				fmt.Fprintln(a.stderr, "there are more: use --all to list them all")
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the list as JSON")
	cmd.Flags().BoolVar(&all, "all", false, "follow the pages to the end")
	cmd.Flags().IntVar(&limit, "limit", 0, "transfers per page (0: the server's default)")
	return cmd
}

// fetchList gets one page of the inbox or outbox, or all pages with all.
func fetchList(ctx context.Context, c *client.Client, which string, limit int, all bool) (*wire.TransferList, error) {
	page := c.Inbox
	if which == "outbox" {
		page = c.Outbox
	}
	out := &wire.TransferList{Transfers: []wire.Transfer{}}
	cursor, seen := "", map[string]bool{}
	for {
		list, err := page(ctx, limit, cursor)
		if err != nil {
			return nil, err
		}
		out.Transfers = append(out.Transfers, list.Transfers...)
		out.NextCursor = list.NextCursor
		if !all || list.NextCursor == "" {
			return out, nil
		}
		if seen[list.NextCursor] { // a server that loops: stop
			return nil, fmt.Errorf("the server returned the cursor %q twice", list.NextCursor)
		}
		seen[list.NextCursor] = true
		cursor = list.NextCursor
	}
}

func (a *app) printList(list *wire.TransferList, which string) error {
	if len(list.Transfers) == 0 {
		_, err := fmt.Fprintf(a.stdout, "%s is empty\n", which)
		return err
	}
	var t table
	who := "FROM"
	if which == "outbox" {
		who = "TO"
	}
	t.add("ID", who, "NAME", "SIZE", "STATE", "CREATED", "EXPIRES")
	for _, tr := range list.Transfers {
		peer := tr.Sender
		if which == "outbox" {
			peer = recipientNames(tr.Recipients)
		}
		t.add(tr.ID, peer, tr.Name, shortSize(tr.Size), string(tr.State), fmtTime(&tr.CreatedAt), fmtTime(tr.ExpiresAt))
	}
	return t.write(a.stdout)
}

func recipientNames(rs []wire.Recipient) string {
	names := make([]string, len(rs))
	for i, r := range rs {
		names[i] = r.Username
	}
	return strings.Join(names, ",")
}
