package amt

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/civil"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/javafloat"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func ptr[T any](v T) *T { return &v }

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.WriteFile(path, append(got, '\n'), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, string(want), string(got)+"\n")
}

func deltaker() Deltaker {
	return Deltaker{
		ID:                uuid.MustParse("1f0e5a1c-8b51-4a2e-9a43-3c1f7e5d2b10"),
		GjennomforingID:   uuid.MustParse("9b2d7c44-0f3e-4d6b-8a5e-2f1c3b4d5e6f"),
		PersonIdent:       "12345678910",
		StartDato:         ptr(civil.DateOf(2026, 8, 21)),
		SluttDato:         ptr(civil.DateOf(2027, 2, 21)),
		Status:            VenterPaOppstart,
		DagerPerUke:       nil,
		ProsentDeltid:     javafloat.Ptr(100),
		RegistrertDato:    civil.DateTimeOf(2026, 8, 20, 10, 14, 59, 0),
		StatusEndretDato:  ptr(civil.DateTimeOf(2026, 8, 20, 10, 14, 59, 0)),
		InnsokBegrunnelse: ptr(""),
	}
}

func TestEnvelopeGolden(t *testing.T) {
	t.Parallel()
	m := Message{
		TransactionID: uuid.MustParse("6a1c2d3e-4f50-4617-8829-9a0b1c2d3e4f"),
		Source:        Source,
		Type:          TypeDeltaker,
		Timestamp:     civil.DateTimeOf(2026, 8, 20, 10, 15, 2, 123456000),
		Operation:     Created,
		Payload:       deltaker(),
	}
	b, err := m.Encode()
	require.NoError(t, err)
	golden(t, "envelope-created.json", b)
}

func TestFeilregistrertPayloadGolden(t *testing.T) {
	t.Parallel()
	d := deltaker()
	d.Status = Feilregistrert
	d.StatusAarsak, d.DagerPerUke, d.ProsentDeltid, d.InnsokBegrunnelse = nil, nil, nil, nil
	d.StartDato, d.StatusEndretDato = nil, nil
	b, err := d.Encode()
	require.NoError(t, err)
	golden(t, "payload-feilregistrert.json", b)
}

func TestPayloadFieldFormats(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		change func(d *Deltaker)
		field  string
		want   string
	}{
		{"null reason is written out", func(d *Deltaker) {}, "statusAarsak", `null`},
		{"reason", func(d *Deltaker) { d.StatusAarsak = ptr(AarsakFattJobb) }, "statusAarsak", `"FATT_JOBB"`},
		{"null days per week is written out", func(d *Deltaker) {}, "dagerPerUke", `null`},
		{"decimal days per week", func(d *Deltaker) { d.DagerPerUke = javafloat.Ptr(2.5) }, "dagerPerUke", `2.5`},
		{"whole percentage keeps .0", func(d *Deltaker) {}, "prosentDeltid", `100.0`},
		{"smallest float as Java writes it", func(d *Deltaker) { d.ProsentDeltid = javafloat.Ptr(1.4e-45) }, "prosentDeltid", `1.4E-45`},
		{"date", func(d *Deltaker) {}, "startDato", `"2026-08-21"`},
		{"null date", func(d *Deltaker) { d.SluttDato = nil }, "sluttDato", `null`},
		{"date-time with zero seconds keeps them", func(d *Deltaker) {
			d.RegistrertDato = civil.DateTimeOf(2026, 8, 20, 10, 14, 0, 0)
		}, "registrertDato", `"2026-08-20T10:14:00"`},
		{"date-time fraction without trailing zeros", func(d *Deltaker) {
			d.StatusEndretDato = ptr(civil.DateTimeOf(2026, 8, 20, 10, 14, 2, 123400000))
		}, "statusEndretDato", `"2026-08-20T10:14:02.1234"`},
		{"null status date", func(d *Deltaker) { d.StatusEndretDato = nil }, "statusEndretDato", `null`},
		{"empty begrunnelse stays empty", func(d *Deltaker) {}, "innsokBegrunnelse", `""`},
		{"null begrunnelse", func(d *Deltaker) { d.InnsokBegrunnelse = nil }, "innsokBegrunnelse", `null`},
		{"HTML characters are not escaped", func(d *Deltaker) { d.InnsokBegrunnelse = ptr("<jobb & skole>") }, "innsokBegrunnelse", `"<jobb & skole>"`},
		{"uuid is lower-case canonical", func(d *Deltaker) {}, "id", `"1f0e5a1c-8b51-4a2e-9a43-3c1f7e5d2b10"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			d := deltaker()
			c.change(&d)
			b, err := d.Encode()
			require.NoError(t, err)
			var fields map[string]json.RawMessage
			require.NoError(t, json.Unmarshal(b, &fields))
			require.Len(t, fields, 12)
			require.Equal(t, c.want, string(fields[c.field]))
		})
	}
}

func TestNewMessage(t *testing.T) {
	t.Parallel()
	// 08:15:02.1234567 UTC is 10:15:02.1234567 in Oslo summer time.
	now := time.Date(2026, 8, 20, 8, 15, 2, 123456789, time.UTC)
	a := NewMessage(Modified, deltaker(), now)
	b := NewMessage(Modified, deltaker(), now)
	require.NotEqual(t, a.TransactionID, b.TransactionID, "a new transaction id per message")
	require.Equal(t, uuid.Version(4), a.TransactionID.Version())
	require.Equal(t, "AMT_ARENA_ACL", a.Source)
	require.Equal(t, TypeDeltaker, a.Type)
	require.Equal(t, Modified, a.Operation)
	require.Equal(t, "2026-08-20T10:15:02.123456", a.Timestamp.String(), "Oslo wall clock, microseconds")
}

func TestAvsluttende(t *testing.T) {
	t.Parallel()
	ending := map[Status]bool{IkkeAktuell: true, HarSluttet: true, Feilregistrert: true, Avbrutt: true, Fullfort: true}
	for _, s := range []Status{VenterPaOppstart, Deltar, HarSluttet, IkkeAktuell, Feilregistrert,
		PabegyntRegistrering, SoktInn, Vurderes, Venteliste, Avbrutt, Fullfort} {
		require.Equal(t, ending[s], s.Avsluttende(), s)
	}
}
