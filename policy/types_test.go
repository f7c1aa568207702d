package policy

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestExt(t *testing.T) {
	for name, want := range map[string]string{
		"report.pdf":        ".pdf",
		"Report.Final.PDF":  ".pdf",
		"季度 报告.PDF":         ".pdf",
		"照片 🚀.JPEG":         ".jpeg",
		"backup.tar.gz":     ".tar.gz",
		"Backup.TAR.GZ":     ".tar.gz",
		"a.tar.bz2":         ".tar.bz2",
		"a.tar.xz":          ".tar.xz",
		"a.tar.zst":         ".tar.zst",
		".tar.gz":           ".tar.gz",
		"notes.old.gz":      ".gz",
		"tar.gz":            ".gz", // "tar" is the name here, not an extension
		"a.tar":             ".tar",
		"a.tar.lz":          ".lz",
		"Makefile":          "",
		"file.":             "",
		"...":               "",
		"":                  "",
		".bashrc":           ".bashrc",
		".LNK":              ".lnk",
		"..hidden":          ".hidden",
		"a..pdf":            ".pdf",
		"Payroll.lnk. . ":   ".lnk", // Windows drops trailing dots and spaces
		"dir/sub/x.Docx":    ".docx",
		`C:\Users\me\x.EXE`: ".exe",
		"dir.d/Makefile":    "",
		"v1.2 notes":        ".2 notes",
		"文件.文档":             ".文档",
	} {
		if got := Ext(name); got != want {
			t.Errorf("Ext(%q) = %q, want %q", name, got, want)
		}
	}
}

func TestDefaultTypes(t *testing.T) {
	types := DefaultTypes()
	if err := types.Validate(); err != nil {
		t.Fatalf("DefaultTypes().Validate() = %v", err)
	}
	want := []string{"archive", "code", "document", "executable", "font", "image", "media", "professional"}
	if got := types.Groups(); !slices.Equal(got, want) {
		t.Errorf("groups = %v, want %v", got, want)
	}
	total := 0
	ix := types.Index()
	for _, g := range types.Groups() {
		n := 0
		for _, ft := range types[g] {
			n += len(ft.Extensions)
			for _, ext := range ft.Extensions {
				if gg, got, ok := ix.Lookup(strings.ToUpper(ext)); !ok || gg != g || got.Name != ft.Name {
					t.Errorf("Lookup(%q) = %q, %v, %v; want %s/%s", strings.ToUpper(ext), gg, got, ok, g, ft.Name)
				}
				if Ext("x"+ext) != ext {
					t.Errorf("Ext(%q) = %q: the extension cannot be reached", "x"+ext, Ext("x"+ext))
				}
			}
		}
		t.Logf("%-12s %3d extensions in %d types", g, n, len(types[g]))
		total += n
	}
	if total < 200 {
		t.Errorf("the default catalogue has %d extensions, want at least 200", total)
	}
	t.Logf("total        %d extensions", total)
	for _, ext := range []string{".pdf", ".docx", ".doc", ".md", ".mp4", ".mov", ".mkv", ".avi", ".zip", ".rar", ".psd", ".ai", ".dwg", ".exe"} {
		if _, _, ok := ix.Lookup(ext); !ok {
			t.Errorf("the article's %s is not in the catalogue", ext)
		}
	}
	if DefaultTypes()["image"][0] == types["image"][0] {
		t.Error("DefaultTypes shares its entries between calls")
	}
}

func TestDefaultBlocked(t *testing.T) {
	ix := DefaultTypes().Index()
	for _, ext := range DefaultBlocked() {
		if validExt(ext) != "" || Ext("x"+ext) != ext {
			t.Errorf("blocked %q: %s", ext, validExt(ext))
		}
		if g, _, ok := ix.Lookup(ext); ok && g != "executable" {
			t.Errorf("blocked %q is in group %q", ext, g)
		}
	}
	for _, ext := range []string{".lnk", ".url", ".scf", ".hta", ".settingcontent-ms"} {
		if !slices.Contains(DefaultBlocked(), ext) {
			t.Errorf("%s is not blocked", ext)
		}
	}
}

