package e2e

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"

	"github.com/ferryhq/ferry"
	"github.com/ferryhq/ferry/httpapi/wire"
)

// The codes suite: every code of families 1–4, 6 and 7 produced through
// the real HTTP API of a real node, one place per code, so that a reader
// can see each of them happen. For every code it asserts what a client
// relies on: the catalogue's HTTP status, the Ferry-Error-Code header, the
// name, retryable, the rule that fired, Retry-After (header and body)
// where the code promises one, and the message and remedy in Chinese under
// Accept-Language: zh-CN and in English without it.
//
// Where each code happens:
//
//	1001 1003 1004 1006 6002 2001 3003 4004  codes_create_test.go, files and requests
//	6001 6003 3001 4002 4003 7001 7003       codes_create_test.go, usage and risk
//	3002 3004                                codes_create_test.go, schedules
//	  (each create refusal also through POST /api/v1/precheck, which must answer alike)
//	1002 1005 1007 1008 2002 2003 2004       codes_upload_test.go, TestCodesUpload
//	2005 2007 7002
//	2006                                     codes_upload_test.go, TestCodesUploadLocked
//	4001 4002 (authenticator) 4005           codes_account_test.go
//	4003 (an administrator clears it)        codes_account_test.go
//	what a pre-check leaves behind: nothing  codes_precheck_test.go
//
// codes_test.go holds the helpers.

// on returns e for the test t: a subtest's view of its parent's node, so
// that the helpers fail the subtest.
func (e *env) on(t testing.TB) *env {
	c := *e
	c.t = t
	return &c
}

// codeLangs are the two ways every failing request is sent: asking for
// Chinese, and with no Accept-Language at all (English).
var codeLangs = []ferry.Lang{ferry.Chinese, ferry.English}

// withLang returns h with the Accept-Language of lang added (none for
// English: the default must be English).
func withLang(lang ferry.Lang, h map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range h {
		out[k] = v
	}
	if lang == ferry.Chinese {
		out["Accept-Language"] = "zh-CN"
	}
	return out
}

// codeWant is what an error answer must carry beyond its code.
type codeWant struct {
	// rule is the rule that fired; "" asserts nothing.
	rule string
	// retryAfter is the Retry-After in seconds; 0 asserts only what the
	// code promises (retryAfterPromised).
	retryAfter int64
	// generic allows the catalogue's generic message where it has a
	// detailed one (the answer carries too few details to fill it).
	generic bool
}

// retryAfterPromised reports whether an error of b's code must say when to
// try again: load, schedule, volume, bursts, rate, restriction, and a
// step-up that only a cool-down lifts.
func retryAfterPromised(b wire.Error) bool {
	switch b.Code {
	case ferry.CodeServerBusy, ferry.CodeMaintenanceWindow, ferry.CodePeakHoursLimit, ferry.CodeDailyVolumeExceeded,
		ferry.CodeTooManyUploads, ferry.CodeUploadRateAnomaly, ferry.CodeAccountRestricted:
		return true
	case ferry.CodeStepUpRequired:
		return b.Details["totp_enrolled"] != true
	}
	return false
}

// wantCode asserts that r is the error code as the catalogue has it (see
// checkCoded), with its status, Ferry-Error-Code and Retry-After headers.
// A HEAD answer has no body: its status and header are all there is.
func (e *env) wantCode(r *resp, code ferry.Code, lang ferry.Lang, w codeWant) wire.Error {
	e.t.Helper()
	b := e.wantError(r, code.Info().Status, code)
	if r.Request.Method == http.MethodHead {
		return b
	}
	checkCoded(e.t, b, code, lang, w)
	ra := r.Header.Get("Retry-After")
	switch {
	case b.RetryAfterSeconds > 0:
		if ra != strconv.FormatInt(b.RetryAfterSeconds, 10) {
			e.t.Errorf("%d: Retry-After header %q, body retry_after_seconds %d", code, ra, b.RetryAfterSeconds)
		}
	case ra != "":
		e.t.Errorf("%d: Retry-After %q with retry_after_seconds 0", code, ra)
	}
	return b
}

