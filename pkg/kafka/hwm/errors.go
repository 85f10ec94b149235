package hwm

import "errors"

// fatalError marks a handler error that must not be retried.
type fatalError struct{ err error }

func (e fatalError) Error() string { return e.err.Error() }
func (e fatalError) Unwrap() error { return e.err }

// Fatal wraps a handler error so that the Consumer does not retry the batch but
// stops: the batch is rolled back, Run returns the error, and the HWM stays
// where it was. Services that prefer fail-fast over retrying (a record that can
// never be stored, say) use it; everything else is retried with backoff.
func Fatal(err error) error {
	if err == nil {
		return nil
	}
	return fatalError{err: err}
}

// IsFatal reports whether err, or an error it wraps, was made by Fatal.
func IsFatal(err error) bool {
	var f fatalError
	return errors.As(err, &f)
}
