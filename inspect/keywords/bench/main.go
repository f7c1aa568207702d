// Command bench measures package keywords beside Go Aho–Corasick libraries
// on one generated data set: a dictionary of N entries (70 % Chinese, 30 %
// Latin, see internal/kwgen) and mixed Chinese and English text with some
// of the entries planted in it. For each engine it prints the build time,
// the heap in use after the build (runtime.ReadMemStats, after a GC, less
// the heap before it) per entry, and the scan speed in MB/s (10^6 bytes of
// its input a second, one core).
//
// The libraries do not normalise: they get the entries in normalised form
// and the text pre-normalised by keywords.Normalize character by character
// (runs of separators kept as one space), so that they find what they can
// of the same hits; keywords gets the raw text and normalises as it scans.
// Each engine runs in a child process of its own (so that one that crashes
// or runs out of memory does not end the run, and memory is measured
// alone), under an address-space limit.
//
//	cd inspect/keywords/bench && go run . -entries 10000,1000000 -size 256
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/ferryhq/ferry/inspect/keywords"
	"github.com/ferryhq/ferry/internal/kwgen"
)

// result is what a child reports.
type result struct {
	Engine     string  `json:"engine"`
	Entries    int     `json:"entries"`
	BuildSec   float64 `json:"build_s"`
	HeapBytes  int64   `json:"heap_bytes"`
	InputBytes int64   `json:"input_bytes"`
	ScanSec    float64 `json:"scan_s"`
	Matches    int     `json:"matches"`
	Note       string  `json:"note,omitempty"`
}

func main() {
	entries := flag.String("entries", "10000,1000000", "dictionary sizes, comma-separated")
	size := flag.Int("size", 256, "text size in MiB")
	engines := flag.String("engines", strings.Join(engineNames(), ","), "engines to run")
	timeout := flag.Duration("timeout", 15*time.Minute, "time limit for one engine")
	memLimit := flag.Int64("memlimit", 12<<30, "address-space limit for one engine, bytes")
	child := flag.String("child", "", "internal: run one engine on the data in -dir")
	dir := flag.String("dir", "", "internal: the data folder")
	flag.Parse()
	if *child != "" {
		runChild(*child, *dir, *memLimit)
		return
	}
	tmp, err := os.MkdirTemp("", "kwbench")
	check(err)
	defer os.RemoveAll(tmp)
	var results []result
	for _, f := range strings.Split(*entries, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		check(err)
		d := filepath.Join(tmp, strconv.Itoa(n))
		check(os.MkdirAll(d, 0o755))
		start := time.Now()
		generate(d, n, *size<<20)
		fmt.Fprintf(os.Stderr, "generated %d entries and %d MiB of text in %v\n", n, *size, time.Since(start).Round(time.Millisecond))
		for _, e := range strings.Split(*engines, ",") {
			r := runEngine(e, d, *timeout, *memLimit)
			r.Entries = n
			results = append(results, r)
			fmt.Fprintf(os.Stderr, "  %-22s build %7.2fs  %8.1f B/entry  %7.1f MB/s  %s\n",
				r.Engine, r.BuildSec, float64(r.HeapBytes)/float64(n), mbps(r), r.Note)
		}
	}
	printTable(results)
}

func mbps(r result) float64 {
	if r.ScanSec == 0 {
		return 0
	}
	return float64(r.InputBytes) / r.ScanSec / 1e6
}

// generate writes the dictionary, the text, and the normalised forms the
// libraries get.
func generate(dir string, n, size int) {
	g := kwgen.New(1)
	words := g.Dictionary(n)
	text := g.Text(size, g.Sample(words, 1000))
	check(os.WriteFile(filepath.Join(dir, "dict.txt"), []byte(strings.Join(words, "\n")+"\n"), 0o644))
	check(os.WriteFile(filepath.Join(dir, "text"), text, 0o644))
	var pats bytes.Buffer
	for _, w := range words {
		pats.WriteString(keywords.Normalize(w))
		pats.WriteByte('\n')
	}
	check(os.WriteFile(filepath.Join(dir, "patterns"), pats.Bytes(), 0o644))
	check(os.WriteFile(filepath.Join(dir, "text.norm"), prenormalize(text), 0o644))
}

// prenormalize normalises text character by character, each run of
// separators becoming one space.
func prenormalize(text []byte) []byte {
	out := make([]byte, 0, len(text))
	cache := map[rune]string{}
	space := false
	for _, r := range string(text) {
		s, ok := cache[r]
		if !ok {
			s = keywords.Normalize(string(r))
			cache[r] = s
		}
		if s == "" {
			if !space {
				out = append(out, ' ')
				space = true
			}
			continue
		}
		out = append(out, s...)
		space = false
	}
	return out
}

func runEngine(engine, dir string, timeout time.Duration, memLimit int64) result {
	self, err := os.Executable()
	check(err)
	cmd := exec.Command(self, "-child", engine, "-dir", dir, "-memlimit", strconv.FormatInt(memLimit, 10))
	var errOut bytes.Buffer
	cmd.Stderr = &errOut
	var out bytes.Buffer
	cmd.Stdout = &out
	check(cmd.Start())
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err = <-done:
	case <-time.After(timeout):
		cmd.Process.Kill()
		<-done
		return result{Engine: engine, Note: fmt.Sprintf("stopped after %v", timeout)}
	}
	var r result
	if err != nil || json.Unmarshal(out.Bytes(), &r) != nil {
		note := "failed"
		if err != nil {
			note = "failed: " + err.Error()
		}
		if first, _, _ := strings.Cut(errOut.String(), "\n"); first != "" {
			note += ": " + first
		}
		return result{Engine: engine, Note: note}
	}
	return r
}

// runChild builds and runs one engine, and prints its result as JSON.
func runChild(name, dir string, memLimit int64) {
	check(syscall.Setrlimit(syscall.RLIMIT_AS, &syscall.Rlimit{Cur: uint64(memLimit), Max: uint64(memLimit)}))
	e, ok := engineByName(name)
	if !ok {
		check(fmt.Errorf("unknown engine %q", name))
	}
	input := "text.norm"
	if e.raw {
		input = "text"
	}
	text, err := os.ReadFile(filepath.Join(dir, input))
	check(err)
	var patterns []string
	src := "patterns"
	if e.raw {
		src = "dict.txt"
	}
	f, err := os.Open(filepath.Join(dir, src))
	check(err)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		patterns = append(patterns, sc.Text())
	}
	f.Close()
	debug.SetGCPercent(100)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	scan, note := e.build(patterns)
	build := time.Since(start)
	runtime.GC()
	runtime.ReadMemStats(&after)
	if prepared != nil {
		prepared(text)
	}
	start = time.Now()
	matches := scan(text)
	elapsed := time.Since(start)
	runtime.KeepAlive(scan)
	r := result{Engine: name, BuildSec: build.Seconds(), HeapBytes: int64(after.HeapInuse) - int64(before.HeapInuse),
		InputBytes: int64(len(text)), ScanSec: elapsed.Seconds(), Matches: matches, Note: note}
	check(json.NewEncoder(os.Stdout).Encode(r))
}

func printTable(rs []result) {
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, "engine\tentries\tbuild s\theap B/entry\tMB/s\tmatches\tnote\t")
	for _, r := range rs {
		fmt.Fprintf(w, "%s\t%d\t%.2f\t%.0f\t%.1f\t%d\t%s\t\n", r.Engine, r.Entries, r.BuildSec,
			float64(r.HeapBytes)/float64(max(r.Entries, 1)), mbps(r), r.Matches, r.Note)
	}
	w.Flush()
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}
