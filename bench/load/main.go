// Command load measures the decision throughput of a running ferry node:
// N workers, for a fixed duration, send either pre-checks
// (POST /api/v1/precheck) or create-then-delete pairs (POST
// /api/v1/transfers, then the sender's recall, DELETE
// /api/v1/transfers/{id}), and it prints requests/s, decisions/s, the
// latency percentiles and every answer that was not what a throughput run
// may count.
//
// It signs in as an administrator, creates (or resets) the accounts it
// needs through the admin API, and signs them in:
//
//	go run ./bench/load -url http://127.0.0.1:8080 -admin-password "$PW" -mode precheck -c 32 -d 10s
//
// A decision is counted only when it is the answer intended: a pre-check
// with verdict "accepted", a create answered 201. Anything else — another
// status, a pre-check whose verdict is "rejected", a transport error — is
// counted apart and makes the exit status 1, so that a run of refusals can
// never pass for throughput.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/ferryhq/ferry"
	"github.com/ferryhq/ferry/httpapi/wire"
)

type options struct {
	url, adminUser, adminPassword string
	mode                          string
	workers, senders              int
	duration, warmup              time.Duration
	tier                          string
	name                          string
	size                          int64
	prefix                        string
}

func main() {
	var o options
	flag.StringVar(&o.url, "url", "http://127.0.0.1:8080", "the node's base URL")
	flag.StringVar(&o.adminUser, "admin", "admin", "an administrator's username")
	flag.StringVar(&o.adminPassword, "admin-password", os.Getenv("FERRY_ADMIN_PASSWORD"), "its password (default $FERRY_ADMIN_PASSWORD)")
	flag.StringVar(&o.mode, "mode", "precheck", "precheck or create-delete")
	flag.IntVar(&o.workers, "c", 32, "concurrent workers (one keep-alive connection each)")
	flag.IntVar(&o.senders, "senders", 1, "sender accounts, the workers spread over them")
	flag.DurationVar(&o.duration, "d", 10*time.Second, "how long to measure")
	flag.DurationVar(&o.warmup, "warmup", 2*time.Second, "how long to send before measuring")
	flag.StringVar(&o.tier, "tier", "enterprise", "the senders' tier")
	flag.StringVar(&o.name, "name", "report.pdf", "the declared file name")
	flag.Int64Var(&o.size, "size", 1000, "the declared size in bytes")
	flag.StringVar(&o.prefix, "user-prefix", "load", "prefix of the accounts it creates")
	flag.Parse()
	if o.mode != "precheck" && o.mode != "create-delete" {
		fmt.Fprintln(os.Stderr, "load: -mode is precheck or create-delete")
		os.Exit(2)
	}
	res, err := run(o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
	res.print(os.Stdout, o)
	if res.bad() > 0 {
		os.Exit(1)
	}
}

// client talks to the node over one pool of keep-alive connections.
type client struct {
	base string
	http *http.Client
}

func (c *client) do(method, path, token string, body []byte) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		return 0, nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := c.http.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return res.StatusCode, b, err
}

func (c *client) json(method, path, token string, in, out any, want int) error {
	b, err := json.Marshal(in)
	if err != nil {
		return err
	}
	status, body, err := c.do(method, path, token, b)
	if err != nil {
		return err
	}
	if status != want {
		return fmt.Errorf("%s %s: %d %s", method, path, status, strings.TrimSpace(string(body)))
	}
	if out != nil {
		return json.Unmarshal(body, out)
	}
	return nil
}

func (c *client) login(user, password string) (string, error) {
	var out wire.LoginResponse
	err := c.json("POST", "/api/v1/login", "", wire.LoginRequest{Username: user, Password: password}, &out, 200)
	return out.Token, err
}

// account creates user with tier and password, or, when it exists from an
// earlier run, sets them.
func (c *client) account(admin, user, password string, tier ferry.Tier) error {
	err := c.json("POST", "/api/v1/admin/users", admin, wire.CreateUserRequest{Username: user, Password: password, Tier: tier}, nil, 201)
	if err == nil {
		return nil
	}
	return c.json("PATCH", "/api/v1/admin/users/"+user, admin, wire.UpdateUserRequest{Tier: &tier, Password: &password}, nil, 200)
}

