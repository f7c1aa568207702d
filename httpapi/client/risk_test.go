package client

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/ferryhq/ferry"
	"github.com/ferryhq/ferry/httpapi/wire"
)

func TestTOTPCalls(t *testing.T) {
	var seen []string
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		var body wire.OneTimeCode
		_ = json.NewDecoder(r.Body).Decode(&body)
		seen = append(seen, r.Method+" "+r.URL.Path+" "+body.Code)
		switch {
		case r.URL.Path == "/api/v1/me/totp":
			_ = json.NewEncoder(w).Encode(wire.TOTPEnrollment{Secret: "JBSWY3DPEHPK3PXP", OTPAuthURL: "otpauth://totp/ferry:ana?secret=JBSWY3DPEHPK3PXP"})
		case body.Code == "123456":
			w.WriteHeader(http.StatusNoContent)
		default:
			writeErr(w, http.StatusUnauthorized, ferry.CodeOneTimeCodeInvalid)
		}
	})
	c := newTestClient(srv)
	ctx := context.Background()
	en, err := c.EnrollTOTP(ctx)
	if err != nil || en.Secret != "JBSWY3DPEHPK3PXP" || en.OTPAuthURL == "" {
		t.Fatalf("EnrollTOTP = %+v, %v", en, err)
	}
	if err := c.ConfirmTOTP(ctx, "123456"); err != nil {
		t.Fatalf("ConfirmTOTP: %v", err)
	}
	if err := c.StepUp(ctx, "123456"); err != nil {
		t.Fatalf("StepUp: %v", err)
	}
	if err := c.StepUp(ctx, "000000"); errCode(err) != ferry.CodeOneTimeCodeInvalid {
		t.Fatalf("StepUp with a wrong code: %v", err)
	}
	want := []string{"POST /api/v1/me/totp ", "POST /api/v1/me/totp/confirm 123456", "POST /api/v1/me/step-up 123456", "POST /api/v1/me/step-up 000000"}
	if len(seen) != len(want) {
		t.Fatalf("requests %q", seen)
	}
	for i := range want {
		if seen[i] != want[i] {
			t.Errorf("request %d = %q, want %q", i, seen[i], want[i])
		}
	}
}
