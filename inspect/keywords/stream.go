package keywords

import (
	"bytes"
	"encoding/binary"

	"github.com/ferryhq/ferry"
	"github.com/ferryhq/ferry/policy"
)

// Stream judges a file's content as its bytes arrive, across the requests
// of an upload: its state between two of them is a few dozen bytes
// (State), which a Stream on any node whose Matcher has the same Version
// resumes (Inspector.Stream). The first 8 KiB decide whether the content
// is UTF-8 text, which can be scanned piece by piece; other content —
// not text, or text in another encoding — the stream cannot judge, and
// says so at Close (the Inspector reads it whole after its last byte).
type Stream struct {
	in   *Inspector
	m    *Matcher
	head []byte // the first bytes, until they decide
	mode byte   // streamUndecided, streamText or streamOther
	sc   *Scanner
}

const (
	streamUndecided = iota
	streamText
	streamOther
)

// streamFormat starts a saved Stream.
const streamFormat = 1

// Stream returns a stream over content from its first byte (state nil) or
// from where the stream that saved state was; nil when state was saved
// under other dictionaries (or is not a state): the content must then be
// read whole.
func (in *Inspector) Stream(state []byte) *Stream {
	st := &Stream{in: in, m: in.Matcher()}
	if state == nil {
		return st
	}
	if len(state) < 2 || state[0] != streamFormat {
		return nil
	}
	st.mode, state = state[1], state[2:]
	switch st.mode {
	case streamUndecided:
		n, k := binary.Uvarint(state)
		if k <= 0 || n > headLen || uint64(len(state)-k) != n {
			return nil
		}
		st.head = append(make([]byte, 0, headLen), state[k:]...)
	case streamText:
		sc, err := st.m.ResumeScanner(state)
		if err != nil {
			return nil
		}
		sc.limit = 1
		st.sc = sc
	case streamOther:
	default:
		return nil
	}
	return st
}

// Version names the dictionaries the stream judges by.
func (st *Stream) Version() string { return st.m.Version() }

// Write judges the next bytes of the content: the 5001 error of a hit
// ends the stream, and so does ferry.ErrNotJudged once the first bytes
// showed content that is not UTF-8 text (the stream needs no more).
func (st *Stream) Write(p []byte) error {
	if st.mode == streamUndecided {
		take := min(len(p), headLen-len(st.head))
		st.head = append(st.head, p[:take]...)
		p = p[take:]
		if len(st.head) < headLen {
			return nil
		}
		if err := st.decide(); err != nil {
			return err
		}
	}
	if st.mode != streamText {
		return ferry.ErrNotJudged // not text: no more bytes are needed
	}
	st.sc.Write(p)
	return st.verdict()
}

// decide settles whether the content is UTF-8 text, from its head, and
// scans the head when it is.
func (st *Stream) decide() error {
	st.mode = streamOther
	if policy.LooksLikeText(st.head) {
		if _, enc, err := DecodeText(bytes.NewReader(st.head)); err == nil && enc == EncodingUTF8 {
			st.mode, st.sc = streamText, st.m.NewScanner()
			st.sc.limit = 1
			st.sc.Write(st.head)
		}
	}
	st.head = nil
	return st.verdict()
}

func (st *Stream) verdict() error {
	if st.sc == nil {
		return nil
	}
	if h := st.sc.Hit(); h != nil {
		return st.in.Error(h, WhereContent)
	}
	return nil
}

// State saves the stream's progress, for a later request to resume.
func (st *Stream) State() ([]byte, error) {
	b := []byte{streamFormat, st.mode}
	switch st.mode {
	case streamUndecided:
		b = binary.AppendUvarint(b, uint64(len(st.head)))
		b = append(b, st.head...)
	case streamText:
		s, err := st.sc.MarshalBinary()
		if err != nil {
			return nil, err
		}
		b = append(b, s...)
	}
	return b, nil
}

// Close ends the content: nil when it is text without a hit, the 5001
// error of a hit, ferry.ErrNotJudged when the stream could not judge it.
func (st *Stream) Close() error {
	if st.mode == streamUndecided {
		if err := st.decide(); err != nil {
			return err
		}
	}
	if st.mode != streamText {
		return ferry.ErrNotJudged
	}
	st.sc.Close()
	return st.verdict()
}
