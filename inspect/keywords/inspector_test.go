package keywords

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"

	"github.com/ferryhq/ferry"
)

// file is a ferry.File over content.
func file(name string, content []byte) *ferry.File {
	return &ferry.File{Name: name, Size: int64(len(content)), Open: func(context.Context) (io.ReadSeekCloser, error) {
		return struct {
			io.ReadSeeker
			io.Closer
		}{bytes.NewReader(content), io.NopCloser(nil)}, nil
	}}
}

func TestInspect(t *testing.T) {
	m := mustMatcher(t, "机密\tsecret\n!成人教育\n成人\tadult\n")
	gbk, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte("这是一份机密文件。"))
	if err != nil {
		t.Fatal(err)
	}
	utf16, err := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().Bytes([]byte("成人 内容"))
	if err != nil {
		t.Fatal(err)
	}
	long := append(bytes.Repeat([]byte("普通文字。"), 10000), "机\n密"...)
	for _, tc := range []struct {
		name     string
		file     *ferry.File
		show     bool
		where    string
		offset   int64
		category string
		encoding string
	}{
		{"clean", file("report.txt", []byte("成人教育课程表")), false, "", 0, "", ""},
		{"name", file("機密.txt", []byte("hello")), false, WhereName, 0, "secret", ""},
		{"content", file("a.txt", []byte("第一行\n机 密")), false, WhereContent, int64(len("第一行\n")), "secret", ""},
		{"content shown", file("a.txt", []byte("机密")), true, WhereContent, 0, "secret", ""},
		{"deep in content", file("a.txt", long), false, WhereContent, int64(len(long) - len("机\n密")), "secret", ""},
		{"gbk", file("a.txt", gbk), false, WhereContent, int64(len("这是一份")), "secret", EncodingGB18030},
		{"utf-16", file("a.txt", utf16), false, WhereContent, 0, "adult", EncodingUTF16LE},
		{"binary is not scanned", file("a.bin", append([]byte{0, 1, 2, 0}, "机密"...)), false, "", 0, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := NewInspector(m, tc.show).Inspect(context.Background(), tc.file)
			if tc.where == "" {
				if err != nil {
					t.Fatalf("error %v", err)
				}
				return
			}
			var fe *ferry.Error
			if !errors.As(err, &fe) || fe.Code != ferry.CodeSensitiveContent || fe.Rule != Rule {
				t.Fatalf("error %v, want 5001", err)
			}
			d := fe.Details
			if d["where"] != tc.where || d["category"] != tc.category || tc.where == WhereContent && d["offset"] != tc.offset {
				t.Errorf("details %v", d)
			}
			if _, shown := d["entry"]; shown != tc.show {
				t.Errorf("entry shown %v, want %v", shown, tc.show)
			}
			if enc, _ := d["encoding"].(string); enc != tc.encoding {
				t.Errorf("encoding %q, want %q", enc, tc.encoding)
			}
		})
	}
}

func TestInspectFailsClosed(t *testing.T) {
	in := NewInspector(mustMatcher(t, "机密\n"), false)
	broken := &ferry.File{Name: "a.txt", Open: func(context.Context) (io.ReadSeekCloser, error) {
		return nil, errors.New("disk on fire")
	}}
	if err := in.Inspect(context.Background(), broken); ferry.ErrorCode(err) != ferry.CodeScanUnavailable {
		t.Errorf("open failure: %v", err)
	}
	r := io.MultiReader(strings.NewReader(strings.Repeat("文字", 10000)), iotest.ErrReader(errors.New("cut")))
	if err := in.ScanText(context.Background(), r, "x.zip/a.txt"); ferry.ErrorCode(err) != ferry.CodeScanUnavailable {
		t.Errorf("read failure: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := in.ScanText(ctx, strings.NewReader("机密"), "content"); ferry.ErrorCode(err) != ferry.CodeScanUnavailable {
		t.Errorf("cancelled: %v", err)
	}
}

func TestScanTextAndNames(t *testing.T) {
	in := NewInspector(mustMatcher(t, "机密\tsecret\n"), false)
	err := in.ScanText(context.Background(), strings.NewReader("extracted: 機密"), "docs.zip/plan.docx")
	if ferry.ErrorCode(err) != ferry.CodeSensitiveContent || ferry.AsError(err).Details["where"] != "docs.zip/plan.docx" {
		t.Errorf("error %v", err)
	}
	if err := in.CheckName("docs/机密.txt", "docs.zip/docs/机密.txt"); ferry.AsError(err).Details["where"] != "docs.zip/docs/机密.txt" {
		t.Errorf("error %v", err)
	}
	in.SetMatcher(mustMatcher(t, "成人\n"))
	if err := in.CheckName("机密.txt", WhereName); err != nil {
		t.Errorf("after SetMatcher: %v", err)
	}
}

func TestDecodeText(t *testing.T) {
	gbk, _ := simplifiedchinese.GBK.NewEncoder().Bytes([]byte("机密"))
	be, _ := unicode.UTF16(unicode.BigEndian, unicode.UseBOM).NewEncoder().Bytes([]byte("机密"))
	cut := append(bytes.Repeat([]byte("a"), sniffLen-1), "机密"...) // a character across the sniffed head
	for _, tc := range []struct {
		in       []byte
		enc, out string
	}{
		{[]byte("机密"), EncodingUTF8, "机密"},
		{[]byte("\ufeff机密"), EncodingUTF8, "\ufeff机密"},
		{gbk, EncodingGB18030, "机密"},
		{be, EncodingUTF16BE, "机密"},
		{cut, EncodingUTF8, string(cut)},
		{nil, EncodingUTF8, ""},
	} {
		r, enc, err := DecodeText(bytes.NewReader(tc.in))
		if err != nil {
			t.Fatal(err)
		}
		out, _ := io.ReadAll(r)
		if enc != tc.enc || string(out) != tc.out {
			t.Errorf("% x: %s %q, want %s %q", tc.in[:min(8, len(tc.in))], enc, out, tc.enc, tc.out)
		}
	}
}
