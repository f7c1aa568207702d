package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/ferryhq/ferry"
	"github.com/ferryhq/ferry/httpapi/wire"
)

func TestInboxPages(t *testing.T) {
	c := newCLI(t)
	api := c.withAPI()
	at := time.Date(2026, 1, 2, 3, 4, 0, 0, time.UTC)
	api.pages[""] = wire.TransferList{NextCursor: "p2", Transfers: []wire.Transfer{
		{ID: "t2", Sender: "bo", Name: "季度报告.pdf", Size: 5e9, State: ferry.StateAvailable, CreatedAt: at, ExpiresAt: &at}}}
	api.pages["p2"] = wire.TransferList{Transfers: []wire.Transfer{
		{ID: "t1", Sender: "li", Name: "a.txt", Size: 1536, State: ferry.StateDownloaded, CreatedAt: at}}}

	code, out, errOut := c.run("", "inbox")
	if code != 0 || !strings.Contains(out, "5 GB") || strings.Contains(out, "t1") || !strings.Contains(errOut, "--all") {
		t.Fatalf("one page: %d\n%s\n%s", code, out, errOut)
	}
	code, out, _ = c.run("", "inbox", "--all")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) != 3 || !strings.HasPrefix(lines[0], "ID  FROM  NAME") || !strings.Contains(lines[2], "1.54 KB") {
		t.Fatalf("--all: %d\n%s", code, out)
	}
	// Columns line up although the first name is two columns a character.
	if displayWidth(lines[1][:strings.Index(lines[1], "5 GB")]) != displayWidth(lines[2][:strings.Index(lines[2], "1.54 KB")]) {
		t.Errorf("columns do not line up:\n%s", out)
	}
	_, out, _ = c.run("", "inbox", "--all", "--json")
	var list wire.TransferList
	if err := json.Unmarshal([]byte(out), &list); err != nil || len(list.Transfers) != 2 || list.NextCursor != "" {
		t.Errorf("--json: %v %+v", err, list)
	}
}

func TestUserCommands(t *testing.T) {
	c := newCLI(t)
	api := c.withAPI()
	code, out, errOut := c.run("pw-of-bo\n", "user", "add", "bo", "--tier", "edu", "--admin", "--password-stdin")
	if code != 0 || out != "created bo (tier edu)\n" {
		t.Fatalf("user add: %d %q %q", code, out, errOut)
	}
	if b := api.bodies[0]; b["password"] != "pw-of-bo" || b["tier"] != "edu" || b["admin"] != true {
		t.Errorf("add body %v", b)
	}
	if code, _, errOut = c.run("", "user", "set", "bo", "--disable", "--admin=false"); code != 0 {
		t.Fatalf("user set: %d %q", code, errOut)
	}
	if b := api.bodies[1]; b["disabled"] != true || b["admin"] != false || b["tier"] != nil || b["password"] != nil {
		t.Errorf("set body %v", b)
	}
	api.users = []wire.Account{{Username: "ana", Tier: ferry.TierFree, Admin: true}}
	if code, out, _ = c.run("", "user", "list"); code != 0 || !strings.Contains(out, "ana       free  true") {
		t.Errorf("user list: %d\n%s", code, out)
	}
}
