package main

import (
	"slices"
	"strings"
	"time"
)

// uploadEntry is an unfinished upload of `ferry send`, kept in
// uploads.json so that the same command resumes it. The first six fields
// are the key: the same file (path, size, mtime, content) to the same
// recipients on the same server.
type uploadEntry struct {
	Server    string    `json:"server"`
	Path      string    `json:"path"`
	Size      int64     `json:"size"`
	ModTime   time.Time `json:"mtime"`
	To        []string  `json:"to"`
	SHA256    string    `json:"sha256"`
	ID        string    `json:"id"`
	UploadURL string    `json:"upload_url"`
	StartedAt time.Time `json:"started_at"`
}

// uploadState is the content of uploads.json.
type uploadState struct {
	Uploads []uploadEntry `json:"uploads"`
}

// sameKey reports whether e and o are uploads of the same file to the
// same recipients on the same server.
func (e *uploadEntry) sameKey(o *uploadEntry) bool {
	return e.Server == o.Server && e.Path == o.Path && e.Size == o.Size &&
		e.ModTime.Equal(o.ModTime) && slices.Equal(e.To, o.To) && e.SHA256 == o.SHA256
}

// find returns the entry with key's key, or nil.
func (s *uploadState) find(key *uploadEntry) *uploadEntry {
	for i := range s.Uploads {
		if s.Uploads[i].sameKey(key) {
			return &s.Uploads[i]
		}
	}
	return nil
}

// put adds e, replacing an entry with the same key.
func (s *uploadState) put(e uploadEntry) {
	s.remove(&e)
	s.Uploads = append(s.Uploads, e)
}

// remove drops the entries with key's key.
func (s *uploadState) remove(key *uploadEntry) {
	s.Uploads = slices.DeleteFunc(s.Uploads, func(e uploadEntry) bool { return e.sameKey(key) })
}

func (a *app) loadUploads() (*uploadState, string, error) {
	path, err := a.configFile("uploads.json")
	if err != nil {
		return nil, "", err
	}
	var s uploadState
	if _, err := readJSONFile(path, &s); err != nil {
		return nil, "", err
	}
	return &s, path, nil
}

// findUpload returns the unfinished upload with key's key, or nil.
func (a *app) findUpload(key *uploadEntry) (*uploadEntry, error) {
	s, _, err := a.loadUploads()
	if err != nil {
		return nil, err
	}
	return s.find(key), nil
}

// rememberUpload records e (read, modify, write, so that other entries
// written meanwhile by another ferry survive).
func (a *app) rememberUpload(e uploadEntry) error {
	s, path, err := a.loadUploads()
	if err != nil {
		return err
	}
	s.put(e)
	return writeJSONFile(path, s)
}

// forgetUpload drops the entry with key's key.
func (a *app) forgetUpload(key *uploadEntry) error {
	s, path, err := a.loadUploads()
	if err != nil {
		return err
	}
	s.remove(key)
	return writeJSONFile(path, s)
}

// normalizeRecipients trims, drops empty and duplicate names, and sorts.
func normalizeRecipients(to []string) []string {
	out := make([]string, 0, len(to))
	for _, t := range to {
		if t = strings.TrimSpace(t); t != "" {
			out = append(out, t)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}