func TestValidateErrors(t *testing.T) {
	pdf := func() *FileType {
		return &FileType{Name: "pdf", Extensions: []string{".pdf"}, Magic: sig("0:25504446")}
	}
	for _, tc := range []struct {
		name  string
		types Types
		path  string
		msg   string
	}{
		{"upper case", Types{"image": {pdf(), {Name: "jpeg", Extensions: []string{".JPG"}}}},
			"policy.types.image[1].ext[0]", `".JPG" must be lower-case and start with "."`},
		{"no dot", Types{"image": {{Name: "jpeg", Extensions: []string{".jpeg", "jpg"}}}},
			"policy.types.image[0].ext[1]", `"jpg" must be lower-case and start with "."`},
		{"only a dot", Types{"image": {{Name: "jpeg", Extensions: []string{"."}}}},
			"policy.types.image[0].ext[0]", `"." must be lower-case`},
		{"space", Types{"image": {{Name: "jpeg", Extensions: []string{".jp g"}}}},
			"policy.types.image[0].ext[0]", "must not contain spaces"},
		{"two dots", Types{"archive": {{Name: "tlz", Extensions: []string{".tar.lz"}}}},
			"policy.types.archive[0].ext[0]", `".tar.lz" has more than one dot`},
		{"duplicate extension", Types{
			"image":        {{Name: "tiff", Extensions: []string{".tif", ".tiff"}}},
			"professional": {pdf(), {Name: "geotiff", Extensions: []string{".tif"}}}},
			"policy.types.professional[1].ext[0]", `".tif" is in both image/tiff and professional/geotiff`},
		{"duplicate name", Types{"document": {pdf(), {Name: "pdf", Extensions: []string{".pdfa"}}}},
			"policy.types.document[1].name", `"pdf" is also the name of policy.types.document[0]`},
		{"empty name", Types{"document": {{Name: " ", Extensions: []string{".x"}}}},
			"policy.types.document[0].name", "empty"},
		{"nil entry", Types{"document": {pdf(), nil}}, "policy.types.document[1]", "empty entry"},
		{"empty group name", Types{"": {pdf()}}, "policy.types", `group name ""`},
		{"empty signature", Types{"document": {{Name: "pdf", Magic: []Signature{{Offset: 0}}}}},
			"policy.types.document[0].magic[0]", "empty signature"},
		{"negative offset", Types{"document": {{Name: "pdf", Magic: []Signature{{Offset: -1, Bytes: []byte("%")}}}}},
			"policy.types.document[0].magic[0]", "offset -1 is negative"},
		{"beyond the sniffed bytes", Types{"archive": {{Name: "iso", Magic: sig("32769:4344303031")}}},
			"policy.types.archive[0].magic[0]", `"32769:4344303031" ends at byte 32774, beyond the first 4096 bytes`},
		{"unknown container", Types{"document": {{Name: "docx", Extensions: []string{".docx"}, Container: "zipp"}}},
			"policy.types.document[0].container", `"zipp" is not the name of a type with a signature`},
		{"container without magic", Types{"document": {{Name: "txt", Text: true}, {Name: "log", Container: "txt"}}},
			"policy.types.document[1].container", `"txt" is not the name of a type with a signature`},
		{"own container", Types{"document": {{Name: "pdf", Magic: sig("0:25504446"), Container: "pdf"}}},
			"policy.types.document[0].container", "cannot be its own container"},
	} {
		err := tc.types.Validate()
		var pe *PathError
		if !errors.As(err, &pe) {
			t.Errorf("%s: Validate() = %v, want a *PathError", tc.name, err)
			continue
		}
		if pe.Path != tc.path || !strings.Contains(pe.Msg, tc.msg) {
			t.Errorf("%s: Validate() = %q, want path %q and a message with %q", tc.name, err, tc.path, tc.msg)
		}
	}
	if err := (Types{}).Validate(); err != nil {
		t.Errorf("an empty catalogue: %v", err)
	}
}

func TestSignatureText(t *testing.T) {
	for text, want := range map[string]Signature{
		"0:25504446":     {0, []byte("%PDF")},
		"257:7573746172": {257, []byte("ustar")},
		"8:57454250":     {8, []byte("WEBP")},
		"0:FFD8FF":       {0, []byte{0xff, 0xd8, 0xff}},
	} {
		got, err := ParseSignature(text)
		if err != nil || got.Offset != want.Offset || string(got.Bytes) != string(want.Bytes) {
			t.Errorf("ParseSignature(%q) = %v, %v; want %v", text, got, err, want)
		}
		if got.String() != strings.ToLower(text) {
			t.Errorf("%q written back as %q", text, got.String())
		}
	}
	for _, bad := range []string{"", "25504446", "x:25", "-1:25", "0:", "0:255", "0:zz", "0: 25"} {
		if s, err := ParseSignature(bad); err == nil {
			t.Errorf("ParseSignature(%q) = %v, want an error", bad, s)
		}
	}
}

func TestTypesJSON(t *testing.T) {
	in := Types{"document": {
		{Name: "pdf", Extensions: []string{".pdf"}, Magic: sig("0:25504446")},
		{Name: "txt", Extensions: []string{".txt"}, Text: true},
		{Name: "docx", Extensions: []string{".docx"}, Container: "zip"},
	}}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"document":[{"name":"pdf","ext":[".pdf"],"magic":["0:25504446"]},` +
		`{"name":"txt","ext":[".txt"],"text":true},{"name":"docx","ext":[".docx"],"container":"zip"}]}`
	if string(b) != want {
		t.Errorf("JSON:\n got %s\nwant %s", b, want)
	}
	var out Types
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	if s := out["document"][0].Magic[0]; s.Offset != 0 || string(s.Bytes) != "%PDF" {
		t.Errorf("read back %v", s)
	}
	err = json.Unmarshal([]byte(`{"image":[{"name":"png","magic":["0:89504e47x"]}]}`), &out)
	if err == nil || !strings.Contains(err.Error(), `signature "0:89504e47x"`) {
		t.Errorf("bad signature text: %v", err)
	}
}

func BenchmarkLookup(b *testing.B) {
	ix := DefaultTypes().Index()
	exts := []string{".pdf", ".DOCX", ".mp4", ".tar.gz", ".xyzzy"}
	for i := 0; b.Loop(); i++ {
		ix.Lookup(exts[i%len(exts)])
	}
}

func BenchmarkExt(b *testing.B) {
	for b.Loop() {
		Ext("季度 报告.Final.tar.gz")
	}
}
