package httpapi

import (
	"net/http"

	"golang.org/x/text/language"

	"github.com/ferryhq/ferry"
)

var langMatcher = language.NewMatcher([]language.Tag{language.English, language.SimplifiedChinese})

// langOf picks the caller's language from Accept-Language: Chinese for
// any zh variant preferred over English, English otherwise.
func langOf(r *http.Request) ferry.Lang {
	tags, _, err := language.ParseAcceptLanguage(r.Header.Get("Accept-Language"))
	if err != nil || len(tags) == 0 {
		return ferry.English
	}
	_, idx, conf := langMatcher.Match(tags...)
	if idx == 1 && conf != language.No {
		return ferry.Chinese
	}
	return ferry.English
}
