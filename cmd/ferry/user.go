package main

import (
	"fmt"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/ferryhq/ferry"
	"github.com/ferryhq/ferry/httpapi/wire"
)

func (a *app) userCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "user",
		Short: "Manage accounts (administrators)",
		Args:  cobra.ArbitraryArgs,
		RunE:  groupRun,
	}
	cmd.AddCommand(a.userAddCmd(), a.userListCmd(), a.userSetCmd())
	return cmd
}

func (a *app) userAddCmd() *cobra.Command {
	var tier string
	var admin, fromStdin bool
	cmd := &cobra.Command{
		Use:   "add NAME --tier T",
		Short: "Create an account",
		Args:  exactArgs(1, "one username"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if tier == "" {
				return usageErr(cmd, "--tier is required, e.g. --tier free")
			}
			c, _, err := a.signedIn()
			if err != nil {
				return err
			}
			pw, err := a.readPassword("Password for "+args[0]+": ", fromStdin, true)
			if err != nil {
				return err
			}
			acct, err := c.CreateUser(cmd.Context(), wire.CreateUserRequest{Username: args[0], Password: pw, Tier: ferry.Tier(tier), Admin: admin})
			if err != nil {
				return err
			}
			_, err = fmt.Fprintf(a.stdout, "created %s (tier %s%s)\n", acct.Username, acct.Tier, adminMark(acct.Admin))
			return err
		},
	}
	cmd.Flags().StringVar(&tier, "tier", "", "the account's tier: free, member, super, edu, enterprise, …")
	cmd.Flags().BoolVar(&admin, "admin", false, "make the account an administrator")
	cmd.Flags().BoolVar(&fromStdin, "password-stdin", false, "read the password from the first line of standard input")
	return cmd
}

func (a *app) userListCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the accounts",
		Args:  exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, _, err := a.signedIn()
			if err != nil {
				return err
			}
			users, err := c.Users(cmd.Context())
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(a.stdout, users)
			}
			var t table
			t.add("USERNAME", "TIER", "ADMIN", "DISABLED", "CREATED")
			for _, u := range users.Users {
				t.add(u.Username, string(u.Tier), yesNo(u.Admin), yesNo(u.Disabled), fmtTime(&u.CreatedAt))
			}
			return t.write(a.stdout)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the accounts as JSON")
	return cmd
}

func (a *app) userSetCmd() *cobra.Command {
	var tier string
	var admin, disable, enable, fromStdin bool
	cmd := &cobra.Command{
		Use:   "set NAME [--tier T] [--admin=BOOL] [--disable|--enable] [--password-stdin]",
		Short: "Change an account",
		Args:  exactArgs(1, "one username"),
		RunE: func(cmd *cobra.Command, args []string) error {
			fl := cmd.Flags()
			if disable && enable {
				return usageErr(cmd, "--disable and --enable exclude each other")
			}
			var req wire.UpdateUserRequest
			if fl.Changed("tier") {
				req.Tier = ptr(ferry.Tier(tier))
			}
			if fl.Changed("admin") {
				req.Admin = ptr(admin)
			}
			if disable || enable {
				req.Disabled = ptr(disable)
			}
			if req == (wire.UpdateUserRequest{}) && !fromStdin {
				return usageErr(cmd, "nothing to change: give --tier, --admin, --disable, --enable or --password-stdin")
			}
			c, _, err := a.signedIn()
			if err != nil {
				return err
			}
			if fromStdin {
				pw, err := a.readPassword("", true, false)
				if err != nil {
					return err
				}
				req.Password = &pw
			}
			acct, err := c.UpdateUser(cmd.Context(), args[0], req)
			if err != nil {
				return err
			}
			_, err = fmt.Fprintf(a.stdout, "updated %s (tier %s%s, disabled %s)\n", acct.Username, acct.Tier, adminMark(acct.Admin), yesNo(acct.Disabled))
			return err
		},
	}
	cmd.Flags().StringVar(&tier, "tier", "", "the new tier")
	cmd.Flags().BoolVar(&admin, "admin", false, "grant (--admin) or withdraw (--admin=false) administration")
	cmd.Flags().BoolVar(&disable, "disable", false, "disable the account: it can no longer sign in")
	cmd.Flags().BoolVar(&enable, "enable", false, "enable a disabled account")
	cmd.Flags().BoolVar(&fromStdin, "password-stdin", false, "set a new password, read from the first line of standard input")
	return cmd
}

func ptr[T any](v T) *T { return &v }

func yesNo(b bool) string { return strconv.FormatBool(b) }

func adminMark(admin bool) string {
	if admin {
		return ", admin"
	}
	return ""
}
