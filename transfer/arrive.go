package transfer

import (
	"crypto/sha256"
	"encoding"
	"encoding/binary"
	"errors"
	"hash"
	"io"
	"sync/atomic"
	"time"

	"github.com/ferryhq/ferry"
)

// What runs over an upload's bytes as they arrive: the SHA-256 of the
// content, and the stream of the inspector that judges it piece by piece
// (a ferry.Streamer: keywords in text). Both work on goroutines of their
// own, beside the write, and their state is kept with the transfer
// (ferry.Transfer.UploadState) between its requests, so that when the
// last byte is in, the hash and that verdict are ready: nothing is read
// back. A state that does not match what the stage holds (a chunk kept
// only in part, a stage that lost its tail) is dropped, and the content is
// read back after its last byte, as it is for the streams that could not
// keep up with a fast request, or whose rules changed meanwhile.

// uploadState is what a transfer's UploadState holds, at offset bytes.
type uploadState struct {
	offset int64
	hash   hash.Hash    // nil: not known
	stream *streamState // nil: none
}

// streamState is the saved stream of the Streamer inspector.
type streamState struct {
	version string // the rules it judges by (ferry.Streamer.Version)
	done    bool   // the whole content was judged, and passed
	state   []byte // ferry.Stream.State, while not done
}

// uploadStateFormat starts an encoded state; another format is not used.
const uploadStateFormat = 2

func (u *uploadState) encode() []byte {
	if u.hash == nil && u.stream == nil {
		return nil
	}
	b := []byte{uploadStateFormat}
	b = binary.BigEndian.AppendUint64(b, uint64(u.offset))
	var hs []byte
	if u.hash != nil {
		hs, _ = u.hash.(encoding.BinaryMarshaler).MarshalBinary()
	}
	b = binary.AppendUvarint(b, uint64(len(hs)))
	b = append(b, hs...)
	if u.stream == nil {
		return append(b, 0)
	}
	flag := byte(1)
	if u.stream.done {
		flag = 2
	}
	b = append(b, flag)
	b = binary.AppendUvarint(b, uint64(len(u.stream.version)))
	b = append(b, u.stream.version...)
	b = binary.AppendUvarint(b, uint64(len(u.stream.state)))
	return append(b, u.stream.state...)
}

// decodeUploadState returns what b holds when it is the state after
// exactly offset bytes; else an empty state at offset.
func decodeUploadState(b []byte, offset int64) uploadState {
	u := uploadState{offset: offset}
	if len(b) < 9 || b[0] != uploadStateFormat || binary.BigEndian.Uint64(b[1:]) != uint64(offset) {
		return u
	}
	b = b[9:]
	next := func() []byte {
		n, k := binary.Uvarint(b)
		if k <= 0 || uint64(len(b)-k) < n {
			b = nil
			return nil
		}
		v := b[k : k+int(n)]
		b = b[k+int(n):]
		return v
	}
	if hs := next(); len(hs) > 0 {
		h := sha256.New()
		if h.(encoding.BinaryUnmarshaler).UnmarshalBinary(hs) == nil {
			u.hash = h
		}
	}
	if len(b) == 0 || b[0] == 0 || b[0] > 2 {
		return u
	}
	done := b[0] == 2
	b = b[1:]
	version := next()
	state := next()
	if b != nil && version != nil {
		u.stream = &streamState{version: string(version), done: done, state: append([]byte(nil), state...)}
	}
	return u
}

// Goroutines of their own take the bytes through at most arriveBufs
// buffers of arriveBufSize each (a MiB an upload, each).
const (
	arriveBufSize = 256 << 10
	arriveBufs    = 4
)

// tee hands what a request's body brings, in buffers, to a goroutine
// (sink), beside the write. A lagging sink either holds the request back
// (wait), or holds it back a little — at most a tenth of the request's
// time so far — and is then left behind: it sees no more bytes, and lagged
// is set. A client over a network is slower than the keyword scanner and
// is never held back for long; one on loopback outruns it, and its
// content is scanned after the last byte, on every CPU.
type tee struct {
	r      io.Reader
	n      int64 // bytes handed on
	wait   bool
	lagged bool
	start  time.Time
	waited time.Duration
	cur    []byte
	full   chan []byte
	free   chan []byte
	done   chan struct{}
	stop   atomic.Pointer[error] // set by the sink: end the request with it
	off    atomic.Bool           // set by the sink: it wants no more bytes (and gives no verdict)
}

func newTee(wait bool, sink func([]byte) error) *tee {
	t := &tee{wait: wait, full: make(chan []byte, arriveBufs), free: make(chan []byte, arriveBufs), done: make(chan struct{}),
		start: time.Now()}
	for range arriveBufs {
		t.free <- make([]byte, 0, arriveBufSize)
	}
	go func() {
		defer close(t.done)
		failed := false
		for b := range t.full {
			if !failed {
				if err := sink(b); err != nil {
					failed = true
					if errors.Is(err, ferry.ErrNotJudged) { // nothing for it here: no verdict, no more bytes
						t.off.Store(true)
					} else {
						t.stop.Store(&err)
					}
				}
			}
			t.free <- b[:0]
		}
	}()
	return t
}

