// Package scheduletest has a clock for driving schedules in tests without
// sleeping.
package scheduletest

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"
)

// Clock is a schedule.Clock that moves only when told. It is safe for
// concurrent use.
type Clock struct {
	mu      sync.Mutex
	now     time.Time
	waiters []waiter
	changed chan struct{} // closed and replaced whenever waiters change
}

type waiter struct {
	at time.Time
	ch chan time.Time
}

// NewClock returns a Clock showing start.
func NewClock(start time.Time) *Clock { return &Clock{now: start, changed: make(chan struct{})} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// At returns a channel that receives t once the clock has reached it.
func (c *Clock) At(t time.Time) (<-chan time.Time, func()) {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan time.Time, 1)
	if !t.After(c.now) {
		ch <- t
		return ch, func() {}
	}
	c.waiters = append(c.waiters, waiter{at: t, ch: ch})
	c.notify()
	return ch, func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		for i, w := range c.waiters {
			if w.ch == ch {
				c.waiters = append(c.waiters[:i], c.waiters[i+1:]...)
				c.notify()
				return
			}
		}
	}
}

// BlockUntil returns once n waits are pending on the clock: the
// schedulers a test drives have all settled on their next activation, so
// an Advance reaches every one of them. It gives up with an error when ctx
// ends first.
func (c *Clock) BlockUntil(ctx context.Context, n int) error {
	for {
		c.mu.Lock()
		pending, changed := len(c.waiters), c.changed
		c.mu.Unlock()
		if pending >= n {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return fmt.Errorf("scheduletest: %d of %d waits pending: %w", pending, n, ctx.Err())
		}
	}
}

// notify wakes BlockUntil; c.mu is held.
func (c *Clock) notify() {
	close(c.changed)
	c.changed = make(chan struct{})
}

// Advance moves the clock on by d, wakes every wait that has come due, and
// returns the new time.
func (c *Clock) Advance(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	return c.fire()
}

// Set moves the clock to t (which must not be before its time) and wakes
// every wait that has come due.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t.After(c.now) {
		c.now = t
	}
	c.fire()
}

// Waiting reports how many waits are pending.
func (c *Clock) Waiting() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.waiters)
}

func (c *Clock) fire() time.Time {
	sort.Slice(c.waiters, func(i, j int) bool { return c.waiters[i].at.Before(c.waiters[j].at) })
	kept := c.waiters[:0]
	for _, w := range c.waiters {
		if w.at.After(c.now) {
			kept = append(kept, w)
			continue
		}
		w.ch <- w.at
	}
	if len(kept) != len(c.waiters) {
		c.waiters = kept
		c.notify()
	}
	return c.now
}
