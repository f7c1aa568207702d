package transfer

import (
	"context"
	"errors"
	"io"

	"github.com/ferryhq/ferry"
	"github.com/ferryhq/ferry/policy"
)

// headCheck judges an upload's first bytes against its name (1002) as they
// arrive, so that an .exe named .pdf is refused after its first few KiB
// rather than after its last byte. It reads through the chunk's body; the
// bytes of the head that earlier chunks brought are read back from the
// stage first.
type headCheck struct {
	r      io.Reader
	pol    *policy.Policy
	name   string
	head   []byte // the first bytes so far
	need   int    // how many the check needs
	result *ferry.Error
}

// errHeadMismatch ends a chunk whose head does not match its name: the
// chunk's bytes are discarded, and the transfer is rejected.
var errHeadMismatch = errors.Join(errors.New("transfer: content does not match the name"), ferry.ErrDiscard)

// newHeadCheck returns the check for a chunk of t that starts at held, or
// nil when the head was judged by an earlier chunk.
func (s *Service) newHeadCheck(ctx context.Context, t *ferry.Transfer, held int64, r io.Reader) (*headCheck, error) {
	need := policy.HeadLen(t.Size)
	if held >= int64(need) {
		return nil, nil
	}
	h := &headCheck{r: r, pol: s.policy(), name: t.Name, need: need, head: make([]byte, 0, need)}
	if held > 0 {
		rc, err := s.blobs.OpenUpload(ctx, t.ID)
		if err != nil {
			return nil, err
		}
		defer rc.Close()
		h.head = h.head[:held]
		if _, err := io.ReadFull(rc, h.head); err != nil {
			return nil, ferry.Wrap(ferry.CodeStorageUnavailable, "transfer: read upload head", err)
		}
	}
	return h, nil
}

func (h *headCheck) Read(p []byte) (int, error) {
	n, err := h.r.Read(p)
	if h.result != nil || len(h.head) >= h.need {
		return n, err
	}
	take := min(n, h.need-len(h.head))
	h.head = append(h.head, p[:take]...)
	if len(h.head) == h.need {
		if h.result = h.pol.CheckContent(h.name, h.head); h.result != nil {
			return n, errHeadMismatch
		}
	}
	return n, err
}
