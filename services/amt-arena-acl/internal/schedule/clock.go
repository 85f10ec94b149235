package schedule

import "time"

// Clock is where the scheduler reads the time and waits for it.
type Clock interface {
	Now() time.Time
	// At returns a channel that is sent the time once the clock reaches t
	// (at once if it already has), and a function that stops the wait.
	At(t time.Time) (<-chan time.Time, func())
}

// SystemClock is the wall clock.
type SystemClock struct{}

// Now is time.Now.
func (SystemClock) Now() time.Time { return time.Now() }

// At waits with a timer.
func (SystemClock) At(t time.Time) (<-chan time.Time, func()) {
	timer := time.NewTimer(time.Until(t))
	return timer.C, func() { timer.Stop() }
}
