package clamdtest

import (
	"crypto/md5"
	"encoding/hex"
	"testing"
)

func TestEICAR(t *testing.T) {
	b := EICAR()
	// The standard file: 68 bytes with this well-known MD5.
	if sum := md5.Sum(b); len(b) != 68 || hex.EncodeToString(sum[:]) != "44d88612fea8a8f36de82e1278abb02f" {
		t.Fatalf("EICAR() is %d bytes with MD5 %x; want the standard 68-byte file", len(b), sum)
	}
}

func TestStartStop(t *testing.T) {
	s := Start(t)
	t.Logf("clamd answered PING %v after its start", s.Startup)
	for _, addr := range []string{s.Address, s.UnixAddress} {
		if err := ping(addr); err != nil {
			t.Fatalf("PING %s: %v", addr, err)
		}
	}
	s.Stop()
	for _, addr := range []string{s.Address, s.UnixAddress} {
		if err := ping(addr); err == nil {
			t.Errorf("PING %s answered after Stop", addr)
		}
	}
	s.Stop() // again: nothing happens
}
