// Package amt holds the messages this service publishes for AMT: the
// deltaker payload (AmtDeltaker) and, for amt.amt-tiltak-v1, the envelope
// around it. Both encode to JSON exactly as the Kotlin original did: its
// field names and order, nulls written out, dates as yyyy-MM-dd, local
// date-times as ISO without zone (seconds always, fraction only when
// non-zero) and floats as Java writes them (40.0).
package amt

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/civil"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/javafloat"
)

// Status is a deltaker's status in AMT.
type Status string

// AMT's deltaker statuses. PABEGYNT_REGISTRERING is never produced here.
const (
	VenterPaOppstart     Status = "VENTER_PA_OPPSTART"
	Deltar               Status = "DELTAR"
	HarSluttet           Status = "HAR_SLUTTET"
	IkkeAktuell          Status = "IKKE_AKTUELL"
	Feilregistrert       Status = "FEILREGISTRERT"
	PabegyntRegistrering Status = "PABEGYNT_REGISTRERING"
	SoktInn              Status = "SOKT_INN"
	Vurderes             Status = "VURDERES"
	Venteliste           Status = "VENTELISTE"
	Avbrutt              Status = "AVBRUTT"
	Fullfort             Status = "FULLFORT"
)

// Avsluttende reports whether s ends a deltakelse: IKKE_AKTUELL,
// HAR_SLUTTET, FEILREGISTRERT, AVBRUTT or FULLFORT. Only these carry a
// status reason.
func (s Status) Avsluttende() bool {
	switch s {
	case IkkeAktuell, HarSluttet, Feilregistrert, Avbrutt, Fullfort:
		return true
	}
	return false
}

// StatusAarsak is the reason for an ending status.
type StatusAarsak string

// AMT's status reasons.
const (
	AarsakSyk                StatusAarsak = "SYK"
	AarsakFattJobb           StatusAarsak = "FATT_JOBB"
	AarsakTrengerAnnenStotte StatusAarsak = "TRENGER_ANNEN_STOTTE"
	AarsakFikkIkkePlass      StatusAarsak = "FIKK_IKKE_PLASS"
	AarsakAvlystKontrakt     StatusAarsak = "AVLYST_KONTRAKT"
	AarsakIkkeMott           StatusAarsak = "IKKE_MOTT"
	AarsakAnnet              StatusAarsak = "ANNET"
)

// Deltaker is the AmtDeltaker payload, and on the enkeltplass topic the
// whole record value. Field order is the original's.
type Deltaker struct {
	// ID is the deltaker's AMT UUID, also the Kafka key.
	ID uuid.UUID `json:"id"`
	// GjennomforingID is Mulighetsrommet's gjennomføring UUID.
	GjennomforingID uuid.UUID   `json:"gjennomforingId"`
	PersonIdent     string      `json:"personIdent"`
	StartDato       *civil.Date `json:"startDato"`
	SluttDato       *civil.Date `json:"sluttDato"`
	Status          Status      `json:"status"`
	// StatusAarsak is set only for ending statuses.
	StatusAarsak     *StatusAarsak    `json:"statusAarsak"`
	DagerPerUke      *javafloat.Float `json:"dagerPerUke"`
	ProsentDeltid    *javafloat.Float `json:"prosentDeltid"`
	RegistrertDato   civil.DateTime   `json:"registrertDato"`
	StatusEndretDato *civil.DateTime  `json:"statusEndretDato"`
	// InnsokBegrunnelse is "" rather than null for TILTAKDELTAKER, so that
	// AMT clears an old text; hist deltakere pass null through.
	InnsokBegrunnelse *string `json:"innsokBegrunnelse"`
}

// Encode is the JSON of the bare payload, the record value on
// amt.arena-enkeltplass-deltaker-v1.
func (d Deltaker) Encode() ([]byte, error) { return encode(d) }

// Operation says what happened to the deltaker.
type Operation string

// The operations. DELETED exists in the format but is never produced: a
// deleted Arena deltaker is sent as MODIFIED with status FEILREGISTRERT.
const (
	Created  Operation = "CREATED"
	Modified Operation = "MODIFIED"
	Deleted  Operation = "DELETED"
)

// Source is the envelope's source, naming this service.
const Source = "AMT_ARENA_ACL"

// PayloadType is the envelope's type; DELTAKER is the only one.
type PayloadType string

// TypeDeltaker is the payload type of every message this service sends.
const TypeDeltaker PayloadType = "DELTAKER"

// Message is the envelope of amt.amt-tiltak-v1.
type Message struct {
	// TransactionID is new and random for every message.
	TransactionID uuid.UUID   `json:"transactionId"`
	Source        string      `json:"source"`
	Type          PayloadType `json:"type"`
	// Timestamp is the send time, Oslo wall clock.
	Timestamp civil.DateTime `json:"timestamp"`
	Operation Operation      `json:"operation"`
	Payload   Deltaker       `json:"payload"`
}

// NewMessage wraps d for amt.amt-tiltak-v1 with a random transaction id,
// stamped with now in Oslo time at the microsecond precision of the
// original's LocalDateTime.now().
func NewMessage(op Operation, d Deltaker, now time.Time) Message {
	return Message{
		TransactionID: uuid.New(),
		Source:        Source,
		Type:          TypeDeltaker,
		Timestamp:     civil.FromTime(now).Truncate(time.Microsecond),
		Operation:     op,
		Payload:       d,
	}
}

// Encode is the JSON of the envelope, the record value on
// amt.amt-tiltak-v1.
func (m Message) Encode() ([]byte, error) { return encode(m) }

// encode writes v as Jackson would: no HTML escaping, no trailing newline.
func encode(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("amt: encode %T: %w", v, err)
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}