// checkCoded checks a coded error as any client sees it, in an error
// answer or a pre-check: name and retryable from the catalogue, the rule,
// retry_after_seconds, and the message and remedy in lang — the Chinese
// ones with Chinese characters, the English ones without — equal to the
// catalogue's text: the detailed one filled from the details, or the
// generic one where allowed.
func checkCoded(t testing.TB, b wire.Error, code ferry.Code, lang ferry.Lang, w codeWant) {
	t.Helper()
	info := code.Info()
	if b.Code != code || b.Name != info.Name || b.Retryable != info.Retryable {
		t.Errorf("%d: code %d name %q retryable %v; catalogue: %q retryable %v", code, b.Code, b.Name, b.Retryable, info.Name, info.Retryable)
	}
	if w.rule != "" && b.Rule != w.rule {
		t.Errorf("%d: rule %q, want %q", code, b.Rule, w.rule)
	}
	switch {
	case w.retryAfter > 0 && b.RetryAfterSeconds != w.retryAfter:
		t.Errorf("%d: retry_after_seconds %d, want %d", code, b.RetryAfterSeconds, w.retryAfter)
	case retryAfterPromised(b) && b.RetryAfterSeconds <= 0:
		t.Errorf("%d: no retry_after_seconds; the code promises when to try again", code)
	}
	text := code.Text(lang)
	if b.Remedy != text.Remedy {
		t.Errorf("%d %s: remedy %q, want %q", code, lang, b.Remedy, text.Remedy)
	}
	detailed := text.Detailed != "" && filledFrom(text.Detailed, b, lang)
	switch {
	case detailed:
	case text.Detailed != "" && !w.generic:
		t.Errorf("%d %s: message %q is not %q filled from the details %v", code, lang, b.Message, text.Detailed, b.Details)
	case b.Message != text.Message:
		t.Errorf("%d %s: message %q, want %q", code, lang, b.Message, text.Message)
	}
	if han := hasHan(b.Message); han != (lang == ferry.Chinese) {
		t.Errorf("%d %s: message %q: Chinese characters %v", code, lang, b.Message, han)
	}
}

// filledFrom reports whether msg is the template tmpl with each {key}
// replaced by b's detail of that name: string details verbatim, others
// (sizes render as "5 GB", lists joined) as any text. In Chinese, a string
// detail that is words for people (ferry.Phrase: the JSON carries the
// English) may read as Chinese words instead.
func filledFrom(tmpl string, b wire.Error, lang ferry.Lang) bool {
	var re strings.Builder
	re.WriteString("^")
	for {
		i := strings.IndexByte(tmpl, '{')
		j := strings.IndexByte(tmpl, '}')
		if i < 0 || j < i {
			re.WriteString(regexp.QuoteMeta(tmpl))
			break
		}
		re.WriteString(regexp.QuoteMeta(tmpl[:i]))
		key := tmpl[i+1 : j]
		v, ok := b.Details[key]
		switch {
		case key == "retry_after_seconds" && b.RetryAfterSeconds > 0:
			re.WriteString(strconv.FormatInt(b.RetryAfterSeconds, 10))
		case !ok:
			return false
		case isString(v) && lang == ferry.Chinese:
			re.WriteString("(?:" + regexp.QuoteMeta(v.(string)) + `|[^{}]*\p{Han}[^{}]*)`)
		case isString(v):
			re.WriteString(regexp.QuoteMeta(v.(string)))
		default:
			re.WriteString(".+")
		}
		tmpl = tmpl[j+1:]
	}
	re.WriteString("$")
	return regexp.MustCompile(re.String()).MatchString(b.Message)
}

func isString(v any) bool { _, ok := v.(string); return ok }

func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}

// precheck asks POST /api/v1/precheck.
func (e *env) precheck(token string, req wire.CreateTransferRequest, header map[string]string) wire.Precheck {
	e.t.Helper()
	var out wire.Precheck
	e.decode(e.do(request{method: "POST", path: "/api/v1/precheck", token: token, json: req, header: header}), 200, &out)
	return out
}

// wantPrecheckRejects asserts that a pre-check answers what a create
// would: rejected with code, and the rule that fired among its checks,
// failed with that code.
func (e *env) wantPrecheckRejects(pc wire.Precheck, code ferry.Code, lang ferry.Lang, w codeWant) {
	e.t.Helper()
	if pc.Verdict != "rejected" || pc.Error == nil {
		e.t.Fatalf("pre-check: verdict %q error %+v, want rejected with %d", pc.Verdict, pc.Error, code)
	}
	checkCoded(e.t, *pc.Error, code, lang, w)
	found := false
	for _, c := range pc.Checks {
		if c.Rule != pc.Error.Rule {
			continue
		}
		found = true
		if c.Passed || c.Code != code || c.Name != code.Name() || c.Message != pc.Error.Message {
			e.t.Errorf("pre-check: the check of %s is %+v, want failed with %d %q", c.Rule, c, code, pc.Error.Message)
		}
	}
	if !found {
		e.t.Errorf("pre-check: rule %q of the verdict is not among the checks %+v", pc.Error.Rule, pc.Checks)
	}
}

// senderUsage is what a refusal must leave as it was: the sender's
// outbox, its storage (GET /api/v1/me) and its volume of the last 24 hours.
type senderUsage struct {
	outbox  int
	storage int64
	volume  int64
}

func (e *env) usageOf(token string) senderUsage {
	e.t.Helper()
	return senderUsage{outbox: len(e.list(token, "outbox").Transfers), storage: e.storage(token), volume: e.volumeUsed(token)}
}

// volumeUsed reads the sender's volume of the last 24 hours from what a
// pre-check of one byte reports for the daily volume rule: used + 1.
func (e *env) volumeUsed(token string) int64 {
	e.t.Helper()
	pc := e.precheck(token, wire.CreateTransferRequest{To: []string{"bob"}, Name: "probe.img", Size: 1}, nil)
	for _, c := range pc.Checks {
		if strings.HasSuffix(c.Rule, ".daily_volume") {
			if n, ok := c.Actual.(float64); ok {
				return int64(n) - 1
			}
		}
	}
	e.t.Fatalf("pre-check without a daily volume check: %+v", pc.Checks)
	return 0
}

