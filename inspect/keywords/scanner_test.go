package keywords

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// TestSplitAnywhere cuts texts at every byte — inside UTF-8 sequences,
// inside entries with separators — once with the scanner kept and once
// with its state saved and restored at the cut, as two upload requests
// on two nodes would, and checks that the hits are those of one scan.
func TestSplitAnywhere(t *testing.T) {
	m := mustMatcher(t, "机密\tsecret\n成人\n!成人教育\nsecret\tsecret\n乙丙丁\n甲乙\n丙丁\n")
	for _, text := range []string{
		"文件：机*\u200b密，ＳＥＣＲＥＴ ok",
		"成人 教 育和成人",
		"甲乙丙丁 secret",
		"機\xe4密 secretary secret",
	} {
		want := m.ScanString(text)
		if len(want) == 0 {
			t.Fatalf("%q: no hits", text)
		}
		for cut := 0; cut <= len(text); cut++ {
			for _, resume := range []bool{false, true} {
				sc := m.NewScanner()
				sc.Write([]byte(text[:cut]))
				var got []Hit
				if resume {
					got = append(got, sc.Hits()...)
					state, err := sc.MarshalBinary()
					if err != nil {
						t.Fatal(err)
					}
					if sc, err = m.ResumeScanner(state); err != nil {
						t.Fatalf("%q cut at %d: resume: %v", text, cut, err)
					}
				}
				sc.Write([]byte(text[cut:]))
				sc.Close()
				got = append(got, sc.Hits()...)
				if !equalHits(got, want) {
					t.Errorf("%q cut at %d (resumed %v): %+v, want %+v", text, cut, resume, got, want)
				}
			}
		}
	}
}

func equalHits(a, b []Hit) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestTwoRequests is the upload case: a hit whose characters arrive in
// two PATCH requests, handled by two scanners that share only the state.
func TestTwoRequests(t *testing.T) {
	m := mustMatcher(t, "机密\tsecret\n")
	first := []byte("报告：机 ")
	second := []byte("密，请勿外传")
	sc := m.NewScanner()
	sc.Write(first[:len(first)-3]) // a write that ends inside 机's UTF-8
	sc.Write(first[len(first)-3:])
	state, _ := sc.MarshalBinary()
	if sc.Hit() != nil {
		t.Fatal("hit before its last character")
	}
	next, err := m.ResumeScanner(state)
	if err != nil {
		t.Fatal(err)
	}
	next.Write(second)
	next.Close()
	h := next.Hit()
	if h == nil || h.Offset != int64(len("报告：")) || h.Length != int64(len("机 密")) {
		t.Fatalf("hit %+v", h)
	}
	if next.Offset() != int64(len(first)+len(second)) {
		t.Errorf("offset %d", next.Offset())
	}
}

func TestStateSize(t *testing.T) {
	m := mustMatcher(t, "机密\tsecret\nsecret\tsecret\n")
	sc := m.NewScanner()
	sc.Write(bytes.Repeat([]byte("普通的文字 plain words "), 1000))
	sc.Write([]byte("机 "))
	state, _ := sc.MarshalBinary()
	if len(state) > 40 {
		t.Errorf("state is %d bytes: %x", len(state), state)
	}
}

func TestStateErrors(t *testing.T) {
	m := mustMatcher(t, "机密\n")
	other := mustMatcher(t, "成人\n")
	sc := m.NewScanner()
	sc.Write([]byte("机"))
	state, _ := sc.MarshalBinary()
	if _, err := other.ResumeScanner(state); !errors.Is(err, ErrVersion) {
		t.Errorf("other matcher: %v, want ErrVersion", err)
	}
	for _, bad := range [][]byte{nil, []byte("k"), state[:len(state)-1], append(bytes.Clone(state), 0),
		append([]byte{'x'}, state[1:]...)} {
		if _, err := m.ResumeScanner(bad); err == nil || errors.Is(err, ErrVersion) {
			t.Errorf("state %x: %v, want an error", bad, err)
		}
	}
}

func TestReadFrom(t *testing.T) {
	m := mustMatcher(t, "机密\n")
	sc := m.NewScanner()
	n, err := sc.ReadFrom(strings.NewReader(strings.Repeat("x", 100<<10) + "机密"))
	if err != nil || n != 100<<10+6 {
		t.Fatal(n, err)
	}
	sc.Close()
	if h := sc.Hit(); h == nil || h.Offset != 100<<10 {
		t.Errorf("hit %+v", h)
	}
}
