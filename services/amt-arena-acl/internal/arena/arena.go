package arena

import (
	"fmt"
	"strings"

	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/civil"
)

// Table is the Arena table a message comes from, as GoldenGate names it.
type Table string

// The tables this service reads.
const (
	TableGjennomforing Table = "SIAMO.TILTAKGJENNOMFORING"
	TableDeltaker      Table = "SIAMO.TILTAKDELTAKER"
	TableHistDeltaker  Table = "SIAMO.HIST_TILTAKDELTAKER"
)

// Tables lists the known tables.
func Tables() []Table { return []Table{TableGjennomforing, TableDeltaker, TableHistDeltaker} }

// Known reports whether t is one of the tables this service reads.
func (t Table) Known() bool {
	switch t {
	case TableGjennomforing, TableDeltaker, TableHistDeltaker:
		return true
	}
	return false
}

// Operation is what happened to the Arena row, named as AMT names it; it is
// stored in arena_data.operation_type.
type Operation string

// The operations; GoldenGate's op_type I, U and D.
const (
	Created  Operation = "CREATED"
	Modified Operation = "MODIFIED"
	Deleted  Operation = "DELETED"
)

// OperationFromOpType maps GoldenGate's op_type.
func OperationFromOpType(opType string) (Operation, bool) {
	switch opType {
	case "I":
		return Created, true
	case "U":
		return Modified, true
	case "D":
		return Deleted, true
	}
	return "", false
}

// Message is one parsed CDC message.
type Message struct {
	Table     Table
	Operation Operation
	// Timestamp is op_ts, when the change happened in Arena (Oslo time).
	Timestamp civil.DateTime
	// Pos is GoldenGate's position, the message's identity and ordering
	// key. Real positions are 20 digits; compare them with ComparePos.
	Pos string
	// Before and After are the row images; nil when absent or null. Their
	// dynamic type is *Gjennomforing, *Deltaker or *HistDeltaker according
	// to Table.
	Before, After Record
}

// Image is the row image the rules read: After for CREATED and MODIFIED,
// Before for DELETED. Parse guarantees it is not nil.
func (m Message) Image() Record {
	if m.Operation == Deleted {
		return m.Before
	}
	return m.After
}

// ArenaID is the Arena id of the message's row (see Record.ArenaID).
func (m Message) ArenaID() string { return m.Image().ArenaID() }

// Record is a row image of one of the three tables.
type Record interface {
	// ArenaID is the row's Arena id as decimal text, as stored in
	// arena_data.arena_id: TILTAKGJENNOMFORING_ID, TILTAKDELTAKER_ID or
	// HIST_TILTAKDELTAKER_ID ("0" when the field was null or missing).
	ArenaID() string
	// Table is the table the record belongs to.
	Table() Table
}

// Source is where a Kafka record was read from.
type Source struct {
	Topic     string
	Partition int32
	Offset    int64
}

// SyntheticPos is the position given to a record whose own position cannot
// be read: "kafka:<topic>:<partition>:<offset>". It identifies the record
// for good (a re-delivery gets the same one) and, not being digits only, can
// never equal a GoldenGate position. It sorts after every GoldenGate
// position in SQL's text order.
func SyntheticPos(src Source) string {
	return fmt.Sprintf("kafka:%s:%d:%d", src.Topic, src.Partition, src.Offset)
}

// validPos reports whether pos looks like a GoldenGate position: one or more
// ASCII digits (real ones are 20, zero-padded; tests use short ones).
func validPos(pos string) bool {
	if pos == "" {
		return false
	}
	for i := 0; i < len(pos); i++ {
		if pos[i] < '0' || pos[i] > '9' {
			return false
		}
	}
	return true
}

// ComparePos compares two GoldenGate positions as numbers, returning -1, 0
// or +1. Leading zeros do not count, so "33" < "00000000000000000034", and
// there is no overflow however long they are. Positions that are not digits
// only (synthetic ones) sort after all numeric ones, among themselves as
// text.
func ComparePos(a, b string) int {
	na, nb := validPos(a), validPos(b)
	switch {
	case na && !nb:
		return -1
	case !na && nb:
		return 1
	case !na && !nb:
		return strings.Compare(a, b)
	}
	a, b = strings.TrimLeft(a, "0"), strings.TrimLeft(b, "0")
	if len(a) != len(b) {
		if len(a) < len(b) {
			return -1
		}
		return 1
	}
	return strings.Compare(a, b)
}
