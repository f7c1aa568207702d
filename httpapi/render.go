package httpapi

import (
	"net/http"

	"github.com/ferryhq/ferry"
	"github.com/ferryhq/ferry/httpapi/wire"
)

// transferJSON renders t for the caller of r.
func transferJSON(r *http.Request, t *ferry.Transfer) wire.Transfer {
	out := wire.Transfer{
		ID: t.ID, Name: t.Name, Size: t.Size, SHA256: t.SHA256, State: t.State, Sender: t.Sender,
		Offset: t.Offset, CreatedAt: t.CreatedAt.UTC(), AvailableAt: wire.TimePtr(t.AvailableAt),
		ExpiresAt: wire.TimePtr(t.ExpiresAt), DownloadedAt: wire.TimePtr(t.DownloadedAt),
		Recipients: make([]wire.Recipient, 0, len(t.Recipients)),
	}
	if t.State == ferry.StateUploading && t.SenderID == caller(r).ID {
		out.UploadURL = uploadURL(t.ID)
		out.UploadExpiresAt = wire.TimePtr(t.UploadExpiresAt)
	}
	if t.Error != nil {
		e := wire.NewError(t.Error, langOf(r))
		out.Error = &e
	}
	for _, rc := range t.Recipients {
		out.Recipients = append(out.Recipients, wire.Recipient{Username: rc.Username, Status: rc.Status, DownloadedAt: wire.TimePtr(rc.DownloadedAt)})
	}
	return out
}

func transferList(r *http.Request, ts []*ferry.Transfer, next string) wire.TransferList {
	out := wire.TransferList{Transfers: make([]wire.Transfer, 0, len(ts)), NextCursor: next}
	for _, t := range ts {
		out.Transfers = append(out.Transfers, transferJSON(r, t))
	}
	return out
}