func (t *tee) Read(p []byte) (int, error) {
	if err := t.stop.Load(); err != nil {
		return 0, errors.Join(*err, ferry.ErrDiscard)
	}
	n, err := t.r.Read(p)
	if !t.lagged && t.off.Load() {
		t.lagged = true
	}
	for b := p[:n]; len(b) > 0 && !t.lagged; {
		if t.cur == nil {
			if t.cur = t.next(); t.cur == nil {
				t.lagged = true
				continue
			}
		}
		k := copy(t.cur[len(t.cur):cap(t.cur)], b)
		t.cur, b = t.cur[:len(t.cur)+k], b[k:]
		t.n += int64(k)
		if len(t.cur) == cap(t.cur) {
			t.full <- t.cur
			t.cur = nil
		}
	}
	return n, err
}

// patience is the least a lagging sink may hold a request back, and the
// share of the request's time it may take in all.
const (
	patience      = 20 * time.Millisecond
	patienceShare = 10
)

// next returns a free buffer, waiting for the sink as a wait tee does
// always and another within its patience; nil when the sink is behind.
func (t *tee) next() []byte {
	if t.wait {
		return <-t.free
	}
	select {
	case b := <-t.free:
		return b
	default:
	}
	allowed := max(patience, time.Since(t.start)/patienceShare) - t.waited
	if allowed <= 0 {
		return nil
	}
	timer := time.NewTimer(allowed)
	defer timer.Stop()
	t0 := time.Now()
	defer func() { t.waited += time.Since(t0) }()
	select {
	case b := <-t.free:
		return b
	case <-timer.C:
		return nil
	}
}

// finish waits until the sink has seen every byte handed on, and returns
// its error, if any. It must be called once, whatever became of the reads.
func (t *tee) finish() error {
	if len(t.cur) > 0 {
		t.full <- t.cur
		t.cur = nil
	}
	close(t.full)
	<-t.done
	if err := t.stop.Load(); err != nil {
		return *err
	}
	return nil
}

// arrival is what runs over one request's bytes.
type arrival struct {
	held   int64
	hash   hash.Hash
	hashed *tee // nil: the hash is not known
	stream ferry.Stream
	fed    *tee // nil: no stream
}

// arrive sets up what runs over the bytes of t's upload from held, from
// the state its last request saved, around body.
func (s *Service) arrive(t *ferry.Transfer, held int64, body io.Reader) (*arrival, io.Reader) {
	u := decodeUploadState(t.UploadState, held)
	a := &arrival{held: held}
	switch {
	case s.cfg.HashAfter:
	case held == 0:
		a.hash = sha256.New()
	case u.hash != nil:
		a.hash = u.hash
	}
	if a.hash != nil {
		h := a.hash
		a.hashed = newTee(true, func(b []byte) error { h.Write(b); return nil })
		a.hashed.r, body = body, a.hashed
	}
	if st := s.streamer; st != nil {
		switch {
		case held == 0:
			a.stream = st.Stream(nil)
		case u.stream != nil && !u.stream.done && u.stream.version == st.Version():
			a.stream = st.Stream(u.stream.state)
		}
	}
	if a.stream != nil {
		str := a.stream
		a.fed = newTee(false, func(b []byte) error { return str.Write(b) })
		a.fed.r, body = body, a.fed
	}
	return a, body
}

// verdict waits for what ran over the bytes, and returns a stream's
// verdict (a hit refuses the upload).
func (a *arrival) verdict() error {
	if a.hashed != nil {
		a.hashed.finish()
	}
	if a.fed != nil {
		return a.fed.finish()
	}
	return nil
}

// state returns the UploadState after the request: the upload holds n of
// size bytes. It closes the stream at the last byte, and returns its
// verdict on the whole content then.
func (a *arrival) state(n, size int64) ([]byte, error) {
	u := uploadState{offset: n}
	if a.hashed != nil && n == a.held+a.hashed.n {
		u.hash = a.hash
	}
	if a.fed != nil && !a.fed.lagged && !a.fed.off.Load() && n == a.held+a.fed.n {
		if n == size {
			switch err := a.stream.Close(); {
			case err == nil:
				u.stream = &streamState{version: a.stream.Version(), done: true}
			case !errors.Is(err, ferry.ErrNotJudged):
				return nil, err
			}
		} else if st, err := a.stream.State(); err == nil {
			u.stream = &streamState{version: a.stream.Version(), state: st}
		}
	}
	return u.encode(), nil
}

// streamJudged reports whether t's content was judged whole by the
// Streamer inspector as it arrived, under the rules in force, and passed.
func (s *Service) streamJudged(t *ferry.Transfer) bool {
	if s.streamer == nil {
		return false
	}
	u := decodeUploadState(t.UploadState, t.Size)
	return u.stream != nil && u.stream.done && u.stream.version == s.streamer.Version()
}
