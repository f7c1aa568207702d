package archive

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"testing"

	"github.com/ferryhq/ferry"
)

func TestEncrypted(t *testing.T) {
	aesExtra := []byte{0x01, 0x99, 7, 0, 2, 0, 'A', 'E', 3, 8, 0} // 0x9901: AE-2, AES-256, deflate
	tests := []struct {
		name string
		file string
		data []byte
		// what is visited when encryption is allowed
		allowed []string
	}{
		{"zip traditional", "e.zip", zipOf(t, ent("plain.txt", "p"), file{Name: "secret.txt", Body: []byte("xxxx"), Flags: 1}),
			[]string{"e.zip/plain.txt", "e.zip/secret.txt"}},
		{"zip AES", "e.zip", zipRaw(t, rawEntry{Name: "secret.txt", Method: 99, Comp: []byte("0123456789abcdef"), USize: 4, CSize: 16}),
			[]string{"e.zip/secret.txt"}},
		{"zip AES extra field", "e.zip", zipOf(t, file{Name: "secret.txt", Body: []byte("x"), Extra: aesExtra}), []string{"e.zip/secret.txt"}},
		{"7z AES folder", "e.7z", sevenZipOf(t, szOpts{Coder: []byte{0x06, 0xf1, 0x07, 0x01}, Props: make([]byte, 18)}, szFile{Name: "secret.txt", Body: []byte("x")}),
			[]string{"e.7z/secret.txt"}},
		{"7z encrypted header", "e.7z", sevenZipOf(t, szOpts{EncodeHdr: []byte{0x06, 0xf1, 0x07, 0x01}}, szFile{Name: "secret.txt", Body: []byte("x")}), nil},
		{"rar", "e.rar", rarOf(t, rarFile{Name: "secret.txt", Body: []byte("xxxx"), Encrypted: true}), []string{"e.rar/secret.txt"}},
		{"zip inside a zip", "o.zip", zipOf(t, file{Name: "in.zip", Body: zipOf(t, file{Name: "s.txt", Body: []byte("x"), Flags: 1})}),
			[]string{"o.zip/in.zip", "o.zip/in.zip/s.txt"}},
	}
	for _, tc := range tests {
		t.Run(tc.name+"/reject", func(t *testing.T) {
			_, _, err := walkBytes(t, tc.file, tc.data, nil)
			wantPath := tc.file
			if len(tc.allowed) > 0 {
				wantPath = tc.allowed[len(tc.allowed)-1]
			}
			fails(ferry.CodeArchiveEncrypted, "path", wantPath).check(t, err)
			if fe, _ := coded(err); fe.Rule != RuleEncrypted {
				t.Fatalf("rule %q", fe.Rule)
			}
		})
		t.Run(tc.name+"/allow", func(t *testing.T) {
			got, _, err := walkBytes(t, tc.file, tc.data, cfgWith(func(c *Config) { c.Encrypted = EncryptedAllow }))
			pass().check(t, err)
			if len(paths(got)) != len(tc.allowed) {
				t.Fatalf("visited %q, want %q", paths(got), tc.allowed)
			}
			for i, s := range got {
				if s.Path != tc.allowed[i] {
					t.Fatalf("visited %q, want %q", paths(got), tc.allowed)
				}
				if i == len(got)-1 && (!s.Enc || s.Body != "") {
					t.Fatalf("%v: want encrypted without content", s)
				}
			}
		})
	}
	t.Run("the names of encrypted entries are still checked", func(t *testing.T) {
		data := zipOf(t, file{Name: "../secret.txt", Body: []byte("x"), Flags: 1})
		_, _, err := walkBytes(t, "e.zip", data, cfgWith(func(c *Config) { c.Encrypted = EncryptedAllow }))
		fails(ferry.CodeFileNameInvalid).check(t, err)
	})
}