// result is what the workers saw while measuring.
type result struct {
	elapsed   time.Duration
	decisions int             // accepted pre-checks, or creates answered 201
	requests  int             // every request answered, any status
	non2xx    map[int]int     // status → count
	rejected  int             // pre-checks answered 200 with verdict "rejected"
	errs      int             // transport errors
	firstBad  string          // the first unexpected answer, for the report
	decide    []time.Duration // latency of each decision request
	recall    []time.Duration // latency of each DELETE (create-delete)
	pair      []time.Duration // create + delete (create-delete)
}

func (r *result) bad() int {
	n := r.rejected + r.errs
	for _, c := range r.non2xx {
		n += c
	}
	return n
}

func (r *result) merge(o *result) {
	r.decisions += o.decisions
	r.requests += o.requests
	r.rejected += o.rejected
	r.errs += o.errs
	for k, v := range o.non2xx {
		r.non2xx[k] += v
	}
	if r.firstBad == "" {
		r.firstBad = o.firstBad
	}
	r.decide = append(r.decide, o.decide...)
	r.recall = append(r.recall, o.recall...)
	r.pair = append(r.pair, o.pair...)
}

func run(o options) (*result, error) {
	tr := &http.Transport{MaxIdleConns: o.workers + 4, MaxIdleConnsPerHost: o.workers + 4, IdleConnTimeout: time.Minute}
	c := &client{base: strings.TrimRight(o.url, "/"), http: &http.Client{Transport: tr, Timeout: 30 * time.Second}}
	admin, err := c.login(o.adminUser, o.adminPassword)
	if err != nil {
		return nil, fmt.Errorf("admin login: %w", err)
	}
	recipient := o.prefix + "-recipient"
	if err := c.account(admin, recipient, recipient+"-password", ferry.Tier(o.tier)); err != nil {
		return nil, err
	}
	tokens := make([]string, max(1, o.senders))
	for i := range tokens {
		user := fmt.Sprintf("%s-sender-%d", o.prefix, i)
		if err := c.account(admin, user, user+"-password", ferry.Tier(o.tier)); err != nil {
			return nil, err
		}
		if tokens[i], err = c.login(user, user+"-password"); err != nil {
			return nil, err
		}
	}
	body, _ := json.Marshal(wire.CreateTransferRequest{To: []string{recipient}, Name: o.name, Size: o.size})

	ctx, cancel := context.WithTimeout(context.Background(), o.warmup+o.duration)
	defer cancel()
	t0 := time.Now()
	measureFrom := t0.Add(o.warmup)
	results := make([]*result, o.workers)
	var wg sync.WaitGroup
	for w := range o.workers {
		results[w] = &result{non2xx: map[int]int{}}
		wg.Add(1)
		go func() {
			defer wg.Done()
			work(ctx, c, o.mode, tokens[w%len(tokens)], body, measureFrom, results[w])
		}()
	}
	wg.Wait()
	total := &result{non2xx: map[int]int{}, elapsed: time.Since(measureFrom)}
	for _, r := range results {
		total.merge(r)
	}
	return total, nil
}

// work sends until ctx ends, counting only what starts after measureFrom.
func work(ctx context.Context, c *client, mode, token string, body []byte, measureFrom time.Time, r *result) {
	path := "/api/v1/precheck"
	if mode == "create-delete" {
		path = "/api/v1/transfers"
	}
	for ctx.Err() == nil {
		start := time.Now()
		counted := !start.Before(measureFrom)
		status, b, err := c.do("POST", path, token, body)
		took := time.Since(start)
		if ctx.Err() != nil && err != nil {
			return // the run ended mid-request
		}
		if !counted {
			if mode == "create-delete" && status == 201 {
				if id := transferID(b); id != "" {
					c.do("DELETE", "/api/v1/transfers/"+id, token, nil)
				}
			}
			continue
		}
		want := http.StatusOK
		if mode == "create-delete" {
			want = http.StatusCreated
		}
		ok := r.answer(status, b, err, want)
		if ok {
			r.decisions++
			r.decide = append(r.decide, took)
		}
		if mode != "create-delete" || !ok {
			continue
		}
		id := transferID(b)
		dstart := time.Now()
		status, b, err = c.do("DELETE", "/api/v1/transfers/"+id, token, nil)
		if r.answer(status, b, err, 200) {
			d := time.Since(dstart)
			r.recall = append(r.recall, d)
			r.pair = append(r.pair, took+d)
		}
	}
}

