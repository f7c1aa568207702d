package policy

import (
	"strings"
	"testing"

	"github.com/ferryhq/ferry"
)

func TestCleanNameAccepts(t *testing.T) {
	for _, name := range []string{
		"report.pdf", "季度 报告 final 🚀.txt", "a", "résumé.docx", "Ünïcödé mixed 中文 العربية.txt",
		"..hidden", ".bashrc", "a..b", "COM10.txt", "console.log",
	} {
		got, err := CleanName(name)
		if err != nil || got != name {
			t.Errorf("CleanName(%q) = %q, %v; want it accepted unchanged", name, got, err)
		}
	}
	// NFD input comes back NFC.
	if got, err := CleanName("re\u0301sume\u0301.txt"); err != nil || got != "résumé.txt" {
		t.Errorf("CleanName(NFD) = %q, %v; want the NFC form", got, err)
	}
	if got, err := CleanName(strings.Repeat("报", 85)); err != nil || got == "" { // 255 bytes exactly
		t.Errorf("255-byte name refused: %v", err)
	}
}

func TestCleanNameRefuses(t *testing.T) {
	for name, reason := range map[string]string{
		"":                       "empty",
		".":                      "folder",
		"..":                     "folder",
		"a/b.txt":                "separator",
		`a\b.txt`:                "separator",
		"../../etc/passwd":       "separator",
		"nul\x00.txt":            "control",
		"line\nbreak.txt":        "control",
		"tab\there":              "control",
		"invoice\u202efdp.exe":   "bidirectional",
		"CON":                    "device",
		"con.txt":                "device",
		"LPT1.log":               "device",
		"trailing.":              "dot",
		"trailing ":              "dot",
		"\xff\xfe.txt":           "UTF-8",
		strings.Repeat("a", 256): "255",
		strings.Repeat("报", 86):  "255",
	} {
		_, err := CleanName(name)
		if ferry.ErrorCode(err) != ferry.CodeFileNameInvalid {
			t.Errorf("CleanName(%q) = %v; want 1004", name, err)
			continue
		}
		fe := ferry.AsError(err)
		why, _ := fe.Details["reason"].(ferry.Phrase)
		if fe.Rule != RuleFileName || !strings.Contains(why.En, reason) {
			t.Errorf("CleanName(%q): rule %q reason %q; want reason mentioning %q", name, fe.Rule, fe.Details["reason"], reason)
		}
		// The reason reads in Chinese in a Chinese message, and in English in the English one.
		zh, _ := fe.Message(ferry.Chinese)
		en, _ := fe.Message(ferry.English)
		if why.Zh == "" || !strings.Contains(zh, why.Zh) || strings.Contains(zh, why.En) || !strings.Contains(en, why.En) {
			t.Errorf("CleanName(%q): messages %q / %q", name, zh, en)
		}
	}
}