// heldPatch is a tus PATCH whose body the test holds back: the server has
// taken the request and started to read its body — it answered 100
// Continue, which it does at its first read — and no byte has been sent.
// The node counts it among the uploads it is receiving and holds its lock.
type heldPatch struct {
	t    testing.TB
	pw   *io.PipeWriter
	done chan heldAnswer
}

type heldAnswer struct {
	r   *resp
	err error
}

// holdPatch starts a PATCH of length bytes at offset and returns once the
// server reads its body.
func (e *env) holdPatch(token, path string, offset, length int64, header map[string]string) *heldPatch {
	e.t.Helper()
	pr, pw := io.Pipe()
	continued := make(chan struct{})
	var once sync.Once
	ctx := httptrace.WithClientTrace(context.Background(), &httptrace.ClientTrace{
		Got100Continue: func() { once.Do(func() { close(continued) }) }})
	req, err := http.NewRequestWithContext(ctx, "PATCH", e.url+path, pr)
	if err != nil {
		e.t.Fatal(err)
	}
	req.ContentLength = length
	for k, v := range map[string]string{"Authorization": "Bearer " + token, "Tus-Resumable": "1.0.0",
		"Upload-Offset": strconv.FormatInt(offset, 10), "Content-Type": "application/offset+octet-stream",
		"Expect": "100-continue"} {
		req.Header.Set(k, v)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	// The body goes only after 100 Continue: the timeout is a bound, never
	// reached by a server that answers.
	tr := &http.Transport{ExpectContinueTimeout: time.Hour, DisableKeepAlives: true}
	h := &heldPatch{t: e.t, pw: pw, done: make(chan heldAnswer, 1)}
	go func() {
		res, err := tr.RoundTrip(req)
		if err != nil {
			h.done <- heldAnswer{err: err}
			return
		}
		b, err := io.ReadAll(res.Body)
		res.Body.Close()
		h.done <- heldAnswer{r: &resp{Response: res, body: b}, err: err}
	}()
	e.t.Cleanup(func() {
		pw.CloseWithError(errors.New("test over"))
		tr.CloseIdleConnections()
	})
	select {
	case <-continued:
	case a := <-h.done:
		if a.r != nil {
			e.t.Fatalf("held PATCH answered before reading its body: %d %s", a.r.StatusCode, a.r.body)
		}
		e.t.Fatalf("held PATCH: %v", a.err)
	}
	return h
}

// finish sends data, the held PATCH's whole body, and returns the answer.
func (h *heldPatch) finish(data []byte) *resp {
	h.t.Helper()
	if _, err := h.pw.Write(data); err != nil {
		h.t.Fatalf("held PATCH body: %v", err)
	}
	h.pw.Close()
	return h.answer()
}

// answer waits for the held PATCH's answer, as when the server ends it
// without its body.
func (h *heldPatch) answer() *resp {
	h.t.Helper()
	a := <-h.done
	if a.err != nil {
		h.t.Fatalf("held PATCH: %v", a.err)
	}
	return a.r
}

// breakOffPatch sends a PATCH that announces length bytes but whose
// stream ends after part of them, as when a phone loses its network (the
// sending side of the connection is shut down), and returns the server's
// answer to it.
func (e *env) breakOffPatch(token, path string, offset int64, part []byte, length int64, lang ferry.Lang) *resp {
	e.t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(e.url, "http://"))
	if err != nil {
		e.t.Fatal(err)
	}
	defer conn.Close()
	var al string
	if lang == ferry.Chinese {
		al = "Accept-Language: zh-CN\r\n"
	}
	fmt.Fprintf(conn, "PATCH %s HTTP/1.1\r\nHost: ferry\r\nAuthorization: Bearer %s\r\nTus-Resumable: 1.0.0\r\n%s"+
		"Upload-Offset: %d\r\nContent-Type: application/offset+octet-stream\r\nContent-Length: %d\r\n\r\n",
		path, token, al, offset, length)
	if _, err := conn.Write(part); err != nil {
		e.t.Fatal(err)
	}
	conn.(*net.TCPConn).CloseWrite()
	req, _ := http.NewRequest("PATCH", e.url+path, nil)
	res, err := http.ReadResponse(bufio.NewReader(conn), req)
	if err != nil {
		e.t.Fatalf("no answer to the PATCH that broke off: %v", err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		e.t.Fatalf("answer to the PATCH that broke off: %v", err)
	}
	return &resp{Response: res, body: b}
}

// offsetOf asks the upload's offset (tus HEAD).
func (e *env) offsetOf(token, path string) int64 {
	e.t.Helper()
	h := e.head(token, path)
	n, err := strconv.ParseInt(h.Header.Get("Upload-Offset"), 10, 64)
	if h.StatusCode != 200 || err != nil {
		e.t.Fatalf("HEAD %s: %d, Upload-Offset %q", path, h.StatusCode, h.Header.Get("Upload-Offset"))
	}
	return n
}
