package clamd

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Result is clamd's verdict on a stream.
type Result struct {
	// Signature names what clamd found ("Win.Test.EICAR_HDB-1",
	// "Heuristics.Encrypted.Zip", …); empty when the stream is clean.
	Signature string
}

// Clean reports whether clamd found nothing.
func (r Result) Clean() bool { return r.Signature == "" }

// ErrSizeLimit is the error of a Scan that clamd cut off for exceeding its
// StreamMaxLength ("INSTREAM size limit exceeded. ERROR").
var ErrSizeLimit = errors.New("INSTREAM size limit exceeded (clamd's StreamMaxLength)")

// ErrTooLarge is the error of a Scan whose content went past
// Config.MaxSize; nothing past the limit was sent.
var ErrTooLarge = errors.New("content larger than inspect.clamd.max_size")

// maxReply bounds what is read of a reply: clamd's are a line.
const maxReply = 4 << 10

// readReply reads one NUL-terminated reply (the z-prefixed commands' form).
// A reply must end with its NUL: a connection that closes before is an
// error, whatever it sent.
func readReply(r io.Reader) (string, error) {
	var reply []byte
	buf := make([]byte, 512)
	for {
		n, err := r.Read(buf)
		reply = append(reply, buf[:n]...)
		if i := bytes.IndexByte(reply, 0); i >= 0 {
			return string(reply[:i]), nil
		}
		if len(reply) > maxReply {
			return "", fmt.Errorf("reply longer than %d bytes without an end: %.64q…", maxReply, reply)
		}
		if err == io.EOF {
			return "", fmt.Errorf("connection closed before the reply ended (got %q)", reply)
		}
		if err != nil {
			return "", fmt.Errorf("read reply (got %q): %w", reply, err)
		}
	}
}

// parseScan reads the reply to INSTREAM. Only an exact "stream: OK" is
// clean; "stream: NAME FOUND" is a detection; "INSTREAM size limit
// exceeded. ERROR" is ErrSizeLimit; any other reply is an error.
func parseScan(reply string) (Result, error) {
	if reply == "stream: OK" {
		return Result{}, nil
	}
	if name, ok := strings.CutPrefix(reply, "stream: "); ok {
		if name, ok := strings.CutSuffix(name, " FOUND"); ok && validName(name) {
			return Result{Signature: name}, nil
		}
	}
	if reply == "INSTREAM size limit exceeded. ERROR" {
		return Result{}, ErrSizeLimit
	}
	if strings.HasSuffix(reply, " ERROR") {
		return Result{}, fmt.Errorf("clamd reported an error: %q", reply)
	}
	return Result{}, fmt.Errorf("unexpected reply %q", reply)
}

// validName reports whether s can be a signature name: clamd's have no
// spaces or control characters.
func validName(s string) bool {
	if s == "" || len(s) > 256 {
		return false
	}
	for _, r := range s {
		if r <= ' ' || r == 0x7f {
			return false
		}
	}
	return true
}
