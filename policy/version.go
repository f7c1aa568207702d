package policy

import (
	"fmt"
	"strconv"
	"strings"
)

// parseVersion reads a dotted version such as "1.4.2", "v10.0.12" or
// "0.1.0-dev" (a pre-release or build suffix is ignored).
func parseVersion(s string) ([]int, error) {
	s = strings.TrimPrefix(strings.TrimSpace(s), "v")
	if i := strings.IndexAny(s, "-+ "); i >= 0 {
		s = s[:i]
	}
	if s == "" {
		return nil, fmt.Errorf("version %q: want numbers such as 1.4.2", s)
	}
	var out []int
	for _, part := range strings.Split(s, ".") {
		n, err := strconv.Atoi(part)
		if err != nil || n < 0 {
			return nil, fmt.Errorf("version %q: want numbers such as 1.4.2", s)
		}
		out = append(out, n)
	}
	return out, nil
}

// olderThan reports whether version a is older than b; missing parts are
// zero ("1.4" = "1.4.0").
func olderThan(a, b []int) bool {
	for i := 0; i < len(a) || i < len(b); i++ {
		var x, y int
		if i < len(a) {
			x = a[i]
		}
		if i < len(b) {
			y = b[i]
		}
		if x != y {
			return x < y
		}
	}
	return false
}
