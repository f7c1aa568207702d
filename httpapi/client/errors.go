package client

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/ferryhq/ferry"
	"github.com/ferryhq/ferry/httpapi/wire"
)

// DecodeError turns a response outside 2xx into a *wire.Error with Status
// set. It reads (a bounded part of) the body but does not close it.
//
// A JSON body {"error": {...}} is decoded as it is. Any other body (a HEAD
// response, a proxy's HTML page) gives an error synthesised from the
// Ferry-Error-Code header, or from the status when that header is absent,
// with the catalogue's message and remedy in lang. A Retry-After header
// fills RetryAfterSeconds when the body did not.
func DecodeError(resp *http.Response, lang string) *wire.Error {
	var body wire.ErrorBody
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, maxJSONBody))
	e := &body.Error
	if json.Unmarshal(raw, &body) != nil || e.Code == 0 {
		e = synthesize(resp, ferry.Lang(normalizeLang(lang)))
	}
	e.Status = resp.StatusCode
	if e.RetryAfterSeconds == 0 {
		if s, err := strconv.ParseInt(strings.TrimSpace(resp.Header.Get("Retry-After")), 10, 64); err == nil && s > 0 {
			e.RetryAfterSeconds = s
		}
	}
	return e
}

// synthesize builds the error of a response whose body carries none.
func synthesize(resp *http.Response, lang ferry.Lang) *wire.Error {
	code := codeForStatus(resp.StatusCode)
	if h := strings.TrimSpace(resp.Header.Get(wire.HeaderErrorCode)); h != "" {
		if n, err := strconv.Atoi(h); err == nil && n > 0 {
			code = ferry.Code(n)
		}
	}
	info := code.Info()
	if info.Code != code { // a code this client does not know yet
		info.Code, info.Name = code, fmt.Sprintf("CODE_%d", code)
	}
	t := info.En
	if lang == ferry.Chinese {
		t = info.Zh
	}
	return &wire.Error{
		Code: info.Code, Name: info.Name,
		Message:   fmt.Sprintf("%s (HTTP %d)", t.Message, resp.StatusCode),
		Remedy:    t.Remedy,
		Retryable: info.Retryable,
	}
}

// codeForStatus guesses the code of an error response that names none.
func codeForStatus(status int) ferry.Code {
	switch status {
	case http.StatusBadRequest:
		return ferry.CodeBadRequest
	case http.StatusUnauthorized:
		return ferry.CodeUnauthenticated
	case http.StatusForbidden:
		return ferry.CodeForbidden
	case http.StatusNotFound:
		return ferry.CodeNotFound
	case http.StatusMethodNotAllowed:
		return ferry.CodeMethodNotAllowed
	case http.StatusConflict:
		return ferry.CodeUploadOffsetConflict
	case http.StatusGone:
		return ferry.CodeTransferGone
	case http.StatusRequestEntityTooLarge:
		return ferry.CodeRequestTooLarge
	case http.StatusUnsupportedMediaType:
		return ferry.CodeUnsupportedContentType
	case http.StatusLocked:
		return ferry.CodeUploadLocked
	case 460:
		return ferry.CodeChunkChecksumMismatch
	case http.StatusTooManyRequests, http.StatusServiceUnavailable:
		return ferry.CodeServerBusy
	}
	if status >= 400 && status < 500 {
		return ferry.CodeBadRequest
	}
	return ferry.CodeInternal
}

// normalizeLang maps a language tag to one of the catalogue's languages.
func normalizeLang(lang string) string {
	if strings.HasPrefix(strings.ToLower(lang), "zh") {
		return string(ferry.Chinese)
	}
	return string(ferry.English)
}
