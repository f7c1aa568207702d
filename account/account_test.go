package account

import (
	"testing"
)

func TestPasswordRoundTrip(t *testing.T) {
	h, err := HashPassword("correct horse")
	if err != nil {
		t.Fatal(err)
	}
	if !CheckPassword(h, "correct horse") {
		t.Error("the right password was refused")
	}
	if CheckPassword(h, "correct horsf") || CheckPassword(h, "") {
		t.Error("a wrong password was accepted")
	}
	h2, _ := HashPassword("correct horse")
	if h == h2 {
		t.Error("two hashes of one password are equal: the salt is not random")
	}
}

// The dummy hash must parse, or an unknown username would answer faster
// than a wrong password and tell an attacker which usernames exist.
func TestDummyHashParses(t *testing.T) {
	p, ok := parsePHC(dummyHash)
	if !ok || p.mem != argonMemory || p.iter != argonTime || len(p.key) != argonKeyLen {
		t.Fatalf("dummy hash does not parse as ferry's own parameters: %+v %v", p, ok)
	}
}

func TestValidUsername(t *testing.T) {
	for _, ok := range []string{"alice", "bob.smith", "a", "x_1-2", "0day"} {
		if err := ValidUsername(ok); err != nil {
			t.Errorf("%q refused: %v", ok, err)
		}
	}
	for _, bad := range []string{"", "Alice", ".alice", "a b", "al/ice", "季度", string(make([]byte, 65))} {
		if err := ValidUsername(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
