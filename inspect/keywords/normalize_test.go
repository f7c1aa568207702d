package keywords

import (
	"testing"
	"unicode/utf8"
)

func TestNormalize(t *testing.T) {
	for in, want := range map[string]string{
		"ＡＢＣ１２３":         "abc123",
		"Hello, World!":  "helloworld",
		"機密":             "机密",
		"机 密":            "机密",
		"机*密":            "机密",
		"机\u200b密":       "机密",
		"机\u2060密\ufeff": "机密",
		"机·密":            "机密",
		"ﬁle":            "file",
		"Straße":         "straße",
		"ÉCOLE":          "ecole",
		"ｶﾀｶﾅ":           "カタカナ",
		"ガ":              "カ",
		"ΣΊΣΥΦΟΣ":        "σισυφοσ",
		"ПРИВЕТ":         "привет",
		"İstanbul":       "istanbul",
		"①②":             "12",
		"薴":              "苎",
		"乾隆":             "干隆",
		"한국어":            "한국어",
		"a\xffb":         "ab",
		"😀 emoji":        "emoji",
	} {
		if got := Normalize(in); got != want {
			t.Errorf("Normalize(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestNormalizeEveryRune checks every code point: normalising is
// idempotent, and a rune normalises alike alone and among separators.
func TestNormalizeEveryRune(t *testing.T) {
	for r := rune(0); r <= lastComputed+0x100; r++ {
		if !utf8.ValidRune(r) {
			continue
		}
		s := string(r)
		n := Normalize(s)
		if Normalize(n) != n {
			t.Errorf("U+%04X: Normalize(%q) = %q, but Normalize(%q) = %q", r, s, n, n, Normalize(n))
		}
		if Normalize(" "+s+"-") != n {
			t.Errorf("U+%04X: separators change it", r)
		}
	}
}

func TestT2SMappings(t *testing.T) {
	m := t2sMap()
	if len(m) < 4000 {
		t.Errorf("%d mappings", len(m))
	}
	for from, to := range m {
		if _, chained := m[to]; chained {
			t.Errorf("%c → %c → %c: chains must be followed", from, to, m[to])
		}
	}
}