// answer counts one answer and reports whether it is the intended one:
// status want, and for a pre-check the verdict "accepted".
func (r *result) answer(status int, body []byte, err error, want int) bool {
	if err != nil {
		r.errs++
		r.note(err.Error())
		return false
	}
	r.requests++
	if status != want {
		r.non2xx[status]++
		r.note(fmt.Sprintf("%d %s", status, bytes.TrimSpace(body)))
		return false
	}
	if want == http.StatusOK && bytes.Contains(body, []byte(`"verdict":"rejected"`)) {
		r.rejected++
		r.note(string(bytes.TrimSpace(body)))
		return false
	}
	return true
}

func (r *result) note(s string) {
	if r.firstBad == "" {
		if len(s) > 300 {
			s = s[:300] + "…"
		}
		r.firstBad = s
	}
}

// transferID reads the "id" of a create's answer without decoding it all:
// the load generator shares the machine with the node.
func transferID(b []byte) string {
	const key = `"id":"`
	i := bytes.Index(b, []byte(key))
	if i < 0 {
		return ""
	}
	rest := b[i+len(key):]
	j := bytes.IndexByte(rest, '"')
	if j < 0 {
		return ""
	}
	return string(rest[:j])
}

func (r *result) print(w io.Writer, o options) {
	secs := r.elapsed.Seconds()
	fmt.Fprintf(w, "mode %s: %d workers over %d sender(s) of tier %s, %q of %d bytes, %s measured after %s warm-up\n",
		o.mode, o.workers, max(1, o.senders), o.tier, o.name, o.size, r.elapsed.Round(time.Millisecond), o.warmup)
	fmt.Fprintf(w, "  requests   %8d  %9.0f/s\n", r.requests, float64(r.requests)/secs)
	fmt.Fprintf(w, "  decisions  %8d  %9.0f/s\n", r.decisions, float64(r.decisions)/secs)
	label := "precheck"
	if o.mode == "create-delete" {
		label = "create"
	}
	fmt.Fprintf(w, "  %-9s  %s\n", label, percentiles(r.decide))
	if o.mode == "create-delete" {
		fmt.Fprintf(w, "  %-9s  %s\n", "delete", percentiles(r.recall))
		fmt.Fprintf(w, "  %-9s  %s\n", "pair", percentiles(r.pair))
	}
	codes := make([]int, 0, len(r.non2xx))
	for k := range r.non2xx {
		codes = append(codes, k)
	}
	slices.Sort(codes)
	var parts []string
	for _, k := range codes {
		parts = append(parts, fmt.Sprintf("%d×%d", r.non2xx[k], k))
	}
	fmt.Fprintf(w, "  non-2xx %d [%s], rejected verdicts %d, transport errors %d\n",
		r.bad()-r.rejected-r.errs, strings.Join(parts, " "), r.rejected, r.errs)
	if r.firstBad != "" {
		fmt.Fprintf(w, "  first unexpected answer: %s\n", r.firstBad)
	}
	// One line for scripts (bench/decisions.sh).
	fmt.Fprintf(w, "result tool=load mode=%s requests_per_s=%.0f decisions_per_s=%.0f p50_ms=%s p90_ms=%s p99_ms=%s max_ms=%s non2xx=%d rejected=%d errors=%d\n",
		o.mode, float64(r.requests)/secs, float64(r.decisions)/secs,
		quantile(r.decide, 0.50), quantile(r.decide, 0.90), quantile(r.decide, 0.99), quantile(r.decide, 1),
		r.bad()-r.rejected-r.errs, r.rejected, r.errs)
}

// quantile returns the q-quantile of sorted d in milliseconds.
func quantile(d []time.Duration, q float64) string {
	if len(d) == 0 {
		return "0"
	}
	return fmt.Sprintf("%.2f", float64(d[int(q*float64(len(d)-1)+0.5)])/float64(time.Millisecond))
}

func percentiles(d []time.Duration) string {
	if len(d) == 0 {
		return "no samples"
	}
	slices.Sort(d)
	return fmt.Sprintf("p50 %s ms  p90 %s ms  p99 %s ms  max %s ms",
		quantile(d, 0.50), quantile(d, 0.90), quantile(d, 0.99), quantile(d, 1))
}
