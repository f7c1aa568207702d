package clamd

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ferryhq/ferry"
)

func TestParseScan(t *testing.T) {
	for _, tc := range []struct {
		reply     string
		signature string
		err       error // nil: a verdict; errAny: some error
	}{
		{"stream: OK", "", nil},
		{"stream: Win.Test.EICAR_HDB-1 FOUND", "Win.Test.EICAR_HDB-1", nil},
		{"stream: Eicar-Test-Signature(44d88612fea8a8f36de82e1278abb02f:68) FOUND", "Eicar-Test-Signature(44d88612fea8a8f36de82e1278abb02f:68)", nil},
		{"stream: Heuristics.Encrypted.Zip FOUND", "Heuristics.Encrypted.Zip", nil},
		{"INSTREAM size limit exceeded. ERROR", "", ErrSizeLimit},
		// Nothing else is clean, nor a verdict.
		{"stream: OK ", "", errAny},
		{" stream: OK", "", errAny},
		{"stream: ok", "", errAny},
		{"stream:OK", "", errAny},
		{"OK", "", errAny},
		{"", "", errAny},
		{"stream:  FOUND", "", errAny},
		{"stream: two words FOUND", "", errAny},
		{"stream: Eicar FOUND\n", "", errAny},
		{"1: stream: OK", "", errAny},
		{"stream: lstat() failed: No such file or directory. ERROR", "", errAny},
		{"Can't allocate memory ERROR", "", errAny},
		{"UNKNOWN COMMAND", "", errAny},
		{"PONG", "", errAny},
	} {
		res, err := parseScan(tc.reply)
		switch {
		case tc.err == nil && (err != nil || res.Signature != tc.signature):
			t.Errorf("%q: got %+v, %v; want signature %q", tc.reply, res, err, tc.signature)
		case tc.err == errAny && err == nil:
			t.Errorf("%q: got %+v, want an error", tc.reply, res)
		case tc.err != nil && tc.err != errAny && !errors.Is(err, tc.err):
			t.Errorf("%q: got %v, want %v", tc.reply, err, tc.err)
		}
	}
}

var errAny = errors.New("any error")

func TestReadReply(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"stream: OK\x00", "stream: OK", true},
		{"PONG\x00trailing", "PONG", true},
		{"stream: OK", "", false}, // closed before the NUL
		{"", "", false},
		{strings.Repeat("x", maxReply+600), "", false},
	} {
		got, err := readReply(strings.NewReader(tc.in))
		if got != tc.want || (err == nil) != tc.ok {
			t.Errorf("readReply(%.20q…) = %q, %v; want %q (ok %v)", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

func TestVerdict(t *testing.T) {
	for _, tc := range []struct {
		signature string
		code      ferry.Code
		details   map[string]any
	}{
		{"", 0, nil},
		{"Win.Test.EICAR_HDB-1", ferry.CodeMalwareDetected, map[string]any{"signature": "Win.Test.EICAR_HDB-1"}},
		{"Heuristics.Phishing.Email.SpoofedDomain", ferry.CodeMalwareDetected, map[string]any{"signature": "Heuristics.Phishing.Email.SpoofedDomain"}},
		{"Heuristics.Encrypted.Zip", ferry.CodeArchiveEncrypted, map[string]any{"signature": "Heuristics.Encrypted.Zip"}},
		{"Heuristics.Encrypted.PDF", ferry.CodeArchiveEncrypted, map[string]any{"signature": "Heuristics.Encrypted.PDF"}},
		{"Heuristics.Limits.Exceeded.MaxScanSize", ferry.CodeArchiveLimit, map[string]any{"signature": "Heuristics.Limits.Exceeded.MaxScanSize", "limit_name": "MaxScanSize"}},
		{"Heuristics.Limits.Exceeded.MaxRecursion", ferry.CodeArchiveLimit, map[string]any{"signature": "Heuristics.Limits.Exceeded.MaxRecursion", "limit_name": "MaxRecursion"}},
		{"Heuristics.Limits.Exceeded.MaxScanTime", ferry.CodeScanUnavailable, map[string]any{"signature": "Heuristics.Limits.Exceeded.MaxScanTime"}},
		{"Heuristics.Limits.Exceeded.MaxFileSize", ferry.CodeScanUnavailable, map[string]any{"signature": "Heuristics.Limits.Exceeded.MaxFileSize"}},
	} {
		err := verdict(Result{Signature: tc.signature})
		if tc.code == 0 {
			if err != nil {
				t.Errorf("%q: %v, want nil", tc.signature, err)
			}
			continue
		}
		var fe *ferry.Error
		if !errors.As(err, &fe) || fe.Code != tc.code || fe.Rule != Rule || !sameDetails(fe.Details, tc.details) {
			t.Errorf("%q: got %#v, want %d with rule %s and details %v", tc.signature, err, tc.code, Rule, tc.details)
			continue
		}
		if wantRetry := tc.code == ferry.CodeScanUnavailable; (fe.RetryAfter == time.Minute) != wantRetry {
			t.Errorf("%q: retry after %v", tc.signature, fe.RetryAfter)
		}
	}
}

func sameDetails(a, b map[string]any) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range b {
		if a[k] != v {
			return false
		}
	}
	return true
}
