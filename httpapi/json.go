package httpapi

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"

	"github.com/ferryhq/ferry"
)

// maxJSONBody bounds the JSON bodies the API reads; file content goes
// through the upload endpoint.
const maxJSONBody = 1 << 20

func writeJSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	if r.Method == http.MethodHead || status == http.StatusNoContent {
		return
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// readJSON decodes the request body into v: 8009 for another content type,
// 8011 past maxJSONBody, 8004 for malformed JSON or unknown fields.
func readJSON(r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		if mt, _, _ := mime.ParseMediaType(ct); mt != "application/json" {
			return ferry.E(ferry.CodeUnsupportedContentType).With("expected", "application/json")
		}
	}
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, maxJSONBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return ferry.E(ferry.CodeRequestTooLarge)
		}
		return ferry.E(ferry.CodeBadRequest).With("reason", "the body is not the expected JSON: "+jsonReason(err))
	}
	return nil
}

// jsonReason describes a decoding error without echoing the input.
func jsonReason(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.EOF):
		return "it is empty"
	case errors.As(err, &syn):
		return "malformed JSON"
	case errors.As(err, &typ):
		return "field " + typ.Field + " has the wrong type"
	}
	if msg := err.Error(); len(msg) < 80 && len(msg) > 0 {
		return msg // e.g. `json: unknown field "x"`
	}
	return "malformed JSON"
}
