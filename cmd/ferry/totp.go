package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
)

// totpCmd holds enrolment of an authenticator app, whose one-time codes
// lift risk level 2 (4002 STEP_UP_REQUIRED): see stepUpCmd and
// `ferry login --totp`.
func (a *app) totpCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "totp",
		Short: "Enrol an authenticator app for one-time codes",
		Long: "An authenticator app (any app of RFC 6238 one-time codes) lets you confirm it is you when the\n" +
			"server asks (4002 STEP_UP_REQUIRED) instead of waiting for the cool-down: enrol it with\n" +
			"`ferry totp enroll`, confirm it with `ferry totp confirm CODE`, then use its codes with\n" +
			"`ferry step-up CODE` or `ferry login --totp CODE`.",
		Args: cobra.ArbitraryArgs,
		RunE: groupRun,
	}
	cmd.AddCommand(a.totpEnrollCmd(), a.totpConfirmCmd())
	return cmd
}

func (a *app) totpEnrollCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "enroll",
		Short: "Make a new authenticator secret (confirm it with `ferry totp confirm CODE`)",
		Args:  exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, _, err := a.signedIn()
			if err != nil {
				return err
			}
			en, err := c.EnrollTOTP(cmd.Context())
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(a.stdout, en)
			}
			var tb table
			tb.add("secret:", en.Secret)
			tb.add("url:", en.OTPAuthURL)
			_ = tb.write(a.stdout)
			fmt.Fprintln(a.stdout, "Add it to your authenticator app (type the secret, or show the url as a QR code),")
			fmt.Fprintln(a.stdout, "then confirm it with the code the app shows: ferry totp confirm CODE")
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the secret and url as JSON")
	return cmd
}

func (a *app) totpConfirmCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "confirm CODE",
		Short: "Confirm the enrolled authenticator with the code it shows now",
		Args:  exactArgs(1, "the 6-digit code your authenticator app shows"),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, _, err := a.signedIn()
			if err != nil {
				return err
			}
			if err := c.ConfirmTOTP(cmd.Context(), oneTimeCode(args[0])); err != nil {
				return err
			}
			fmt.Fprintln(a.stdout, "authenticator enrolled: when the server asks for a one-time code, run `ferry step-up CODE`")
			return nil
		},
	}
}

// stepUpCmd lifts risk level 2 with a one-time code.
func (a *app) stepUpCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "step-up CODE",
		Short: "Confirm it is you with a one-time code, when sending needs one (4002)",
		Args:  exactArgs(1, "the 6-digit code your authenticator app shows"),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, _, err := a.signedIn()
			if err != nil {
				return err
			}
			if err := c.StepUp(cmd.Context(), oneTimeCode(args[0])); err != nil {
				return err
			}
			fmt.Fprintln(a.stdout, "confirmed: you can send again")
			return nil
		},
	}
}

// oneTimeCode is a code as typed: apps show "123 456", the server wants
// "123456".
func oneTimeCode(s string) string {
	return strings.Join(strings.Fields(s), "")
}
