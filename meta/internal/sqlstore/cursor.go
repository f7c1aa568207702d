package sqlstore

import (
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
)

// EncodeCursor renders the sort key of a listed transfer (its creation in
// Unix nanoseconds and its ID) as an opaque page cursor.
func EncodeCursor(created int64, id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(created, 10) + ":" + id))
}

// DecodeCursor reads what EncodeCursor wrote.
func DecodeCursor(c string) (int64, string, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return 0, "", err
	}
	n, id, ok := strings.Cut(string(b), ":")
	if !ok {
		return 0, "", errors.New("malformed cursor")
	}
	created, err := strconv.ParseInt(n, 10, 64)
	if err != nil {
		return 0, "", err
	}
	return created, id, nil
}
