package e2e

import (
	"archive/zip"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/ferryhq/ferry"
	"github.com/ferryhq/ferry/httpapi/wire"
	"github.com/ferryhq/ferry/server"
)

// dictionary is the keyword list of these tests: block entries with their
// categories, an allow entry, a comment.
const dictionary = `# ferry e2e: the words of a small organisation
机密	secret
成人	adult
!成人教育
password	credential
`

// withKeywords writes the dictionary (and a ferry.yaml that lists it, for
// Reload) into a folder of its own and turns keyword inspection on.
func withKeywords(t *testing.T, dict string, showEntry bool) (edit func(*server.Config), words string) {
	dir := t.TempDir()
	words = filepath.Join(dir, "words.txt")
	if err := os.WriteFile(words, []byte(dict), 0o600); err != nil {
		t.Fatal(err)
	}
	cfgPath := filepath.Join(dir, "ferry.yaml")
	show := "false"
	if showEntry {
		show = "true"
	}
	if err := os.WriteFile(cfgPath, []byte("inspect:\n  keywords:\n    files: [words.txt]\n    show_entry: "+show+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return func(c *server.Config) {
		c.Path = cfgPath
		c.Inspect.Keywords.Files = []string{words}
		c.Inspect.Keywords.ShowEntry = showEntry
	}, words
}

func zipOf(t *testing.T, files map[string]string) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, body := range files {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(body))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// Every variant of a keyword — full width, upper case, the traditional
// form, separators between its characters — is refused with 5001, its
// category and where it was found, in text, names, documents and archive
// entries; the entry itself is not shown by default; nothing reaches the
// recipient. An allow entry passes, and so does clean text, in UTF-8 and
// GBK.
func TestKeywordsAreFoundInEveryForm(t *testing.T) {
	edit, _ := withKeywords(t, dictionary, false)
	e := start(t, edit)
	alice, bob := e.user("alice", ferry.TierFree), e.user("bob", ferry.TierFree)
	gbk, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte("季度报告\r\n本报告属于机密。\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		what, name string
		content    []byte
		category   string
		where      string
	}{
		{"plain", "a.txt", []byte("本文件为机密,请勿外传。"), "secret", "content"},
		{"traditional", "b.txt", []byte("本文件為機密,請勿外傳。"), "secret", "content"},
		{"space between", "c.txt", []byte("本文件为机 密"), "secret", "content"},
		{"symbol between", "d.txt", []byte("本文件为机*密"), "secret", "content"},
		{"zero-width space between", "e.txt", []byte("本文件为机\u200b密"), "secret", "content"},
		{"full width", "f.txt", []byte("your ＰＡＳＳＷＯＲＤ is here"), "credential", "content"},
		{"upper case", "g.txt", []byte("the PASSWORD: hunter2"), "credential", "content"},
		{"GBK text", "gbk.txt", gbk, "secret", "content"},
		{"in the name", "机密 名单.txt", []byte("nothing here\n"), "secret", "name"},
		{"in a docx", "report.docx", docxBytes(t, "第三季度机密报告"), "secret", "report.docx/word/document.xml"},
		{"in a zip's text entry", "bundle.zip", zipOf(t, map[string]string{"readme.txt": "hello", "docs/notes.md": "成人内容"}), "adult", "bundle.zip/docs/notes.md"},
		{"in a zip's entry name", "names.zip", zipOf(t, map[string]string{"机密/plan.txt": "hello"}), "secret", "names.zip/机密/plan.txt"},
	} {
		tr := e.create(alice, []string{"bob"}, c.name, int64(len(c.content)), "")
		r := e.patch(alice, tr.UploadURL, 0, c.content, map[string]string{"Accept-Language": "zh-CN"})
		b := e.wantError(r, 422, ferry.CodeSensitiveContent)
		if b.Rule != "inspect.keywords" || b.Details["category"] != c.category || b.Details["where"] != c.where {
			t.Errorf("%s: %+v, want category %s where %s", c.what, b, c.category, c.where)
		}
		if _, shown := b.Details["entry"]; shown {
			t.Errorf("%s: the entry is shown without show_entry: %+v", c.what, b.Details)
		}
		if !strings.Contains(b.Message, "内容规则") {
			t.Errorf("%s: message not in Chinese under zh-CN: %q", c.what, b.Message)
		}
		if got := e.transfer(alice, tr.ID); got.State != ferry.StateRejected || got.Error == nil || got.Error.Code != ferry.CodeSensitiveContent {
			t.Errorf("%s: transfer %+v", c.what, got)
		}
	}
	// What must pass: the allow entry, alone and with separators, and text
	// that only looks close.
	for name, content := range map[string]string{
		"成人教育 课程.txt": "欢迎参加成人教育课程。成人 教 育 也可以。",
		"notes.txt":   "机A密 is not the word; passwords() neither\n",
		"plan.docx":   "",
	} {
		data := []byte(content)
		if name == "plan.docx" {
			data = docxBytes(t, "成人教育计划")
		}
		id := e.send(alice, []string{"bob"}, name, data)
		if got := e.transfer(alice, id); got.State != ferry.StateAvailable {
			t.Errorf("%s: %+v, want available", name, got)
		}
	}
	if in := e.list(bob, "inbox"); len(in.Transfers) != 3 {
		t.Errorf("bob's inbox holds %d transfers, want the 3 that passed", len(in.Transfers))
	}
}

// A keyword split across two PATCH requests — its first character in one,
// the separator and the second in the next — is found, at its offset.
func TestKeywordSplitAcrossPatchesIsFound(t *testing.T) {
	edit, _ := withKeywords(t, dictionary, true)
	e := start(t, edit)
	alice := e.user("alice", ferry.TierFree)
	e.user("bob", ferry.TierFree)
	first := []byte(strings.Repeat("季度数据 ", 1000) + "机")
	second := []byte(" 密\n" + strings.Repeat("收入 ", 100))
	tr := e.create(alice, []string{"bob"}, "split.txt", int64(len(first)+len(second)), "")
	if r := e.patch(alice, tr.UploadURL, 0, first, nil); r.StatusCode != 204 {
		t.Fatalf("first PATCH: %d %s", r.StatusCode, r.body)
	}
	b := e.wantError(e.patch(alice, tr.UploadURL, int64(len(first)), second, nil), 422, ferry.CodeSensitiveContent)
	if b.Details["entry"] != "机密" || b.Details["offset"] != float64(len(first)-len("机")) {
		t.Errorf("5001: %+v, want entry 机密 at offset %d", b.Details, len(first)-len("机"))
	}
}

// Content that passed under an older dictionary is inspected again before
// it is shared: after the dictionary gains a word, the same content is no
// longer sent instantly by its hash, and its upload is refused.
func TestChangedDictionaryReinspectsKnownContent(t *testing.T) {
	edit, words := withKeywords(t, dictionary, false)
	e := start(t, edit)
	alice, carol := e.user("alice", ferry.TierFree), e.user("carol", ferry.TierFree)
	e.user("bob", ferry.TierFree)
	data := []byte("项目代号:绝密行动\n")
	id := e.send(alice, []string{"bob"}, "plan.txt", data)
	if got := e.transfer(alice, id); got.State != ferry.StateAvailable {
		t.Fatalf("before the change: %+v", got)
	}
	prove := func(name string) wire.ProofResponse {
		c := e.create(carol, []string{"bob"}, name, int64(len(data)), sha256hex(data))
		var pr wire.ProofResponse
		e.decode(e.do(request{method: "POST", path: "/api/v1/transfers/" + c.ID + "/proof", token: carol,
			json: wire.ProofRequest{SHA256: proofFor(data, c.Challenge)}}), 200, &pr)
		return pr
	}
	if pr := prove("plan copy.txt"); !pr.Instant || pr.Transfer.State != ferry.StateAvailable {
		t.Fatalf("known content is not sent instantly before the change: %+v", pr)
	}
	if err := os.WriteFile(words, []byte(dictionary+"绝密\tsecret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := e.node.Reload(); err != nil {
		t.Fatal(err)
	}
	pr := prove("plan again.txt")
	if pr.Instant || pr.UploadURL == "" {
		t.Fatalf("content inspected under the old dictionary is shared instantly: %+v", pr)
	}
	b := e.wantError(e.patch(carol, pr.UploadURL, 0, data, nil), 422, ferry.CodeSensitiveContent)
	if b.Details["category"] != "secret" {
		t.Errorf("5001: %+v", b)
	}
}

// UTF-8 text is scanned as it arrives: a keyword in the first of several
// PATCH requests refuses the upload there and then, before the rest is
// sent, and nothing of it is kept.
func TestKeywordRefusesTheUploadAsItArrives(t *testing.T) {
	edit, _ := withKeywords(t, dictionary, false)
	e := start(t, edit)
	alice := e.user("alice", ferry.TierFree)
	e.user("bob", ferry.TierFree)
	first := []byte(strings.Repeat("季度数据 quarterly figures\n", 2000) + "本段机密。\n" + strings.Repeat("季度数据\n", 100))
	rest := []byte(strings.Repeat("收入 revenue\n", 50000))
	tr := e.create(alice, []string{"bob"}, "figures.txt", int64(len(first)+len(rest)), "")
	b := e.wantError(e.patch(alice, tr.UploadURL, 0, first, nil), 422, ferry.CodeSensitiveContent)
	if b.Details["category"] != "secret" || b.Details["where"] != "content" {
		t.Errorf("5001 at the first PATCH: %+v", b)
	}
	if got := e.transfer(alice, tr.ID); got.State != ferry.StateRejected {
		t.Errorf("after the first PATCH: %s", got.State)
	}
	if r := e.patch(alice, tr.UploadURL, int64(len(first)), rest, nil); r.StatusCode < 400 {
		t.Errorf("the rest was taken after the refusal: %d", r.StatusCode)
	}
}
