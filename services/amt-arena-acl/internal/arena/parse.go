package arena

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/civil"
)

// The reasons a message cannot be read; a *ParseError wraps exactly one,
// so errors.Is(err, ErrUnknownTable) and the like tell them apart.
var (
	ErrEmpty        = errors.New("empty record value")
	ErrBadJSON      = errors.New("not a JSON object")
	ErrUnknownTable = errors.New("unknown table")
	ErrBadOpType    = errors.New("bad op_type")
	ErrBadOpTS      = errors.New("bad op_ts")
	ErrBadPos       = errors.New("bad pos")
	ErrMissingImage = errors.New("missing row image")
	ErrBadImage     = errors.New("bad row image")
)

// ParseError is a Kafka record that is not a readable CDC message. The
// fields hold what could be read, so the record can be stored (as INVALID)
// with as much identity as it has.
type ParseError struct {
	// Table is the table field as written, "" when there was none. It may
	// name a table this service does not know.
	Table string
	// Operation is the mapped op_type, "" when it was missing or not I, U
	// or D.
	Operation Operation
	// Pos is the message's position when it is well formed (digits only),
	// else SyntheticPos of the record's source.
	Pos string
	// Synthetic tells that Pos is a synthetic position.
	Synthetic bool
	// ArenaID is the row id of the image the rules would read, "" when it
	// could not be read.
	ArenaID string
	// Timestamp is op_ts, nil when it could not be read.
	Timestamp *civil.DateTime
	// Raw is the record value after NUL stripping and UTF-8 repair: text
	// PostgreSQL accepts.
	Raw string
	// Err is one of the Err… reasons above, possibly wrapped with detail.
	Err error
}

func (e *ParseError) Error() string { return "arena: " + e.Err.Error() }
func (e *ParseError) Unwrap() error { return e.Err }

// nulEscape is the JSON escape of U+0000, six characters of raw text.
const nulEscape = `\u0000`

// StripNUL removes every U+0000 character and every escape sequence \u0000
// from s. Like the original it also removes \u0000 where a preceding
// backslash makes it literal text (\\u0000), which Arena data never holds.
// Unlike the original it repeats until nothing is left to remove, so that
// removing one occurrence cannot join the text around it into a new one
// (\u\u00000000); the result is always safe for PostgreSQL.
func StripNUL(s string) string {
	for {
		stripped := strings.ReplaceAll(strings.ReplaceAll(s, "\x00", ""), nulEscape, "")
		if len(stripped) == len(s) {
			return s
		}
		s = stripped
	}
}

// Parse reads one Kafka record value. src names the record, for the
// synthetic position of a record without a readable one.
//
// Every input gives either a Message or a *ParseError, never both and
// never a panic.
func Parse(value []byte, src Source) (Message, error) {
	text := string(value)
	if !utf8.ValidString(text) {
		text = strings.ToValidUTF8(text, "\uFFFD")
	}
	text = StripNUL(text)

	pe := &ParseError{Raw: text, Pos: SyntheticPos(src), Synthetic: true}
	fail := func(reason error, format string, args ...any) (Message, error) {
		if format != "" {
			reason = fmt.Errorf("%w: "+format, append([]any{reason}, args...)...)
		}
		pe.Err = reason
		return Message{}, pe
	}

	if strings.TrimSpace(text) == "" {
		return fail(ErrEmpty, "")
	}
	var env map[string]json.RawMessage
	if err := json.Unmarshal([]byte(text), &env); err != nil || env == nil {
		if err == nil {
			err = errors.New("null")
		}
		return fail(ErrBadJSON, "%v", err)
	}

	// Read what can be read before judging any of it.
	table, tableOK := envelopeText(env, "table")
	opType, opOK := envelopeText(env, "op_type")
	opTS, tsOK := envelopeText(env, "op_ts")
	pos, posOK := envelopeText(env, "pos")
	pe.Table = table
	op, opKnown := OperationFromOpType(opType)
	if opKnown {
		pe.Operation = op
	}
	ts, tsParsed := parseOpTS(opTS)
	if tsParsed {
		pe.Timestamp = &ts
	}
	if validPos(pos) {
		pe.Pos, pe.Synthetic = pos, false
	}
	t := Table(table)
	if t.Known() && opKnown {
		pe.ArenaID = readableID(env, t, op)
	}

	switch {
	case !tableOK:
		return fail(ErrUnknownTable, "table is missing")
	case !t.Known():
		return fail(ErrUnknownTable, "%q", table)
	case !opOK:
		return fail(ErrBadOpType, "op_type is missing")
	case !opKnown:
		return fail(ErrBadOpType, "%q is not I, U or D", opType)
	case !tsOK:
		return fail(ErrBadOpTS, "op_ts is missing")
	case !tsParsed:
		return fail(ErrBadOpTS, "%q is not yyyy-MM-dd HH:mm:ss.SSSSSS", opTS)
	case !posOK:
		return fail(ErrBadPos, "pos is missing")
	case !validPos(pos):
		return fail(ErrBadPos, "%q is not a GoldenGate position", pos)
	}

	m := Message{Table: t, Operation: op, Timestamp: ts, Pos: pos}
	var err error
	if m.Before, err = decodeImage(env, "before", t); err != nil {
		return fail(ErrBadImage, "%v", err)
	}
	if m.After, err = decodeImage(env, "after", t); err != nil {
		return fail(ErrBadImage, "%v", err)
	}
	if m.Image() == nil {
		image := "after"
		if op == Deleted {
			image = "before"
		}
		return fail(ErrMissingImage, "message with operation %s has no %s", op, image)
	}
	return m, nil
}

