package ferry

import "time"

// Clock tells the time. Everything that expires or rolls (tokens, uploads,
// transfers, the 24-hour volume window) reads the time through a Clock so that
// tests can move it without sleeping.
type Clock interface {
	Now() time.Time
}

// SystemClock is the wall clock.
type SystemClock struct{}

// Now returns time.Now().
func (SystemClock) Now() time.Time { return time.Now() }
