package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// session is what `ferry login` stores in config.json.
type session struct {
	Server    string    `json:"server"`
	User      string    `json:"user"`
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expires_at"`
}

// configDir is <config dir>/ferry: $FERRY_CONFIG_DIR/ferry, or the
// user's config folder's ferry.
func (a *app) configDir() (string, error) {
	dir := a.getenv("FERRY_CONFIG_DIR")
	if dir == "" {
		var err error
		if dir, err = os.UserConfigDir(); err != nil {
			return "", fmt.Errorf("no folder for the configuration (set FERRY_CONFIG_DIR): %w", err)
		}
	}
	return filepath.Join(dir, "ferry"), nil
}

func (a *app) configFile(name string) (string, error) {
	dir, err := a.configDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, name), nil
}

// loadSession reads config.json; no file means not signed in.
func (a *app) loadSession() (*session, error) {
	path, err := a.configFile("config.json")
	if err != nil {
		return nil, err
	}
	var s session
	found, err := readJSONFile(path, &s)
	if err != nil {
		return nil, err
	}
	if !found || s.Server == "" || s.Token == "" {
		return nil, errors.New("not signed in: run `ferry login --server URL --user NAME` first")
	}
	return &s, nil
}

func (a *app) saveSession(s *session) error {
	path, err := a.configFile("config.json")
	if err != nil {
		return err
	}
	return writeJSONFile(path, s)
}

// readJSONFile decodes the file at path into v; a missing file is not an
// error but reports false.
func readJSONFile(path string, v any) (bool, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return false, fmt.Errorf("%s is damaged (%v): remove it and try again", path, err)
	}
	return true, nil
}

// writeJSONFile replaces the file at path with v, readable by its owner
// only (0600, in a 0700 folder), atomically.
func writeJSONFile(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // after a successful rename: a no-op
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
