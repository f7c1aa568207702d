package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ferryhq/ferry/httpapi/client"
	"github.com/ferryhq/ferry/httpapi/wire"
)

// getOptions are the flags of `ferry get`.
type getOptions struct {
	out   string
	force bool
	quiet bool
}

func (a *app) getCmd() *cobra.Command {
	o := &getOptions{}
	cmd := &cobra.Command{
		Use:   "get ID",
		Short: "Download a transfer (resumes an interrupted download)",
		Long: "Download transfer ID into the current folder under its name, or to -o PATH (a folder or a file).\n" +
			"Bytes go to PATH.part first; running the command again resumes from there. The file's SHA-256\n" +
			"is checked before it is renamed to PATH.",
		Args: exactArgs(1, "one transfer ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, _, err := a.signedIn()
			if err != nil {
				return err
			}
			return a.get(cmd.Context(), c, args[0], o)
		},
	}
	cmd.Flags().StringVarP(&o.out, "output", "o", "", "where to save: a file path, or an existing folder")
	cmd.Flags().BoolVar(&o.force, "force", false, "overwrite an existing file")
	cmd.Flags().BoolVar(&o.quiet, "quiet", false, "no progress bars")
	return cmd
}

func (a *app) get(ctx context.Context, c *client.Client, id string, o *getOptions) error {
	t, err := c.Transfer(ctx, id)
	if err != nil {
		return err
	}
	path := targetPath(t, o.out)
	if err := checkFree(path, o.force); err != nil {
		return err
	}
	part := path + ".part"
	if err := a.fetch(ctx, c, t, part, o.quiet); err != nil {
		return err
	}
	if err := a.verify(ctx, t, part, o.quiet); err != nil {
		return err
	}
	if err := checkFree(path, o.force); err != nil {
		return err
	}
	if err := os.Rename(part, path); err != nil {
		return err
	}
	_, err = fmt.Fprintf(a.stdout, "saved %s (%s)\n", path, shortSize(t.Size))
	return err
}

// targetPath is where transfer t is saved: out, or t's name inside out
// when out is a folder, or t's name in the current folder. A name from
// the server never leaves its folder (see client.SafeName).
func targetPath(t *wire.Transfer, out string) string {
	name := client.SafeName(t.Name)
	if name == "" {
		name = "ferry-" + client.SafeName(t.ID)
	}
	if out == "" {
		return name
	}
	if fi, err := os.Stat(out); (err == nil && fi.IsDir()) || strings.HasSuffix(out, string(filepath.Separator)) {
		return filepath.Join(out, name)
	}
	return out
}

// checkFree refuses to overwrite path unless force.
func checkFree(path string, force bool) error {
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if fi.IsDir() {
		return fmt.Errorf("%s is a folder", path)
	}
	if !force {
		return fmt.Errorf("%s exists: use --force to overwrite it, or -o to save elsewhere", path)
	}
	return nil
}

// fetch downloads t into part, resuming from what part holds.
func (a *app) fetch(ctx context.Context, c *client.Client, t *wire.Transfer, part string, quiet bool) error {
	f, err := os.OpenFile(part, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	offset := fi.Size()
	if offset > t.Size { // not a prefix of this content: start over
		if err := f.Truncate(0); err != nil {
			return err
		}
		offset = 0
	}
	if offset == t.Size && offset > 0 {
		return nil // complete already; verify says whether it is right
	}
	etag := ""
	if t.SHA256 != "" {
		etag = `"` + t.SHA256 + `"`
	}
	bar := a.newProgress(t.Size, "receiving", quiet)
	bar.set(offset)
	err = downloadLoop(ctx, c, t.ID, f, client.DownloadOptions{Offset: offset, ETag: etag, Progress: bar.set})
	bar.done(err == nil)
	if err != nil {
		if fi, serr := f.Stat(); serr == nil && fi.Size() == 0 {
			os.Remove(part) // nothing to resume
			return err
		}
		return withHint(err, "the partial download is kept in "+part+": run the same command again to resume it")
	}
	return f.Sync()
}

// downloadLoop downloads, resuming at once after a broken connection that
// made progress, up to 5 consecutive failures without progress.
func downloadLoop(ctx context.Context, c *client.Client, id string, f *os.File, opts client.DownloadOptions) error {
	for failures := 0; ; {
		res, err := c.Download(ctx, id, f, opts)
		if err == nil || ctx.Err() != nil || wireError(err) != nil {
			return err
		}
		held := res.Start + res.Written
		if held > opts.Offset {
			failures = 0
		} else if failures++; failures >= 5 {
			return err
		}
		opts.Offset = held
	}
}

// verify checks part's size and SHA-256 against t; a wrong file is removed
// so that the next attempt starts over.
func (a *app) verify(ctx context.Context, t *wire.Transfer, part string, quiet bool) error {
	f, err := os.Open(part)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if fi.Size() != t.Size {
		return fmt.Errorf("%s holds %d bytes, the transfer has %d", part, fi.Size(), t.Size)
	}
	if t.SHA256 == "" {
		return nil
	}
	sum, err := a.hashFile(ctx, f, t.Size, "checking ", quiet)
	if err != nil {
		return err
	}
	if sum != t.SHA256 {
		os.Remove(part)
		return fmt.Errorf("the downloaded file's SHA-256 is %s, the transfer's is %s: the damaged download was removed, run the command again", sum, t.SHA256)
	}
	return nil
}
