package policy

import (
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// SniffLen is how many bytes at the start of a file the type checks read:
// every signature in a catalogue must end within them.
const SniffLen = 4096

// Types is the type catalogue: groups (document, image, media, archive,
// professional, code, font, executable) of file types, by group name. Tiers
// whitelist groups (1001); the per-group size caps (1006) use the same names.
type Types map[string][]*FileType

// FileType is one format of the catalogue: its extensions, and what its
// content starts with.
type FileType struct {
	// Name is a short id, unique in the catalogue: "pdf", "docx", "jpeg".
	// Container and the detected type of a mismatch (1002) name types by it.
	Name string `yaml:"name" json:"name"`
	// Extensions are lower-case, with the dot: [".jpg", ".jpeg"]. The
	// compound extensions that Ext returns (".tar.gz") are allowed. A type
	// with no extension only names content: a container such as "ole".
	Extensions []string `yaml:"ext" json:"ext"`
	// Magic identifies the content: any one signature matching is enough.
	Magic []Signature `yaml:"magic,omitempty" json:"magic,omitempty"`
	// Text is true for formats that are plain text, which have no
	// signature: content passes when it looks like text (LooksLikeText).
	// With Magic as well, either passes.
	Text bool `yaml:"text,omitempty" json:"text,omitempty"`
	// Container names the type whose signatures identify this type's
	// container ("zip" for docx, "ole" for xls, "mp4" for mov): content
	// that is such a container is consistent with this type's extensions;
	// which subtype it holds is decided by a later inspector.
	Container string `yaml:"container,omitempty" json:"container,omitempty"`
}

// Signature is bytes that appear at an offset of the content. Policy files
// write it as "OFFSET:HEX": "0:25504446" is %PDF at the start, "8:57454250"
// is WEBP after a RIFF header.
type Signature struct {
	Offset int
	Bytes  []byte
}

// ParseSignature reads a signature written as "OFFSET:HEX".
func ParseSignature(s string) (Signature, error) {
	off, hx, found := strings.Cut(s, ":")
	n, err := strconv.Atoi(off)
	if !found || err != nil || n < 0 {
		return Signature{}, fmt.Errorf("signature %q: want OFFSET:HEX, e.g. \"0:25504446\"", s)
	}
	b, err := hex.DecodeString(hx)
	if err != nil || len(b) == 0 {
		return Signature{}, fmt.Errorf("signature %q: want OFFSET:HEX with an even number of hex digits after the colon", s)
	}
	return Signature{Offset: n, Bytes: b}, nil
}

// String writes the signature as "OFFSET:HEX", in lower-case hex.
func (s Signature) String() string { return strconv.Itoa(s.Offset) + ":" + hex.EncodeToString(s.Bytes) }

// MarshalText writes the signature as "OFFSET:HEX".
func (s Signature) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads "OFFSET:HEX" as ParseSignature does.
func (s *Signature) UnmarshalText(text []byte) error {
	v, err := ParseSignature(string(text))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// Matches reports whether head has the signature's bytes at its offset.
func (s Signature) Matches(head []byte) bool {
	return s.Offset >= 0 && len(s.Bytes) > 0 && len(head) >= s.Offset+len(s.Bytes) &&
		string(head[s.Offset:s.Offset+len(s.Bytes)]) == string(s.Bytes)
}

// Groups returns the group names, sorted.
func (t Types) Groups() []string {
	gs := make([]string, 0, len(t))
	for g := range t {
		gs = append(gs, g)
	}
	slices.Sort(gs)
	return gs
}

// compound lists the two-part extensions that Ext returns whole.
func compound(last string) bool {
	switch last {
	case ".gz", ".bz2", ".xz", ".zst":
		return true
	}
	return false
}

// Ext returns the lower-case final extension of a file name, with its dot:
// "Report.Final.PDF" → ".pdf", "季度 报告.PDF" → ".pdf". A folder part
// before the last / or \ is ignored. The compound ".tar.gz", ".tar.bz2",
// ".tar.xz" and ".tar.zst" are one extension.
//
// The edge cases follow what Windows, where a disguised extension does its
// harm, makes of a name: trailing dots and spaces are dropped ("a.lnk. " →
// ".lnk"), and a name that starts with its only dot is all extension
// (".bashrc" → ".bashrc", so that a file named ".lnk" is still a
// shortcut). A name with no dot, or made only of dots, has none: "" for
// "Makefile", "file." and "...".
func Ext(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.TrimRight(name, ". ")
	i := strings.LastIndexByte(name, '.')
	if i < 0 {
		return ""
	}
	ext := strings.ToLower(name[i:])
	if compound(ext) && i >= 4 && strings.EqualFold(name[i-4:i], ".tar") {
		return ".tar" + ext
	}
	return ext
}

// Validate reports the first mistake in the catalogue as a *PathError
// naming it ("policy.types.image[3].ext[0]"): an empty group or type name,
// a name used twice, an extension that is not lower-case with a leading
// dot or that two types claim, a signature that is empty or ends beyond
// SniffLen, or a container that is not a type with a signature.
func (t Types) Validate() error {
	names := map[string]string{} // type name → its path
	exts := map[string]string{}  // extension → "group/name"
	for _, g := range t.Groups() {
		if g == "" || strings.TrimSpace(g) != g || strings.ContainsAny(g, ".[]") {
			return pathErr("policy.types", "group name %q must be non-empty, without spaces, dots or brackets", g)
		}
		for i, ft := range t[g] {
			path := fmt.Sprintf("policy.types.%s[%d]", g, i)
			if err := ft.validate(path); err != nil {
				return err
			}
			if prev, dup := names[ft.Name]; dup {
				return pathErr(path+".name", "%q is also the name of %s", ft.Name, prev)
			}
			names[ft.Name] = path
			for j, ext := range ft.Extensions {
				if prev, dup := exts[ext]; dup {
					return pathErr(fmt.Sprintf("%s.ext[%d]", path, j), "%q is in both %s and %s/%s", ext, prev, g, ft.Name)
				}
				exts[ext] = g + "/" + ft.Name
			}
		}
	}
	return t.validateContainers()
}

// validate checks one type on its own.
func (ft *FileType) validate(path string) error {
	if ft == nil {
		return pathErr(path, "empty entry: want name and ext")
	}
	if strings.TrimSpace(ft.Name) == "" {
		return pathErr(path+".name", "empty: every type needs a short name such as \"pdf\"")
	}
	for j, ext := range ft.Extensions {
		if err := validExt(ext); err != "" {
			return pathErr(fmt.Sprintf("%s.ext[%d]", path, j), "%q %s", ext, err)
		}
	}
	for j, s := range ft.Magic {
		p := fmt.Sprintf("%s.magic[%d]", path, j)
		switch {
		case len(s.Bytes) == 0:
			return pathErr(p, "empty signature: want OFFSET:HEX, e.g. \"0:25504446\"")
		case s.Offset < 0:
			return pathErr(p, "offset %d is negative", s.Offset)
		case s.Offset+len(s.Bytes) > SniffLen:
			return pathErr(p, "%q ends at byte %d, beyond the first %d bytes that are sniffed", s.String(), s.Offset+len(s.Bytes), SniffLen)
		}
	}
	if ft.Container == ft.Name {
		return pathErr(path+".container", "%q cannot be its own container", ft.Name)
	}
	return nil
}

// validExt says what is wrong with an extension, or "".
func validExt(ext string) string {
	switch {
	case len(ext) < 2 || ext[0] != '.' || ext != strings.ToLower(ext):
		return `must be lower-case and start with "."`
	case strings.ContainsAny(ext, "/\\ \t"):
		return "must not contain spaces or path separators"
	case strings.Count(ext, ".") > 1 && (!strings.HasPrefix(ext, ".tar.") || !compound(ext[4:])):
		return "has more than one dot; of compound extensions only .tar.gz, .tar.bz2, .tar.xz and .tar.zst are recognised"
	}
	return ""
}

// validateContainers checks that every container names a type with a
// signature.
func (t Types) validateContainers() error {
	magic := map[string]bool{}
	for _, fts := range t {
		for _, ft := range fts {
			if len(ft.Magic) > 0 {
				magic[ft.Name] = true
			}
		}
	}
	for _, g := range t.Groups() {
		for i, ft := range t[g] {
			if ft.Container != "" && !magic[ft.Container] {
				return pathErr(fmt.Sprintf("policy.types.%s[%d].container", g, i),
					"%q is not the name of a type with a signature (magic)", ft.Container)
			}
		}
	}
	return nil
}
