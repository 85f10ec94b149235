// Package ingest holds the life cycle of a stored Arena message: the
// ingest status of its arena_data row, the typed errors handlers return,
// and StatusFor, the one place where an error becomes the next status.
//
// The state machine is drawn in the service's README. In short: a message
// arriving from Kafka is stored with the status its handler's outcome
// decides (the live path); the retry processor re-handles RETRY rows every
// few minutes and FAILED rows nightly (the retry path), where only a few
// outcomes change the status and the rest only count an attempt.
package ingest

// Status is arena_data.ingest_status. The values are exactly those of the
// table's CHECK constraint arena_data_ingest_status_check; a test keeps the
// two lists equal.
type Status string

const (
	// New is the column default. Nothing in the live path writes it; it
	// is the status of a row stored for later publishing, which only an
	// operator (or a bulk re-publish) moves on to RETRY.
	New Status = "NEW"
	// Handled: done. The message was published, or deliberately not (a
	// gjennomføring, a hist deltaker that matched, a delete of a
	// historised deltaker). Terminal; an operator re-publishes by setting
	// it back to RETRY.
	Handled Status = "HANDLED"
	// Retry: a transient problem or a dependency not yet there (its
	// gjennomføring, an older message of the same deltaker, an HTTP
	// service). Set by the live path; the retry processor tries again
	// until it succeeds or MaxAttempts is reached, then it is Failed.
	Retry Status = "RETRY"
	// Failed: MaxAttempts retries failed, or the live path met an
	// operation it does not implement (several hist matches). The nightly
	// run of the retry processor tries again, forever, counting attempts.
	// Any FAILED row is alerted on.
	Failed Status = "FAILED"
	// Ignored: not for this service (a programme type it does not handle,
	// a hist message that is not an insert). Terminal; such rows are
	// deleted within the hour.
	Ignored Status = "IGNORED"
	// Invalid: the message's data is wrong (a required id is 0, a date
	// does not parse, the person has no fnr) or the message cannot be read
	// at all. Terminal.
	Invalid Status = "INVALID"
	// Waiting: the deltaker's gjennomføring is invalid in Arena. When a
	// valid version of that gjennomføring is handled, its WAITING deltaker
	// rows become Retry.
	Waiting Status = "WAITING"
	// ExternalSource: the deltaker is owned by Komet (amt-deltaker), not
	// by Arena; its id mapping is kept, nothing is published. Terminal.
	ExternalSource Status = "EXTERNAL_SOURCE"
)

// MaxAttempts is how many failed retries turn a RETRY row FAILED.
const MaxAttempts = 10

// Statuses lists every status, in the order of the CHECK constraint.
func Statuses() []Status {
	return []Status{New, Handled, Retry, Failed, Ignored, Invalid, Waiting, ExternalSource}
}

// Terminal reports whether nothing picks a row in status s up again by
// itself.
func (s Status) Terminal() bool {
	switch s {
	case Handled, Ignored, Invalid, ExternalSource, New:
		return true
	}
	return false
}
