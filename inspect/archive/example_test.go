package archive_test

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/ferryhq/ferry"
	"github.com/ferryhq/ferry/inspect/archive"
)

func ExampleWalk() {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("docs/report.txt")
	io.WriteString(w, "quarterly figures")
	w, _ = zw.Create("docs/open me.lnk")
	io.WriteString(w, "L\x00\x00\x00")
	zw.Close()

	cfg := archive.DefaultConfig()
	err := archive.Walk(context.Background(), bytes.NewReader(buf.Bytes()), int64(buf.Len()), "q3.zip", &cfg,
		func(e *archive.Entry, r io.Reader) error {
			b, _ := io.ReadAll(r)
			fmt.Printf("%s: %q\n", e.Path, b)
			return nil
		})
	var fe *ferry.Error
	if errors.As(err, &fe) {
		fmt.Println(fe.Code, fe.Details["extension"], fe.Details["path"])
	}
	// Output:
	// q3.zip/docs/report.txt: "quarterly figures"
	// 1003 .lnk q3.zip/docs/open me.lnk
}