// envelopeText reads a text field of the envelope with the text coercion of
// record fields (a number becomes its literal). ok is false when the field is
// missing, null or not a scalar.
func envelopeText(env map[string]json.RawMessage, key string) (string, bool) {
	raw, present := env[key]
	if !present {
		return "", false
	}
	s, err := readScalar(raw)
	if err != nil || s.null {
		return "", false
	}
	return s.text, true
}

// decodeImage reads the before or after image. A missing or null image is
// nil; anything but an object is an error.
func decodeImage(env map[string]json.RawMessage, key string, t Table) (Record, error) {
	raw := bytes.TrimSpace(env[key])
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return nil, nil
	}
	obj, err := object(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", key, err)
	}
	r := newRecord(t)
	if err := decodeRecord(obj, r); err != nil {
		return nil, fmt.Errorf("%s: %w", key, err)
	}
	return r, nil
}

func object(raw json.RawMessage) (map[string]json.RawMessage, error) {
	if len(raw) == 0 || raw[0] != '{' {
		return nil, errors.New("is not a JSON object")
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil {
		return nil, err
	}
	return obj, nil
}

// readableID is the row id of the image op reads, as text, or "" when it
// cannot be read.
func readableID(env map[string]json.RawMessage, t Table, op Operation) string {
	key := "after"
	if op == Deleted {
		key = "before"
	}
	obj, err := object(bytes.TrimSpace(env[key]))
	if err != nil {
		return ""
	}
	raw, present := obj[idField(t)]
	if !present {
		return "0"
	}
	s, err := readScalar(raw)
	if err != nil {
		return ""
	}
	n, _, err := s.integer(64)
	if err != nil {
		return ""
	}
	return fmt.Sprint(n)
}

// Rebuild makes a Message from a stored arena_data row: its table,
// operation, op_ts, position and the JSON of its images (nil or "null" when
// absent), as the retry processor needs. The images are read as in Parse.
func Rebuild(t Table, op Operation, ts civil.DateTime, pos string, before, after []byte) (Message, error) {
	if !t.Known() {
		return Message{}, fmt.Errorf("arena: rebuild: %w %q", ErrUnknownTable, t)
	}
	if op != Created && op != Modified && op != Deleted {
		return Message{}, fmt.Errorf("arena: rebuild: %w %q", ErrBadOpType, op)
	}
	env := map[string]json.RawMessage{"before": before, "after": after}
	m := Message{Table: t, Operation: op, Timestamp: ts, Pos: pos}
	var err error
	if m.Before, err = decodeImage(env, "before", t); err != nil {
		return Message{}, fmt.Errorf("arena: rebuild: %w: %v", ErrBadImage, err)
	}
	if m.After, err = decodeImage(env, "after", t); err != nil {
		return Message{}, fmt.Errorf("arena: rebuild: %w: %v", ErrBadImage, err)
	}
	if m.Image() == nil {
		return Message{}, fmt.Errorf("arena: rebuild: %w: operation %s", ErrMissingImage, op)
	}
	return m, nil
}
