package ferry

import (
	"fmt"
	"strings"
)

// ContentDisposition returns an attachment disposition for a file name per
// RFC 6266: an ASCII fallback in filename (other characters replaced by
// '_') and the exact UTF-8 name in filename* (RFC 5987 percent-encoding),
// which every current browser and curl -J prefer. ferry's downloads send
// it, and so do the presigned URLs of an S3 store.
func ContentDisposition(name string) string {
	var ascii, ext strings.Builder
	for _, r := range name {
		if r == '"' || r == '\\' || r < 0x20 || r >= 0x7f {
			ascii.WriteByte('_')
		} else {
			ascii.WriteRune(r)
		}
	}
	for _, b := range []byte(name) {
		if isAttrChar(b) {
			ext.WriteByte(b)
		} else {
			fmt.Fprintf(&ext, "%%%02X", b)
		}
	}
	return fmt.Sprintf(`attachment; filename="%s"; filename*=UTF-8''%s`, ascii.String(), ext.String())
}

// isAttrChar reports whether b may appear unencoded in an RFC 5987 value.
func isAttrChar(b byte) bool {
	switch {
	case 'a' <= b && b <= 'z', 'A' <= b && b <= 'Z', '0' <= b && b <= '9':
		return true
	}
	return strings.IndexByte("!#$&+-.^_`|~", b) >= 0
}
