package e2e

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"testing"
)

// Content for tests that send files of a known type: the upload's first
// bytes are judged against the name (1002), so a .pdf must start like one.
// The rest is random, so that every file is new to the server.

// pdfBytes returns n bytes that start like a PDF.
func pdfBytes(t testing.TB, n int) []byte {
	b := randomBytes(t, n)
	copy(b, "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	return b
}

// exeBytes returns n bytes that start like a Windows executable.
func exeBytes(t testing.TB, n int) []byte {
	b := randomBytes(t, n)
	copy(b, "MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00")
	return b
}

// mp4Bytes returns n bytes that start like an MP4 (an ftyp box).
func mp4Bytes(t testing.TB, n int) []byte {
	b := randomBytes(t, n)
	binary.BigEndian.PutUint32(b, 24)
	copy(b[4:], "ftypisom\x00\x00\x02\x00isomiso2")
	return b
}

// zipBytes returns a real zip archive of one stored (uncompressed) entry
// of n random bytes.
func zipBytes(t testing.TB, n int) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.CreateHeader(&zip.FileHeader{Name: "photos/site.raw", Method: zip.Store})
	if err != nil {
		t.Fatal(err)
	}
	w.Write(randomBytes(t, n))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
