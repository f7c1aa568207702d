package keywords

import (
	"sync"
	"unicode/utf8"
)

//go:generate go run -C internal/gent2s . -out ../../t2s_table.go -license ../../LICENSE.OpenCC

// t2sMap returns the traditional → simplified character table, built once
// from t2sPairs.
var t2sMap = sync.OnceValue(func() map[rune]rune {
	m := make(map[rune]rune, 4200)
	for s := t2sPairs; s != ""; {
		from, n := utf8.DecodeRuneInString(s)
		to, k := utf8.DecodeRuneInString(s[n:])
		m[from] = to
		s = s[n+k:]
	}
	return m
})
