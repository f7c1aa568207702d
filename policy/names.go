package policy

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/ferryhq/ferry"
)

// MaxNameBytes is the longest file name accepted, in bytes of UTF-8: what
// common file systems (ext4, NTFS in UTF-16 units, APFS) can all store.
const MaxNameBytes = 255

// RuleFileName is the rule path of file name safety.
const RuleFileName = "files.name"

// CleanName returns the NFC form of a file name, or a 1004 FILE_NAME_INVALID
// error saying why the name is unsafe. Any valid UTF-8 name is accepted —
// Chinese, spaces, emoji, mixed scripts — except names that cannot be stored
// or handed back safely on the common systems: empty, "." and "..", path
// separators, control characters, bidirectional overrides (which disguise
// an extension: "invoice‮fdp.exe"), reserved Windows device names, a
// trailing dot or space, or more than MaxNameBytes bytes.
func CleanName(name string) (string, error) {
	if !utf8.ValidString(name) {
		return "", nameError("it is not valid UTF-8", "它不是有效的 UTF-8 编码")
	}
	name = norm.NFC.String(name)
	switch {
	case name == "":
		return "", nameError("it is empty", "文件名为空")
	case name == "." || name == "..":
		return "", nameError("it is a folder reference", "它是文件夹引用(. 或 ..)")
	case len(name) > MaxNameBytes:
		return "", nameError("it is longer than 255 bytes", "超过 255 字节").With("length", len(name))
	case strings.HasSuffix(name, ".") || strings.HasSuffix(name, " "):
		return "", nameError("it ends with a dot or a space", "以点或空格结尾")
	}
	for _, r := range name {
		switch {
		case r == '/' || r == '\\':
			return "", nameError("it contains a path separator", "含有路径分隔符(/ 或 \\)")
		case unicode.IsControl(r):
			return "", nameError("it contains a control character", "含有控制字符")
		case isBidiControl(r):
			return "", nameError("it contains a bidirectional text control character", "含有双向文本控制字符(可伪装扩展名)")
		}
	}
	if reservedDevice(name) {
		return "", nameError("it is a reserved device name", "是系统保留的设备名")
	}
	return name, nil
}

func nameError(en, zh string) *ferry.Error {
	return ferry.E(ferry.CodeFileNameInvalid).WithRule(RuleFileName).With("reason", ferry.Phrase{En: en, Zh: zh})
}

func isBidiControl(r rune) bool {
	return r >= 0x202A && r <= 0x202E || r >= 0x2066 && r <= 0x2069 || r == 0x200E || r == 0x200F || r == 0x061C
}

// reservedDevice reports whether name, without its extensions, is a Windows
// device name (CON, PRN, AUX, NUL, COM0–9, LPT0–9), which Windows cannot
// create as a file.
func reservedDevice(name string) bool {
	base := strings.ToUpper(strings.TrimRight(strings.SplitN(name, ".", 2)[0], " "))
	switch base {
	case "CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$":
		return true
	}
	if len(base) == 4 && (strings.HasPrefix(base, "COM") || strings.HasPrefix(base, "LPT")) {
		c := base[3]
		return c >= '0' && c <= '9'
	}
	return false
}
