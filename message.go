package ferry

import (
	"fmt"
	"math"
	"strings"
)

// Lang is a language ferry speaks to users in.
type Lang string

// The languages of the catalogue.
const (
	English Lang = "en"
	Chinese Lang = "zh-CN"
)

// Text returns the catalogue text of c in lang (English for any other).
func (c Code) Text(lang Lang) Text {
	info := c.Info()
	if lang == Chinese {
		return info.Zh
	}
	return info.En
}

// Message renders e for a user in lang: the detailed message when every
// placeholder it names is among e's details, the generic one otherwise.
func (e *Error) Message(lang Lang) (message, remedy string) {
	t := e.Code.Text(lang)
	if t.Detailed != "" {
		if m, ok := fill(t.Detailed, e, lang); ok {
			return m, t.Remedy
		}
	}
	return t.Message, t.Remedy
}

// fill replaces each {key} of tmpl with the detail of that name (or
// retry_after_seconds), in lang, and reports whether every key had a value.
func fill(tmpl string, e *Error, lang Lang) (string, bool) {
	var b strings.Builder
	for {
		i := strings.IndexByte(tmpl, '{')
		if i < 0 {
			b.WriteString(tmpl)
			return b.String(), true
		}
		j := strings.IndexByte(tmpl[i:], '}')
		if j < 0 {
			b.WriteString(tmpl)
			return b.String(), true
		}
		key := tmpl[i+1 : i+j]
		var v any
		var ok bool
		if key == "retry_after_seconds" && e.RetryAfter > 0 {
			v, ok = int64(e.RetryAfter.Seconds()+0.999), true
		} else {
			v, ok = e.Details[key]
		}
		if !ok {
			return "", false
		}
		b.WriteString(tmpl[:i])
		b.WriteString(formatDetail(v, lang))
		tmpl = tmpl[i+j+1:]
	}
}

func formatDetail(v any, lang Lang) string {
	switch v := v.(type) {
	case Phrase:
		return v.In(lang)
	case []string:
		return strings.Join(v, ", ")
	case fmt.Stringer:
		return v.String()
	}
	return fmt.Sprint(v)
}

// Phrase is a detail that is words for people, in each language of the
// catalogue: the reason a name is unsafe, say. Messages use the words of
// their language; JSON and logs carry the English.
type Phrase struct {
	En, Zh string
}

// In returns the words in lang: English for any language but Chinese.
func (p Phrase) In(lang Lang) string {
	if lang == Chinese && p.Zh != "" {
		return p.Zh
	}
	return p.En
}

// String returns the English words.
func (p Phrase) String() string { return p.En }

// MarshalText writes the English words, so that JSON details stay plain
// strings.
func (p Phrase) MarshalText() ([]byte, error) { return []byte(p.En), nil }

// Bytes is a size in bytes. In JSON it is a plain number; in messages it
// reads as a size in the units administrators write policy in ("5 GB",
// "4 GiB", "1.5 MB").
type Bytes int64

// String renders b with decimal units when it is a whole number of them,
// binary units when it is a whole number of those, and decimal otherwise.
func (b Bytes) String() string {
	n := int64(b)
	if n < 0 {
		return fmt.Sprintf("%d B", n)
	}
	dec := []string{"B", "KB", "MB", "GB", "TB", "PB"}
	bin := []string{"B", "KiB", "MiB", "GiB", "TiB", "PiB"}
	if s, ok := whole(n, 1000, dec); ok {
		return s
	}
	if s, ok := whole(n, 1024, bin); ok {
		return s
	}
	f, u := float64(n), 0
	for f >= 1000 && u < len(dec)-1 {
		f /= 1000
		u++
	}
	// Not a whole number of any unit: round for reading, and keep the exact
	// count so that "one byte over the limit" never reads as the limit.
	r := strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.2f", f), "0"), ".") + " " + dec[u]
	if int64(math.Round(f*100))*pow1000(u)/100 == n {
		return r
	}
	return fmt.Sprintf("%s (%d bytes)", r, n)
}

func pow1000(u int) int64 {
	p := int64(1)
	for ; u > 0; u-- {
		p *= 1000
	}
	return p
}

func whole(n, base int64, units []string) (string, bool) {
	if n == 0 {
		return "0 B", true
	}
	u := 0
	for n%base == 0 && u < len(units)-1 {
		n /= base
		u++
	}
	if u == 0 && n >= base {
		return "", false
	}
	if n >= base*10 && u < len(units)-1 { // e.g. 1234 KB: prefer 1.23 MB
		return "", false
	}
	return fmt.Sprintf("%d %s", n, units[u]), true
}