func TestUnsupportedAndCorrupt(t *testing.T) {
	good := zipOf(t, ent("a.txt", "hello hello hello"), ent("b.txt", "world"))
	badCRC := zipRaw(t, rawEntry{Name: "a.txt", Method: zip.Store, Comp: []byte("hello"), CRC: 1, USize: 5, CSize: 5})
	localName := bytes.Clone(good)
	localName[30] = 'z' // the first local header names "z.txt", the directory "a.txt"
	beyond := bytes.Clone(zipOf(t, file{Name: "a.txt", Body: []byte("hello"), Method: zip.Store}))
	cd := bytes.LastIndex(beyond, []byte("PK\x01\x02"))
	binary.LittleEndian.PutUint32(beyond[cd+20:], 1<<20) // compressed size past the file
	binary.LittleEndian.PutUint32(beyond[cd+24:], 1<<20)
	tgz := gz(t, "", tarOf(t, ent("a.txt", string(randomBytes(4000)))))
	sz := sevenZipOf(t, szOpts{}, szFile{Name: "a.txt", Body: []byte("alpha")})
	szBad := bytes.Clone(sz)
	szBad[len(szBad)-3] ^= 0xff
	rar := rarOf(t, rarFile{Name: "a.txt", Body: []byte("alpha beta")})
	gzBadCRC := gz(t, "", randomText(200_000))
	gzBadCRC[len(gzBadCRC)-8] ^= 0x01 // the trailer's CRC32
	tests := []struct {
		name string
		file string
		data []byte
		want want
	}{
		{"zip LZMA method", "m.zip", zipOf(t, file{Name: "a.txt", Body: []byte("x"), Method: 14}),
			fails(ferry.CodeArchiveLimit, "limit_name", LimitMethod, "actual", 14, "path", "m.zip/a.txt")},
		{"zip Deflate64", "m.zip", zipOf(t, file{Name: "a.txt", Body: []byte("x"), Method: 9}), limit(LimitMethod, "m.zip/a.txt")},
		{"7z zstd coder", "m.7z", sevenZipOf(t, szOpts{Coder: []byte{0x04, 0xf7, 0x11, 0x01}}, szFile{Name: "a.txt", Body: []byte("x")}),
			fails(ferry.CodeArchiveLimit, "limit_name", LimitMethod, "actual", "04f71101", "path", "m.7z/a.txt")},
		{"xz stream header alone", "a.tar.xz", []byte("\xfd7zXZ\x00\x00\x04\xe6\xd6\xb4\x46"), limit(LimitFormat, "a.tar.xz")},
		{"zip truncated", "t.zip", good[:len(good)-30], limit(LimitFormat, "t.zip")},
		{"zip bad CRC", "c.zip", badCRC, limit(LimitFormat, "c.zip/a.txt")},
		{"zip local name differs", "l.zip", localName,
			fails(ferry.CodeArchiveLimit, "limit_name", LimitFormat, "reason", whyLocalDiffer)},
		{"zip data beyond the file", "b.zip", beyond, fails(ferry.CodeArchiveLimit, "limit_name", LimitFormat, "reason", whyDataOutside)},
		{"tar.gz truncated", "t.tar.gz", tgz[:len(tgz)/2], limit(LimitFormat, "t.tar.gz")},
		{"gzip checksum after the head", "c.txt.gz", gzBadCRC, limit(LimitFormat, "c.txt.gz")},
		{"gzip header only", "t.gz", []byte{0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 0xff}, limit(LimitFormat, "t.gz")},
		{"7z header damaged", "d.7z", szBad, limit(LimitFormat, "d.7z")},
		{"7z truncated", "d.7z", sz[:len(sz)-5], limit(LimitFormat, "d.7z")},
		{"rar truncated", "t.rar", rar[:len(rar)-12], limit(LimitFormat, "t.rar/a.txt")},
		{"tar truncated", "t.tar", tarOf(t, ent("a.txt", string(randomBytes(2000))))[:1200], limit(LimitFormat, "t.tar/a.txt")},
		{"corrupt zip inside a tar", "o.tar", tarOf(t, file{Name: "in.zip", Body: good[:len(good)-30]}), limit(LimitFormat, "o.tar/in.zip")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := walkBytes(t, tc.file, tc.data, nil)
			tc.want.check(t, err)
		})
	}
}

func TestSevenZipGuard(t *testing.T) {
	files := []szFile{{Name: "a.txt", Body: []byte("a")}}
	tests := []struct {
		name string
		data []byte
		want want
	}{
		{"declares 2^32 files", sevenZipOf(t, szOpts{NumFiles: 1<<32 - 1}, files...), limit(LimitEntries, "x.7z")},
		{"declares more files than allowed", sevenZipOf(t, szOpts{NumFiles: 20000}, files...), limit(LimitEntries, "x.7z")},
		{"declares a 1 PiB folder", szPatchUnpack(t, sevenZipOf(t, szOpts{}, files...), 1<<50), limit(LimitExpanded, "x.7z")},
		{"declares a folder of ratio 1000", szPatchUnpack(t, sevenZipOf(t, szOpts{}, files...), 1<<20*2), limit(LimitRatio, "x.7z")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := walkBytes(t, "x.7z", tc.data, nil)
			tc.want.check(t, err)
		})
	}
}

// szPatchUnpack rebuilds a one-file stored 7z archive with a folder
// unpack size of n (its only size), keeping the header consistent.
func szPatchUnpack(t *testing.T, b []byte, n uint64) []byte {
	hdr := b[32+1:] // after the packed byte "a"
	i := bytes.Index(hdr, []byte{szCodersUnpackSize, 0x01})
	if i < 0 {
		t.Fatal("no unpack size")
	}
	nh := append(append(append([]byte(nil), hdr[:i+1]...), szNumber(n)...), hdr[i+2:]...)
	out := append(bytes.Clone(b[:33]), nh...)
	binary.LittleEndian.PutUint64(out[20:], uint64(len(nh)))
	binary.LittleEndian.PutUint32(out[28:], crc32IEEE(nh))
	binary.LittleEndian.PutUint32(out[8:], crc32IEEE(out[12:32]))
	return out
}
