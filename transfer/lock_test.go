package transfer

import (
	"context"
	"testing"
	"time"

	"github.com/ferryhq/ferry"
)

// A second writer takes an upload over: the first is interrupted and its
// context cancelled, and the second gets the lock once the first lets go.
func TestMemLockerTakeover(t *testing.T) {
	l := NewMemLocker(time.Minute)
	interrupted := make(chan struct{})
	ctx1, release1, err := l.Lock(context.Background(), "u", func() { close(interrupted) })
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan error, 1)
	go func() {
		_, release2, err := l.Lock(context.Background(), "u", nil)
		if err == nil {
			release2()
		}
		got <- err
	}()
	<-interrupted
	<-ctx1.Done() // the first holder is told to stop
	release1()
	if err := <-got; err != nil {
		t.Fatalf("takeover: %v", err)
	}
	// Other IDs are independent.
	_, r, err := l.Lock(context.Background(), "v", nil)
	if err != nil {
		t.Fatal(err)
	}
	r()
}

// A holder that never lets go makes the newcomer fail with 2006, not hang.
func TestMemLockerGivesUp(t *testing.T) {
	l := NewMemLocker(time.Millisecond)
	_, release, err := l.Lock(context.Background(), "u", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	if _, _, err := l.Lock(context.Background(), "u", nil); ferry.ErrorCode(err) != ferry.CodeUploadLocked {
		t.Fatalf("got %v, want 2006", err)
	}
}
