package account

import (
	"context"
	"time"

	"github.com/ferryhq/ferry"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// One-time codes are what every authenticator app makes (RFC 6238): six
// digits, a new one every 30 seconds, HMAC-SHA-1.
const (
	totpPeriod = 30
	totpIssuer = "ferry"
)

var totpOpts = totp.ValidateOpts{Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// TOTPEnrollment is a new, unconfirmed authenticator secret: the base32
// Secret to type in, and the otpauth:// URL to show as a QR code.
type TOTPEnrollment struct {
	Secret string
	URL    string
}

// EnrollTOTP gives a a new authenticator secret, replacing an unconfirmed
// one; it counts once ConfirmTOTP sees one of its codes. An account with a
// confirmed secret is refused with 4007 TOTP_ALREADY_ENROLLED, and one at level 2
// or 3 with its 4002 or 4003: a secret made now must not let whoever holds
// the session step up.
func (s *Service) EnrollTOTP(ctx context.Context, a *ferry.Account) (TOTPEnrollment, error) {
	key, err := totp.Generate(totp.GenerateOpts{Issuer: totpIssuer, AccountName: a.Username, Period: totpPeriod,
		SecretSize: 20, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		return TOTPEnrollment{}, ferry.Wrap(ferry.CodeInternal, "account: totp secret", err)
	}
	err = s.updateRisk(ctx, a, func(r *ferry.Risk, p RiskPolicy, now time.Time) error {
		if err := canEnroll(r, p, now); err != nil {
			return err
		}
		r.TOTPSecret, r.TOTPConfirmed, r.TOTPLastStep = key.Secret(), false, 0
		return nil
	})
	if err != nil {
		return TOTPEnrollment{}, err
	}
	return TOTPEnrollment{Secret: key.Secret(), URL: key.URL()}, nil
}

// ConfirmTOTP confirms a's unconfirmed secret with one of its codes: 4005
// ONE_TIME_CODE_INVALID for a wrong one, 4006 TOTP_NOT_ENROLLED when there is nothing to
// confirm, and like EnrollTOTP at level 2 or 3.
func (s *Service) ConfirmTOTP(ctx context.Context, a *ferry.Account, code string) error {
	return s.updateRisk(ctx, a, func(r *ferry.Risk, p RiskPolicy, now time.Time) error {
		if err := canEnroll(r, p, now); err != nil {
			return err
		}
		if r.TOTPSecret == "" {
			return ferry.E(ferry.CodeTOTPNotEnrolled).With("totp_enrolled", false)
		}
		if ok, _ := useCode(r, code, now); !ok {
			return ferry.E(ferry.CodeOneTimeCodeInvalid)
		}
		r.TOTPConfirmed = true
		return nil
	})
}

// StepUp confirms it is a, with a code of a's confirmed secret: the
// account goes back to level 1 with no failed logins. A wrong code is 4005
// and a risk event (step_up_failed); a code already used is 4005 alone. An
// account at level 3 is refused with its 4003 (a step-up does not lift a
// restriction), one with no confirmed secret with 4006.
func (s *Service) StepUp(ctx context.Context, a *ferry.Account, code string) error {
	var verdict error
	err := s.updateRisk(ctx, a, func(r *ferry.Risk, p RiskPolicy, now time.Time) error {
		if r.Level == ferry.RiskRestricted {
			return p.standing(r, now)
		}
		if !r.TOTPConfirmed {
			return ferry.E(ferry.CodeTOTPNotEnrolled).With("totp_enrolled", false)
		}
		verdict = stepUp(r, p, code, now)
		return nil
	})
	if err != nil {
		return err
	}
	return verdict
}

// stepUp checks code against r's confirmed secret: a right one brings r to
// level 1 with no failed logins; a wrong one is recorded as a risk event; a
// replayed one is refused. It returns nil or the 4005 to answer.
func stepUp(r *ferry.Risk, p RiskPolicy, code string, now time.Time) error {
	ok, replay := useCode(r, code, now)
	if !ok {
		if !replay {
			p.event(r, EventStepUpFailed, now)
		}
		return ferry.E(ferry.CodeOneTimeCodeInvalid)
	}
	r.Level, r.LevelSince, r.FailedLogins = ferry.RiskNormal, time.Time{}, 0
	return nil
}

// canEnroll refuses changes to the enrolment of a confirmed secret, or at
// level 2 or 3.
func canEnroll(r *ferry.Risk, p RiskPolicy, now time.Time) error {
	if r.TOTPConfirmed {
		return ferry.E(ferry.CodeTOTPAlreadyEnrolled).With("totp_enrolled", true)
	}
	return p.standing(r, now)
}

// useCode checks code against r's secret for the time steps around now
// (one step of clock skew either way) and, when it is right for a step
// after the last one used, records that step. A code right only for a
// step already used is refused as a replay.
func useCode(r *ferry.Risk, code string, now time.Time) (ok, replay bool) {
	if r.TOTPSecret == "" {
		return false, false
	}
	step := now.Unix() / totpPeriod
	for _, s := range []int64{step, step - 1, step + 1} {
		right, err := totp.ValidateCustom(code, r.TOTPSecret, time.Unix(s*totpPeriod, 0), totpOpts)
		if err != nil || !right {
			continue
		}
		if s <= r.TOTPLastStep {
			replay = true
			continue
		}
		r.TOTPLastStep = s
		return true, false
	}
	return false, replay
}

// ResetTOTP removes a's authenticator, confirmed or not, as an administrator
// decides when its owner lost it: the account can enrol a new one. Its
// risk level stays.
func (s *Service) ResetTOTP(ctx context.Context, a *ferry.Account) error {
	return s.updateRisk(ctx, a, func(r *ferry.Risk, _ RiskPolicy, _ time.Time) error {
		r.TOTPSecret, r.TOTPConfirmed, r.TOTPLastStep = "", false, 0
		return nil
	})
}
