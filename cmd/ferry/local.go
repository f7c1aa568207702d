package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/ferryhq/ferry"
	"github.com/ferryhq/ferry/httpapi/wire"
	"github.com/ferryhq/ferry/server"
)

func (a *app) serveCmd() *cobra.Command {
	var listen, data, file string
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run a ferry server node",
		Long: "Run a ferry server node until interrupted (SIGINT or SIGTERM).\n" +
			"Without --config it starts on 127.0.0.1:8080 with the data folder ./ferry-data.",
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := server.LoadConfig(file)
			if err != nil {
				return err
			}
			if cmd.Flags().Changed("listen") {
				cfg.Listen = listen
			}
			if cmd.Flags().Changed("data") {
				cfg.Data = data
			}
			return server.Run(cmd.Context(), cfg, a.stdout)
		},
	}
	cmd.Flags().StringVar(&listen, "listen", "", "address to listen on (overrides the configuration), e.g. 0.0.0.0:8080")
	cmd.Flags().StringVar(&data, "data", "", "data folder (overrides the configuration)")
	cmd.Flags().StringVar(&file, "config", "", "configuration file (ferry.yaml); see `ferry config example`")
	return cmd
}

func (a *app) migrateCmd() *cobra.Command {
	var data, file string
	cmd := &cobra.Command{
		Use:   "migrate",
		Short: "Apply the metadata store's schema migrations, then exit",
		Long: "Apply the schema migrations that the metadata store (SQLite or PostgreSQL, as the\n" +
			"configuration says) has not seen, then exit. `ferry serve` does the same at start, and\n" +
			"several nodes starting at once migrate once; run this first to upgrade before the nodes.",
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := server.LoadConfig(file)
			if err != nil {
				return err
			}
			if cmd.Flags().Changed("data") {
				cfg.Data = data
			}
			store, err := server.Migrate(cmd.Context(), cfg)
			if err != nil {
				return fmt.Errorf("migrate: %w", err)
			}
			_, err = fmt.Fprintf(a.stdout, "metadata store is up to date (%s)\n", store)
			return err
		},
	}
	cmd.Flags().StringVar(&data, "data", "", "data folder (overrides the configuration)")
	cmd.Flags().StringVar(&file, "config", "", "configuration file (ferry.yaml)")
	return cmd
}

func (a *app) configCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Server configuration",
		Args:  cobra.ArbitraryArgs,
		RunE:  groupRun,
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "example",
		Short: "Print a commented example configuration (ferry.yaml)",
		Args:  exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			ex := server.ExampleConfig()
			if ex != "" && !strings.HasSuffix(ex, "\n") {
				ex += "\n"
			}
			_, err := fmt.Fprint(a.stdout, ex)
			return err
		},
	})
	return cmd
}

func (a *app) versionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the client version",
		Args:  exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := fmt.Fprintf(a.stdout, "ferry %s\n", a.version)
			return err
		},
	}
}

func (a *app) codesCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "codes",
		Short: "Print the catalogue of error codes, with messages and remedies",
		Long:  "Print every error code ferry can answer with: its name, HTTP status, message and remedy\nin your language (LANG). Needs no server.",
		Args:  exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			codes := ferry.Codes()
			if asJSON {
				return writeJSON(a.stdout, wire.Codes{Codes: codes})
			}
			return printCodes(a.stdout, codes, a.lang())
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the catalogue as JSON (both languages)")
	return cmd
}

func printCodes(w io.Writer, codes []ferry.CodeInfo, lang ferry.Lang) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "CODE\tNAME\tSTATUS\tRETRY\tMESSAGE")
	for _, c := range codes {
		t := c.En
		if lang == ferry.Chinese {
			t = c.Zh
		}
		retry := ""
		if c.Retryable {
			retry = "yes"
		}
		fmt.Fprintf(tw, "%d\t%s\t%d\t%s\t%s\n", c.Code, c.Name, c.Status, retry, t.Message)
		fmt.Fprintf(tw, "\t\t\t\tremedy: %s\n", t.Remedy)
	}
	return tw.Flush()
}

// writeJSON prints v as indented JSON.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
