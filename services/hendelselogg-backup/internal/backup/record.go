package backup

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/IBM/sarama"

	"github.com/navikt/kafkapg/services/hendelselogg-backup/internal/headers"
	"github.com/navikt/kafkapg/services/hendelselogg-backup/internal/hendelse"
)

// TraceparentHeader is the header whose last value goes into the traceparent
// column.
const TraceparentHeader = "traceparent"

// maxTraceparent is the width of the traceparent column, varchar(58), in
// characters.
const maxTraceparent = 58

// Why a traceparent header was not stored in its column (the header itself
// is always kept in headers).
const (
	traceparentNull    = "null"     // the header value is null
	traceparentTooLong = "too_long" // more than 58 characters
	traceparentNUL     = "nul"      // holds a NUL character, which text columns cannot
)

// mapped is what one record becomes: a row of its topic's table, or a reason
// to quarantine it. strict is set when strict mode must refuse the record
// even though it has a row (the original would have failed on it).
type mapped struct {
	row        []any
	quarantine string
	strict     string

	traceparentProblem string // one of the traceparent* constants, or ""
	notCanonical       bool   // a hendelse stored as received
}

// mapRecord turns a record into the COPY arguments of its table, in the order
// of Table.columns.
func mapRecord(version int16, tb Table, r *sarama.ConsumerMessage) mapped {
	var m mapped
	if r.Key == nil {
		m.quarantine = "key is null, not an 8-byte long"
		return m
	}
	if len(r.Key) != 8 {
		m.quarantine = fmt.Sprintf("key is %d bytes, not an 8-byte long", len(r.Key))
		return m
	}
	if r.Value == nil {
		m.quarantine = "value is null (a tombstone)"
		return m
	}
	key := int64(binary.BigEndian.Uint64(r.Key))
	tp, problem := traceparent(r.Headers)
	m.traceparentProblem = problem
	if problem != "" {
		m.strict = "traceparent header " + traceparentText(problem)
	}
	hs := headers.Encode(r.Headers)

	if tb.Format == FormatBytes {
		m.row = []any{version, r.Partition, r.Offset, key, tp, r.Value, timestamp(r), hs}
		return m
	}

	var (
		id        int64
		data      string
		decodeErr any
	)
	d, err := hendelse.Decode(r.Value)
	switch {
	case err == nil:
		id, data = d.ArbeidssoekerID, string(d.Canonical)
	case errors.Is(err, hendelse.ErrNotJSON):
		m.quarantine = "value is not valid JSON"
		return m
	default:
		decodeErrText := err.Error()
		if id, err = hendelse.ArbeidssoekerID(r.Value); err != nil {
			m.quarantine = "value has " + hendelse.ErrNoArbeidssoekerID.Error()
			return m
		}
		// Stored as received: jsonb keeps the content, value keeps the bytes.
		data, decodeErr, m.notCanonical = string(r.Value), decodeErrText, true
		if m.strict == "" {
			m.strict = "value does not decode as a known hendelse: " + decodeErrText
		}
	}
	m.row = []any{version, r.Partition, r.Offset, key, id, tp, data, timestamp(r), hs, r.Value, decodeErr}
	return m
}

// traceparent is the column value of the last traceparent header: its bytes
// as a UTF-8 string (malformed sequences replaced, as the JVM decodes them),
// or nil (NULL) when there is none or it cannot be stored.
func traceparent(hs []*sarama.RecordHeader) (any, string) {
	h, ok := headers.Last(hs, TraceparentHeader)
	if !ok {
		return nil, ""
	}
	if h.Value == nil {
		return nil, traceparentNull
	}
	s := string(h.Value)
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	if strings.IndexByte(s, 0) >= 0 {
		return nil, traceparentNUL
	}
	if utf8.RuneCountInString(s) > maxTraceparent {
		return nil, traceparentTooLong
	}
	return s, ""
}

func traceparentText(problem string) string {
	switch problem {
	case traceparentNull:
		return "has a null value"
	case traceparentTooLong:
		return fmt.Sprintf("is longer than %d characters", maxTraceparent)
	case traceparentNUL:
		return "holds a NUL character"
	}
	return problem
}

// timestamp is the record timestamp in epoch milliseconds, or nil (NULL) when
// the record has none (sarama reports a missing or negative timestamp as the
// zero time).
func timestamp(r *sarama.ConsumerMessage) any {
	if r.Timestamp.IsZero() {
		return nil
	}
	return r.Timestamp.UnixMilli()
}
