package httpapi

import (
	"encoding/base64"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/ferryhq/ferry"
	"github.com/ferryhq/ferry/httpapi/wire"
	"github.com/ferryhq/ferry/transfer"
)

// The tus 1.0.0 endpoint: core, creation, termination, checksum and
// expiration (https://tus.io/protocols/resumable-upload). An upload is a
// transfer: POST here creates one exactly as POST /api/v1/transfers does,
// and its upload URL is /api/v1/uploads/{transfer id}.
const (
	uploadsPath   = "/api/v1/uploads/"
	tusVersion    = "1.0.0"
	tusExtensions = "creation,termination,checksum,expiration"
	offsetStream  = "application/offset+octet-stream"
)

func uploadURL(id string) string { return uploadsPath + id }

// tus sets the headers every tus response carries and refuses requests of
// another protocol version (412, 2002 PROTOCOL_UNSUPPORTED).
func (a *API) tus(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Tus-Resumable", tusVersion)
		w.Header().Set("Cache-Control", "no-store")
		if v := r.Header.Get("Tus-Resumable"); v != tusVersion {
			w.Header().Set("Tus-Version", tusVersion)
			a.writeError(w, r, ferry.E(ferry.CodeProtocolUnsupported).With("actual", v).With("supported", tusVersion))
			return
		}
		h(w, r)
	}
}

func (a *API) tusOptions(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Tus-Resumable", tusVersion)
	h.Set("Tus-Version", tusVersion)
	h.Set("Tus-Extension", tusExtensions)
	h.Set("Tus-Checksum-Algorithm", strings.Join(transfer.ChecksumAlgorithms, ","))
	w.WriteHeader(http.StatusNoContent)
}

// tusCreate creates a transfer from Upload-Length and Upload-Metadata
// (filename, to: comma-separated usernames, sha256: optional hex).
func (a *API) tusCreate(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Upload-Defer-Length") != "" {
		a.writeError(w, r, ferry.E(ferry.CodeBadRequest).With("reason", "Upload-Length is required; deferred lengths are not supported"))
		return
	}
	size, err := strconv.ParseInt(r.Header.Get("Upload-Length"), 10, 64)
	if err != nil || size < 0 {
		a.writeError(w, r, ferry.E(ferry.CodeBadRequest).With("reason", "Upload-Length must be a number of bytes"))
		return
	}
	md, err := parseMetadata(r.Header.Get("Upload-Metadata"))
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	name := md["filename"]
	if name == "" {
		name = md["name"]
	}
	req := transfer.CreateRequest{To: []string{md["to"]}, Name: name, Size: size, SHA256: md["sha256"], Client: a.client(r)}
	t, err := a.transfers.Create(r.Context(), caller(r), req)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Location", uploadURL(t.ID))
	h.Set("Ferry-Transfer-Id", t.ID)
	setExpires(h, t)
	w.WriteHeader(http.StatusCreated)
}

// parseMetadata reads Upload-Metadata: comma-separated pairs of a key and
// its base64 value.
func parseMetadata(s string) (map[string]string, error) {
	md := map[string]string{}
	for _, pair := range strings.Split(s, ",") {
		pair = strings.TrimSpace(pair)
		if pair == "" {
			continue
		}
		key, val, _ := strings.Cut(pair, " ")
		b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(val))
		if err != nil {
			return nil, ferry.E(ferry.CodeBadRequest).With("reason", "Upload-Metadata value of "+key+" is not base64")
		}
		md[key] = string(b)
	}
	return md, nil
}

func (a *API) tusHead(w http.ResponseWriter, r *http.Request) {
	t, offset, err := a.transfers.UploadStatus(r.Context(), caller(r), r.PathValue("id"))
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Upload-Offset", strconv.FormatInt(offset, 10))
	h.Set("Upload-Length", strconv.FormatInt(t.Size, 10))
	h.Set(wire.HeaderTransferState, string(t.State))
	setExpires(h, t)
	w.WriteHeader(http.StatusOK)
}

func (a *API) tusPatch(w http.ResponseWriter, r *http.Request) {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != offsetStream {
		a.writeError(w, r, ferry.E(ferry.CodeUnsupportedContentType).With("expected", offsetStream))
		return
	}
	offset, err := strconv.ParseInt(r.Header.Get("Upload-Offset"), 10, 64)
	if err != nil || offset < 0 {
		a.writeError(w, r, ferry.E(ferry.CodeBadRequest).With("reason", "Upload-Offset must be a number of bytes"))
		return
	}
	sum, err := parseChecksum(r.Header.Get("Upload-Checksum"))
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	rc := http.NewResponseController(w)
	chunk := transfer.Chunk{Offset: offset, Length: r.ContentLength, Body: r.Body, Checksum: sum,
		Interrupt: func() { _ = rc.SetReadDeadline(time.Now()) }}
	t, err := a.transfers.Write(r.Context(), caller(r), r.PathValue("id"), chunk)
	if t != nil {
		w.Header().Set("Upload-Offset", strconv.FormatInt(t.Offset, 10))
		w.Header().Set(wire.HeaderTransferState, string(t.State))
		setExpires(w.Header(), t)
	}
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// parseChecksum reads Upload-Checksum: an algorithm and the base64 digest.
func parseChecksum(s string) (*transfer.Checksum, error) {
	if s == "" {
		return nil, nil
	}
	alg, b64, _ := strings.Cut(strings.TrimSpace(s), " ")
	alg = strings.ToLower(alg)
	supported := strings.Join(transfer.ChecksumAlgorithms, ", ")
	known := false
	for _, a := range transfer.ChecksumAlgorithms {
		known = known || a == alg
	}
	if !known {
		return nil, ferry.E(ferry.CodeChecksumAlgorithmUnsupported).With("actual", alg).With("supported", supported)
	}
	digest, err := base64.StdEncoding.DecodeString(strings.TrimSpace(b64))
	if err != nil || len(digest) == 0 {
		return nil, ferry.E(ferry.CodeBadRequest).With("reason", "Upload-Checksum digest is not base64")
	}
	return &transfer.Checksum{Algorithm: alg, Digest: digest}, nil
}

func (a *API) tusDelete(w http.ResponseWriter, r *http.Request) {
	if _, err := a.transfers.Recall(r.Context(), caller(r), r.PathValue("id")); err != nil {
		a.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// setExpires tells a client until when an upload in progress is kept
// (tus expiration extension, RFC 9110 date).
func setExpires(h http.Header, t *ferry.Transfer) {
	if t.State == ferry.StateUploading && !t.UploadExpiresAt.IsZero() {
		h.Set("Upload-Expires", t.UploadExpiresAt.UTC().Format(http.TimeFormat))
	}
}
