package client

import (
	"context"
	"errors"
	"net/http"
)

// ErrNotFound is wrapped by the error of a call the peer answered with 404,
// for the calls where that answer means "no such thing" rather than a
// failure. Each method says what it means for it.
var ErrNotFound = errors.New("not found")

// Error is a failed call to a peer.
type Error struct {
	// Peer is the service called, such as "amt-tiltak".
	Peer string
	// Op says what was being done, such as "get fnr for Arena personId
	// 4711". It never holds personal data beyond the Arena ids.
	Op string
	// Status is the HTTP status the peer answered with, or 0 when there was
	// no answer (no token, a transport error, a timeout).
	Status int
	// Err is the cause: ErrNotFound, a context error, a transport error, a
	// decoding error, or a description of the status.
	Err error
}

func (e *Error) Error() string {
	return e.Peer + ": " + e.Op + ": " + e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }

// Timeout reports whether the call ran out of time, its own timeout or the
// caller's deadline.
func (e *Error) Timeout() bool { return errors.Is(e.Err, context.DeadlineExceeded) }

// Retryable reports whether the failure is transient, so that the same call
// may well succeed later without anyone doing anything: no answer (transport
// error, timeout, no token), 5xx, 408 or 429. It is false for a 404, for
// other 4xx answers (a bad token or request, which needs a fix), for an
// answer that breaks the peer's contract, and when the caller cancelled the
// call.
//
// The message handlers store the message for retry on any *Error; Retryable
// separates an outage from something someone should look at.
func (e *Error) Retryable() bool {
	switch {
	case errors.Is(e.Err, context.Canceled):
		return false
	case e.Status == 0:
		return true
	case e.Status >= 500, e.Status == http.StatusRequestTimeout, e.Status == http.StatusTooManyRequests:
		return true
	}
	return false
}

// IsRetryable reports whether err is an *Error whose Retryable is true.
func IsRetryable(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Retryable()
}
