package keywords

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/ferryhq/ferry"
	"github.com/ferryhq/ferry/internal/kwgen"
)

// fileOf is a ferry.File over b.
func fileOf(b []byte) *ferry.File {
	return &ferry.File{Name: "t.txt", Size: int64(len(b)), Open: func(context.Context) (io.ReadSeekCloser, error) {
		return nopCloser{bytes.NewReader(b)}, nil
	}}
}

type nopCloser struct{ *bytes.Reader }

func (nopCloser) Close() error { return nil }

// Scanned in lanes, a text gives the first hit one scan gives: the same
// entry at the same offset, or none — with occurrences, allow entries and
// separators placed across the lanes' boundaries.
func TestLanesFindTheFirstHitOfOneScan(t *testing.T) {
	g := kwgen.New(7)
	words := g.Dictionary(3000)
	var dict strings.Builder
	for i, w := range words {
		if i%10 == 0 {
			dict.WriteString("!" + w + "后缀\n") // allow entries that cover block entries
		}
		fmt.Fprintf(&dict, "%s\tc%d\n", w, i%7)
	}
	d, err := Parse(strings.NewReader(dict.String()), "gen.txt")
	if err != nil {
		t.Fatal(err)
	}
	m, err := Compile(d)
	if err != nil {
		t.Fatal(err)
	}
	in := NewInspector(m, true)
	rng := rand.New(rand.NewPCG(1, 2))
	clean := []byte(strings.Repeat("The quick brown fox jumps over the lazy dog. ", 2000))
	for trial := range 200 {
		n := 2 + trial%3
		text := append([]byte{}, clean...)
		if trial%4 != 0 { // some texts hold nothing
			// Put an occurrence, spread with separators, or covered by
			// its allow entry, just before or across a lane boundary.
			w := words[rng.IntN(len(words))]
			var occ string
			switch trial % 3 {
			case 0:
				occ = w
			case 1:
				occ = strings.Join(strings.Split(w, ""), " * ")
			case 2:
				occ = w + "后缀"
			}
			b := len(text) * (1 + rng.IntN(n-1)) / n
			at := max(0, b-rng.IntN(len(occ)+3))
			text = append(text[:at], append([]byte(" "+occ+" "), text[at:]...)...)
			if rng.IntN(2) == 0 { // and another, later
				at2 := at + 1 + rng.IntN(len(text)-at-1)
				w2 := words[rng.IntN(len(words))]
				text = append(text[:at2], append([]byte(" "+w2+" "), text[at2:]...)...)
			}
		}
		want := m.Scan(text)
		got, err := in.scanLanes(context.Background(), fileOf(text), n)
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case len(want) == 0 && got != nil:
			t.Errorf("trial %d (%d lanes): lanes found %q at %d, one scan nothing", trial, n, got.Entry, got.Offset)
		case len(want) > 0 && got == nil:
			t.Errorf("trial %d (%d lanes): one scan found %q at %d, lanes nothing", trial, n, want[0].Entry, want[0].Offset)
		case len(want) > 0 && (got.Offset != want[0].Offset || got.Entry != want[0].Entry || got.Length != want[0].Length):
			t.Errorf("trial %d (%d lanes): lanes %q at %d+%d, one scan %q at %d+%d", trial, n, got.Entry, got.Offset, got.Length, want[0].Entry, want[0].Offset, want[0].Length)
		}
	}
}

// A large UTF-8 text is inspected in lanes, and its verdict is the one
// scan's: the hit, its offset in the file.
func TestInspectContentUsesLanesForLargeText(t *testing.T) {
	d, err := Parse(strings.NewReader("机密\tsecret\n"), "d.txt")
	if err != nil {
		t.Fatal(err)
	}
	m, err := Compile(d)
	if err != nil {
		t.Fatal(err)
	}
	in := NewInspector(m, false)
	text := bytes.Repeat([]byte("季度报告 quarterly report\n"), 2*LaneMin/30)
	at := len(text)/2 - 2 // across the boundary of two lanes
	text = append(text[:at], append([]byte("机 密"), text[at:]...)...)
	if lanes(int64(len(text))) < 2 {
		t.Skip("one CPU: no lanes")
	}
	err = in.InspectContent(context.Background(), fileOf(text))
	fe := ferry.AsError(err)
	if fe == nil || fe.Code != ferry.CodeSensitiveContent || fe.Details["offset"] != int64(at) {
		t.Fatalf("got %v, want 5001 at offset %d", err, at)
	}
}
