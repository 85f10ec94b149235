package ingest

import (
	"errors"
	"fmt"

	"go.uber.org/zap/zapcore"

	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/arena"
)

// The kinds of outcome a handler can report instead of success. Each
// decides a status (see StatusFor); test with errors.Is.
var (
	// ErrDependencyNotIngested: something the message needs is not there
	// yet (its gjennomføring, an older message of the deltaker). RETRY.
	ErrDependencyNotIngested = errors.New("dependency not ingested")
	// ErrDependencyNotValid: the gjennomføring is invalid. WAITING.
	ErrDependencyNotValid = errors.New("dependency not valid")
	// ErrInvalid: the message's data is wrong. INVALID.
	ErrInvalid = errors.New("invalid")
	// ErrIgnored: the message is not for this service. IGNORED.
	ErrIgnored = errors.New("ignored")
	// ErrNotImplemented: a case the rules do not handle. FAILED.
	ErrNotImplemented = errors.New("operation not implemented")
	// ErrExternalSource: the deltaker is owned by Komet. EXTERNAL_SOURCE.
	ErrExternalSource = errors.New("external source")
)

// Error is a handler outcome of one of the kinds above; make one with
// Errorf. Its message is the note stored on the row, e.g. "Venter på at
// gjennomføring med id=3461841 skal bli håndtert".
type Error struct {
	kind error
	err  error // the formatted message, wrapping what %w named
}

// Errorf returns an outcome of kind (one of the Err… kinds above) with the
// note fmt.Sprintf(format, args...). Errors named with %w stay reachable by
// errors.Is and errors.As.
//
//	return ingest.Errorf(ingest.ErrDependencyNotIngested,
//		"Venter på at gjennomføring med id=%d skal bli håndtert", id)
func Errorf(kind error, format string, args ...any) error {
	return &Error{kind: kind, err: fmt.Errorf(format, args...)}
}

func (e *Error) Error() string { return e.err.Error() }

// Is makes errors.Is(err, ErrDependencyNotIngested) and the like match the
// error's kind.
func (e *Error) Is(target error) bool { return target == e.kind }

// Unwrap reaches the errors the message wrapped with %w.
func (e *Error) Unwrap() error { return e.err }

// Note is the text stored in arena_data.note.
func (e *Error) Note() string { return e.err.Error() }

// Path is how a message came to be handled.
type Path struct {
	retry    bool
	was      Status
	attempts int
}

// Live is the path of a message consumed from Kafka.
var Live = Path{}

// Retried is the path of a stored row handled again by the retry
// processor: was is its status when the processor loaded it, attempts its
// ingest_attempts including this attempt.
func Retried(was Status, attempts int) Path { return Path{retry: true, was: was, attempts: attempts} }

// IsRetry reports whether p is the retry processor's path.
func (p Path) IsRetry() bool { return p.retry }

// Was is the status the retry processor loaded the row in; "" on the live
// path.
func (p Path) Was() Status { return p.was }

// Attempts is the row's ingest_attempts including this attempt on the retry
// path; 0 on the live path, which does not count attempts.
func (p Path) Attempts() int { return p.attempts }

// String is "live" or "retry", as logs and metrics label the path.
func (p Path) String() string {
	if p.retry {
		return "retry"
	}
	return "live"
}

// Decision is what to store after handling a message, and how loudly to
// log it. ERROR is an alerting contract: it is used only for what needs a
// person (an unexpected error on the live path, a row turning FAILED, a
// message that cannot be read).
type Decision struct {
	Status Status
	Note   string
	Level  zapcore.Level
	// Skipped is set by the message handler, never by StatusFor, when the
	// row was no longer in a state to be handled (another handler got to it
	// first, or it was already done): nothing was done or written, and
	// Status and Note are the row's as found.
	Skipped bool
}

// StatusFor decides the row's status after its handler returned err, on
// path p. A nil err is HANDLED (the handler may still write its own note).
//
// Live path (a message from Kafka):
//
//	ErrDependencyNotIngested            RETRY            INFO
//	ErrDependencyNotValid               WAITING          INFO
//	ErrInvalid, *arena.FieldError       INVALID          INFO
//	*arena.ParseError                   INVALID          ERROR (unreadable message)
//	ErrIgnored                          IGNORED          INFO
//	ErrNotImplemented                   FAILED           INFO
//	ErrExternalSource                   EXTERNAL_SOURCE  INFO
//	anything else                       RETRY            ERROR
//
// Retry path (a stored row tried again):
//
//	ErrIgnored                          IGNORED          INFO
//	ErrExternalSource                   EXTERNAL_SOURCE  INFO
//	ErrDependencyNotValid               WAITING          WARN
//	anything else, when the row was
//	  RETRY and attempts >= MaxAttempts FAILED           ERROR
//	anything else                       unchanged        WARN
//
// As in the original, an invalid message that is retried is not made
// INVALID: it uses up its attempts and ends FAILED, where someone looks at
// it.
//
// The note is the error's message; for an *Error that is the handler's
// note text, and for a *arena.ParseError the reason, without whatever
// context wrapped them.
func StatusFor(err error, p Path) Decision {
	if err == nil {
		return Decision{Status: Handled, Level: zapcore.InfoLevel}
	}
	note := err.Error()
	if e, ok := errors.AsType[*Error](err); ok {
		note = e.Note()
	}
	d := func(s Status, l zapcore.Level) Decision { return Decision{Status: s, Note: note, Level: l} }

	if p.retry {
		switch {
		case errors.Is(err, ErrIgnored):
			return d(Ignored, zapcore.InfoLevel)
		case errors.Is(err, ErrExternalSource):
			return d(ExternalSource, zapcore.InfoLevel)
		case errors.Is(err, ErrDependencyNotValid):
			return d(Waiting, zapcore.WarnLevel)
		case p.was == Retry && p.attempts >= MaxAttempts:
			return d(Failed, zapcore.ErrorLevel)
		}
		return d(p.was, zapcore.WarnLevel)
	}

	if pe, ok := errors.AsType[*arena.ParseError](err); ok {
		// The same note as store.FromParseError writes.
		return Decision{Status: Invalid, Note: pe.Err.Error(), Level: zapcore.ErrorLevel}
	}
	switch {
	case errors.Is(err, ErrDependencyNotIngested):
		return d(Retry, zapcore.InfoLevel)
	case errors.Is(err, ErrDependencyNotValid):
		return d(Waiting, zapcore.InfoLevel)
	case errors.Is(err, ErrInvalid):
		return d(Invalid, zapcore.InfoLevel)
	case errors.Is(err, ErrIgnored):
		return d(Ignored, zapcore.InfoLevel)
	case errors.Is(err, ErrNotImplemented):
		return d(Failed, zapcore.InfoLevel)
	case errors.Is(err, ErrExternalSource):
		return d(ExternalSource, zapcore.InfoLevel)
	}
	if _, ok := errors.AsType[*arena.FieldError](err); ok {
		return d(Invalid, zapcore.InfoLevel)
	}
	return d(Retry, zapcore.ErrorLevel)
}
