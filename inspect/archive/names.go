package archive

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/unicode/norm"

	"github.com/ferryhq/ferry"
	"github.com/ferryhq/ferry/policy"
)

// MaxPathBytes is the longest entry name accepted inside an archive, in
// bytes of UTF-8 (each of its elements is held to policy.MaxNameBytes).
const MaxPathBytes = 4096

// decodeName returns raw as UTF-8. Names flagged as UTF-8 (zip's bit 11,
// PAX records) must be valid; others that are valid UTF-8 are taken as
// they are (many tools write UTF-8 without the flag), and the rest are read
// as GB18030, the superset of the GBK that Chinese Windows tools write. ok
// is false when raw is neither.
func decodeName(raw string, flaggedUTF8 bool) (name string, ok bool) {
	if utf8.ValidString(raw) {
		return raw, true
	}
	if flaggedUTF8 {
		return raw, false
	}
	s, err := simplifiedchinese.GB18030.NewDecoder().String(raw)
	if err != nil || strings.ContainsRune(s, utf8.RuneError) || !utf8.ValidString(s) {
		return raw, false
	}
	return s, true
}

// cleanEntryName checks an entry's decoded name and returns it in NFC,
// without "." elements and the trailing slash of a folder; or a reason
// why it is unsafe to unpack: a path that climbs out of the archive
// ("../"), an absolute path or drive letter, a backslash used as a
// separator, NUL and control characters, and each element held to the
// rules of policy.CleanName (reserved device names, bidirectional
// controls, 255 bytes, …).
func cleanEntryName(name string) (string, *ferry.Phrase) {
	switch {
	case name == "":
		return "", &ferry.Phrase{En: "an entry has an empty name", Zh: "条目名称为空"}
	case len(name) > MaxPathBytes:
		return "", &ferry.Phrase{En: "an entry name is longer than 4096 bytes", Zh: "条目名称超过 4096 字节"}
	case strings.ContainsRune(name, 0):
		return "", &ferry.Phrase{En: "an entry name contains a NUL character", Zh: "条目名称含有 NUL 字符"}
	case strings.HasPrefix(name, "/"):
		return "", &ferry.Phrase{En: "an entry has an absolute path", Zh: "条目使用了绝对路径"}
	case len(name) >= 2 && name[1] == ':' && (name[0]|0x20) >= 'a' && (name[0]|0x20) <= 'z':
		return "", &ferry.Phrase{En: "an entry name starts with a drive letter", Zh: "条目名称以盘符开头"}
	case strings.ContainsRune(name, '\\'):
		return "", &ferry.Phrase{En: "an entry name uses a backslash as a separator", Zh: "条目名称使用反斜杠作为分隔符"}
	}
	for _, r := range name {
		if unicode.IsControl(r) {
			return "", &ferry.Phrase{En: "an entry name contains a control character", Zh: "条目名称含有控制字符"}
		}
	}
	name = norm.NFC.String(name)
	var elems []string
	for _, el := range strings.Split(name, "/") {
		switch el {
		case "", ".":
			continue
		case "..":
			return "", &ferry.Phrase{En: "an entry name climbs out of the archive (../)", Zh: "条目路径跳出压缩包(../)"}
		}
		if _, err := policy.CleanName(el); err != nil {
			if r, ok := err.(*ferry.Error).Details["reason"].(ferry.Phrase); ok {
				return "", &ferry.Phrase{En: "an element of an entry name is unsafe: " + r.En, Zh: "条目路径中有不安全的部分:" + r.Zh}
			}
			return "", &ferry.Phrase{En: "an element of an entry name is unsafe", Zh: "条目路径中有不安全的部分"}
		}
		elems = append(elems, el)
	}
	if len(elems) == 0 {
		return "", &ferry.Phrase{En: "an entry name is only a folder reference", Zh: "条目名称只是文件夹引用"}
	}
	return strings.Join(elems, "/"), nil
}

// linkEscapes reports whether a link at entry name (cleaned) pointing at
// target leaves the archive's root: an absolute target, a drive letter, or
// more ".." than the link is deep.
func linkEscapes(name, target string) bool {
	if target == "" {
		return false
	}
	if strings.HasPrefix(target, "/") || strings.ContainsRune(target, '\\') ||
		len(target) >= 2 && target[1] == ':' {
		return true
	}
	depth := strings.Count(name, "/") // the folders the link is in
	for _, el := range strings.Split(target, "/") {
		switch el {
		case "", ".":
		case "..":
			depth--
			if depth < 0 {
				return true
			}
		default:
			depth++
		}
	}
	return false
}

// displayPath makes a path safe to show: control characters and invalid
// bytes become U+FFFD.
func displayPath(p string) string {
	p = strings.ToValidUTF8(p, "\uFFFD")
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return utf8.RuneError
		}
		return r
	}, p)
}
