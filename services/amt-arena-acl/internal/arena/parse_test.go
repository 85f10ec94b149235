package arena

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/civil"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/javafloat"
)

var src = Source{Topic: "teamarenanais.aapen-arena-tiltakdeltakerendret-v1-p", Partition: 2, Offset: 4711}

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return b
}

func ptr[T any](v T) *T { return &v }

func TestParseDeltakerFixture(t *testing.T) {
	t.Parallel()
	m, err := Parse(fixture(t, "arena-tiltakdeltakerendret-v1.json"), src)
	require.NoError(t, err)

	require.Equal(t, TableDeltaker, m.Table)
	require.Equal(t, Modified, m.Operation)
	require.Equal(t, civil.DateTimeOf(2022, 1, 12, 0, 0, 6, 0), m.Timestamp)
	require.Equal(t, "00000000050058769820", m.Pos)
	require.Equal(t, "123456", m.ArenaID())

	d, ok := m.Image().(*Deltaker)
	require.True(t, ok)
	require.Same(t, m.After, m.Image(), "MODIFIED reads the after image")
	require.Equal(t, int64(123456), d.TiltakdeltakerID)
	require.Equal(t, ptr(int64(556677)), d.PersonID)
	require.Equal(t, int64(3461841), d.TiltakgjennomforingID)
	require.Equal(t, "GJENN", d.Deltakerstatuskode)
	require.Equal(t, ptr("INNSOKT"), d.Deltakertypekode)
	require.Nil(t, d.AarsakverdikodeStatus)
	require.Equal(t, "2022-01-11 11:00:40", d.RegDato)
	require.Equal(t, ptr("2020-03-02 00:00:00"), d.DatoFra)
	require.Equal(t, javafloat.Ptr(40), d.ProsentDeltid, "an integer reads into a float field")
	require.Equal(t, int64(9876453), d.AktivitetID)
	require.Nil(t, d.BegrunnelseBestilling)
	require.Nil(t, d.AntallDagerPrUke)
	require.Nil(t, d.EksternID, "absent field reads as null")
	require.Equal(t, m.After, m.Before)
}

func TestParseHistFixtureWithMisnamedIDReadsIDZero(t *testing.T) {
	t.Parallel()
	// The original's hist fixture carries TILTAKDELTAKER_ID, not
	// HIST_TILTAKDELTAKER_ID; the missing id reads as 0.
	m, err := Parse(fixture(t, "arena-histtiltakdeltakerendret-v1.json"), src)
	require.NoError(t, err)
	require.Equal(t, TableHistDeltaker, m.Table)
	require.Equal(t, Created, m.Operation)
	require.Nil(t, m.Before)
	h, ok := m.Image().(*HistDeltaker)
	require.True(t, ok)
	require.Equal(t, int64(0), h.HistTiltakdeltakerID)
	require.Equal(t, "0", m.ArenaID())
	require.Equal(t, int64(3461841), h.TiltakgjennomforingID)
}

func TestParseGjennomforingFixture(t *testing.T) {
	t.Parallel()
	m, err := Parse(fixture(t, "arena-tiltakgjennomforingendret-v1.json"), src)
	require.NoError(t, err)
	g, ok := m.Image().(*Gjennomforing)
	require.True(t, ok)
	require.Equal(t, "3461841", m.ArenaID())
	require.Equal(t, "UTDYRK", g.Tiltakskode)
	require.Equal(t, ptr("91893"), g.ProfilelementIDOpplTiltak, "a number reads into a text field as its literal")
	require.Equal(t, ptr("0136"), g.AetatFremmotereg)
	require.Equal(t, ptr(int64(272588)), g.ArbgivIDArrangor)
	require.True(t, g.IsValid())
}

func TestParseStripsNULFromBadUnicodeFixture(t *testing.T) {
	t.Parallel()
	m, err := Parse(fixture(t, "arena-tiltakgjennomforingendret-v1-bad-unicode.json"), src)
	require.NoError(t, err)
	for _, r := range []Record{m.Before, m.After} {
		g, ok := r.(*Gjennomforing)
		require.True(t, ok)
		require.Equal(t, ptr("Vurdering"), g.VurderingGjennomforing)
	}
}

func TestStripNUL(t *testing.T) {
	t.Parallel()
	cases := []struct{ name, in, want string }{
		{"literal NUL", "a\x00b\x00", "ab"},
		{"escaped NUL", `"\u0000\u0000Vurdering\u0000"`, `"Vurdering"`},
		{"both", "\x00" + `\u0000x`, "x"},
		{"removal that forms a new escape is repeated", `\u\u00000000x`, "x"},
		{"NUL inside an escape", "\\u00\x0000y", "y"},
		{"other escapes stay", `\u0001\n`, `\u0001\n`},
		{"nothing to do", "Vurdering", "Vurdering"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, c.want, StripNUL(c.in))
		})
	}
}

// envelope builds a message; image is the JSON of the after (or, for D,
// before) image.
func envelope(table, opType, image string) string {
	key := "after"
	if opType == "D" {
		key = "before"
	}
	return `{"table":"` + table + `","op_type":"` + opType + `","op_ts":"2022-01-12 00:00:06.123456",` +
		`"current_ts":"x","pos":"00000000000000000042","` + key + `":` + image + `}`
}

const minimalDeltaker = `{"TILTAKDELTAKER_ID":7,"DELTAKERSTATUSKODE":"GJENN","REG_DATO":"2022-01-11 11:00:40",` +
	`"MOD_DATO":"2022-01-11 11:00:40","BRUKERID_STATUSENDRING":"U"}`

func TestParseOperationPicksImage(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, opType string
		want         Operation
	}{
		{"I is CREATED and reads after", "I", Created},
		{"U is MODIFIED and reads after", "U", Modified},
		{"D is DELETED and reads before", "D", Deleted},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			m, err := Parse([]byte(envelope(string(TableDeltaker), c.opType, minimalDeltaker)), src)
			require.NoError(t, err)
			require.Equal(t, c.want, m.Operation)
			require.Equal(t, "7", m.ArenaID())
			if c.want == Deleted {
				require.Nil(t, m.After)
				require.NotNil(t, m.Before)
			} else {
				require.Nil(t, m.Before)
			}
		})
	}
}

func TestParseOpTSFraction(t *testing.T) {
	t.Parallel()
	m, err := Parse([]byte(envelope(string(TableDeltaker), "I", minimalDeltaker)), src)
	require.NoError(t, err)
	require.Equal(t, civil.DateTimeOf(2022, 1, 12, 0, 0, 6, 123456000), m.Timestamp)
}

// deltakerWith is minimalDeltaker with the given JSON members added (later
// keys win, as in the original).
func deltakerWith(members string) string {
	return strings.TrimSuffix(minimalDeltaker, "}") + "," + members + "}"
}

func TestParseFieldCoercion(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		members string
		check   func(t *testing.T, d *Deltaker)
	}{
		{"null row id reads as 0", `"TILTAKDELTAKER_ID":null`, func(t *testing.T, d *Deltaker) {
			require.Equal(t, int64(0), d.TiltakdeltakerID)
		}},
		{"missing non-nullable id reads as 0", `"X":1`, func(t *testing.T, d *Deltaker) {
			require.Equal(t, int64(0), d.TiltakgjennomforingID)
			require.Equal(t, int64(0), d.AktivitetID)
		}},
		{"nullable id null stays null", `"PERSON_ID":null`, func(t *testing.T, d *Deltaker) {
			require.Nil(t, d.PersonID)
		}},
		{"numeric string reads into a long", `"PERSON_ID":" 556677 "`, func(t *testing.T, d *Deltaker) {
			require.Equal(t, ptr(int64(556677)), d.PersonID)
		}},
		{"fraction in a long is truncated", `"PERSON_ID":12.9`, func(t *testing.T, d *Deltaker) {
			require.Equal(t, ptr(int64(12)), d.PersonID)
		}},
		{"exponent in a long", `"PERSON_ID":1e3`, func(t *testing.T, d *Deltaker) {
			require.Equal(t, ptr(int64(1000)), d.PersonID)
		}},
		{"empty string in a long is null", `"PERSON_ID":""`, func(t *testing.T, d *Deltaker) {
			require.Nil(t, d.PersonID)
		}},
		{"text null in a long is null", `"PERSON_ID":"null"`, func(t *testing.T, d *Deltaker) {
			require.Nil(t, d.PersonID)
		}},
		{"empty string in a non-nullable long is 0", `"AKTIVITET_ID":""`, func(t *testing.T, d *Deltaker) {
			require.Equal(t, int64(0), d.AktivitetID)
		}},
		{"int field", `"PRIORITET":"3"`, func(t *testing.T, d *Deltaker) {
			require.Equal(t, ptr(int32(3)), d.Prioritet)
		}},
		{"integer into text is its literal", `"DELTAKERTYPEKODE":91893`, func(t *testing.T, d *Deltaker) {
			require.Equal(t, ptr("91893"), d.Deltakertypekode)
		}},
		{"float into text keeps its literal", `"DELTAKERTYPEKODE":40.50`, func(t *testing.T, d *Deltaker) {
			require.Equal(t, ptr("40.50"), d.Deltakertypekode)
		}},
		{"boolean into text", `"DELTAKERTYPEKODE":true`, func(t *testing.T, d *Deltaker) {
			require.Equal(t, ptr("true"), d.Deltakertypekode)
		}},
		{"empty text stays empty, not null", `"EKSTERN_ID":""`, func(t *testing.T, d *Deltaker) {
			require.Equal(t, ptr(""), d.EksternID)
		}},
		{"decimal days per week", `"ANTALL_DAGER_PR_UKE":2.5`, func(t *testing.T, d *Deltaker) {
			require.Equal(t, javafloat.Ptr(2.5), d.AntallDagerPrUke)
		}},
		{"numeric string into a float", `"PROSENT_DELTID":"40"`, func(t *testing.T, d *Deltaker) {
			require.Equal(t, javafloat.Ptr(40), d.ProsentDeltid)
		}},
		{"smallest float", `"PROSENT_DELTID":1.4E-45`, func(t *testing.T, d *Deltaker) {
			require.Equal(t, "1.4E-45", d.ProsentDeltid.String())
		}},
		{"later duplicate key wins", `"DELTAKERSTATUSKODE":"FULLF"`, func(t *testing.T, d *Deltaker) {
			require.Equal(t, "FULLF", d.Deltakerstatuskode)
		}},
		{"keys are case-sensitive", `"person_id":5`, func(t *testing.T, d *Deltaker) {
			require.Nil(t, d.PersonID)
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			m, err := Parse([]byte(envelope(string(TableDeltaker), "I", deltakerWith(c.members))), src)
			require.NoError(t, err)
			d, ok := m.Image().(*Deltaker)
			require.True(t, ok)
			c.check(t, d)
		})
	}
}

func TestParseBadFieldsAreBadImage(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, members, field string
	}{
		{"required text null", `"DELTAKERSTATUSKODE":null`, "DELTAKERSTATUSKODE"},
		{"required text object", `"REG_DATO":{}`, "REG_DATO"},
		{"long from boolean", `"PERSON_ID":true`, "PERSON_ID"},
		{"long from non-numeric text", `"PERSON_ID":"12a"`, "PERSON_ID"},
		{"long from fractional text", `"PERSON_ID":"1.5"`, "PERSON_ID"},
		{"long overflow", `"PERSON_ID":9223372036854775808`, "PERSON_ID"},
		{"int overflow", `"PRIORITET":2147483648`, "PRIORITET"},
		{"float overflow", `"PROSENT_DELTID":1e39`, "PROSENT_DELTID"},
		{"float NaN text", `"PROSENT_DELTID":"NaN"`, "PROSENT_DELTID"},
		{"array", `"PERSON_ID":[1]`, "PERSON_ID"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse([]byte(envelope(string(TableDeltaker), "U", deltakerWith(c.members))), src)
			var pe *ParseError
			require.ErrorAs(t, err, &pe)
			require.ErrorIs(t, err, ErrBadImage)
			require.Contains(t, err.Error(), "after: "+c.field)
			require.Equal(t, string(TableDeltaker), pe.Table)
			require.Equal(t, Modified, pe.Operation)
			require.Equal(t, "00000000000000000042", pe.Pos)
			require.False(t, pe.Synthetic)
		})
	}
}

func TestParseUnusedImageIsReadToo(t *testing.T) {
	t.Parallel()
	// Like the original, a broken before image of a MODIFIED message fails
	// the message although the rules read after.
	msg := `{"table":"SIAMO.TILTAKDELTAKER","op_type":"U","op_ts":"2022-01-12 00:00:06.000000","pos":"1",` +
		`"before":{"TILTAKDELTAKER_ID":7},"after":` + minimalDeltaker + `}`
	_, err := Parse([]byte(msg), src)
	require.ErrorIs(t, err, ErrBadImage)
	require.Contains(t, err.Error(), "before: DELTAKERSTATUSKODE")
}

func TestParseMalformedMessages(t *testing.T) {
	t.Parallel()
	synthetic := "kafka:teamarenanais.aapen-arena-tiltakdeltakerendret-v1-p:2:4711"
	ts := civil.DateTimeOf(2022, 1, 12, 0, 0, 6, 0)
	cases := []struct {
		name    string
		in      string
		reason  error
		want    ParseError // Raw and Err are not compared
		wantRaw string     // "" means the input itself
	}{
		{
			name: "empty value (tombstone)", in: "", reason: ErrEmpty,
			want: ParseError{Pos: synthetic, Synthetic: true},
		},
		{
			name: "not JSON", in: `{"table":`, reason: ErrBadJSON,
			want: ParseError{Pos: synthetic, Synthetic: true},
		},
		{
			name: "JSON null", in: `null`, reason: ErrBadJSON,
			want: ParseError{Pos: synthetic, Synthetic: true},
		},
		{
			name: "JSON array (a fixture file, not a record)", in: `[{"table":"SIAMO.TILTAKDELTAKER"}]`, reason: ErrBadJSON,
			want: ParseError{Pos: synthetic, Synthetic: true},
		},
		{
			name:   "unknown table keeps what is readable",
			in:     `{"table":"SIAMO.SAK","op_type":"I","op_ts":"2022-01-12 00:00:06.000000","pos":"00000000000000000042","after":{"SAK_ID":1}}`,
			reason: ErrUnknownTable,
			want:   ParseError{Table: "SIAMO.SAK", Operation: Created, Pos: "00000000000000000042", Timestamp: &ts},
		},
		{
			name:   "missing table",
			in:     `{"op_type":"I","op_ts":"2022-01-12 00:00:06.000000","pos":"42"}`,
			reason: ErrUnknownTable,
			want:   ParseError{Operation: Created, Pos: "42", Timestamp: &ts},
		},
		{
			name:   "bad op_type",
			in:     `{"table":"SIAMO.TILTAKDELTAKER","op_type":"T","op_ts":"2022-01-12 00:00:06.000000","pos":"42","after":{"TILTAKDELTAKER_ID":9}}`,
			reason: ErrBadOpType,
			want:   ParseError{Table: "SIAMO.TILTAKDELTAKER", Pos: "42", Timestamp: &ts},
		},
		{
			name:   "op_ts without fraction",
			in:     `{"table":"SIAMO.TILTAKDELTAKER","op_type":"I","op_ts":"2022-01-12 00:00:06","pos":"42","after":{"TILTAKDELTAKER_ID":9}}`,
			reason: ErrBadOpTS,
			want:   ParseError{Table: "SIAMO.TILTAKDELTAKER", Operation: Created, Pos: "42", ArenaID: "9"},
		},
		{
			name:   "missing pos gets a synthetic one",
			in:     `{"table":"SIAMO.TILTAKDELTAKER","op_type":"D","op_ts":"2022-01-12 00:00:06.000000","before":{"TILTAKDELTAKER_ID":"9"}}`,
			reason: ErrBadPos,
			want:   ParseError{Table: "SIAMO.TILTAKDELTAKER", Operation: Deleted, Pos: synthetic, Synthetic: true, ArenaID: "9", Timestamp: &ts},
		},
		{
			name:   "pos that is not digits gets a synthetic one",
			in:     `{"table":"SIAMO.TILTAKDELTAKER","op_type":"I","op_ts":"2022-01-12 00:00:06.000000","pos":"abc","after":{}}`,
			reason: ErrBadPos,
			want:   ParseError{Table: "SIAMO.TILTAKDELTAKER", Operation: Created, Pos: synthetic, Synthetic: true, ArenaID: "0", Timestamp: &ts},
		},
		{
			name:   "CREATED without after",
			in:     `{"table":"SIAMO.TILTAKDELTAKER","op_type":"I","op_ts":"2022-01-12 00:00:06.000000","pos":"42","before":` + minimalDeltaker + `}`,
			reason: ErrMissingImage,
			want:   ParseError{Table: "SIAMO.TILTAKDELTAKER", Operation: Created, Pos: "42", Timestamp: &ts},
		},
		{
			name:   "DELETED with null before",
			in:     `{"table":"SIAMO.TILTAKDELTAKER","op_type":"D","op_ts":"2022-01-12 00:00:06.000000","pos":"42","before":null,"after":` + minimalDeltaker + `}`,
			reason: ErrMissingImage,
			want:   ParseError{Table: "SIAMO.TILTAKDELTAKER", Operation: Deleted, Pos: "42", Timestamp: &ts},
		},
		{
			name:   "image that is not an object",
			in:     `{"table":"SIAMO.TILTAKDELTAKER","op_type":"I","op_ts":"2022-01-12 00:00:06.000000","pos":"42","after":"x"}`,
			reason: ErrBadImage,
			want:   ParseError{Table: "SIAMO.TILTAKDELTAKER", Operation: Created, Pos: "42", Timestamp: &ts},
		},
		{
			name:    "NUL and invalid UTF-8 are cleaned from the raw text",
			in:      "{\"table\":\x00\"\xff\"}",
			reason:  ErrUnknownTable,
			want:    ParseError{Table: "\uFFFD", Pos: synthetic, Synthetic: true},
			wantRaw: "{\"table\":\"\uFFFD\"}",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			m, err := Parse([]byte(c.in), src)
			require.Zero(t, m)
			var pe *ParseError
			require.ErrorAs(t, err, &pe)
			require.ErrorIs(t, err, c.reason)
			wantRaw := c.wantRaw
			if wantRaw == "" {
				wantRaw = c.in
			}
			require.Equal(t, wantRaw, pe.Raw)
			got := *pe
			got.Raw, got.Err = "", nil
			require.Equal(t, c.want, got)
			require.True(t, strings.HasPrefix(err.Error(), "arena: "))
		})
	}
}

func TestEncodeWritesCanonicalRecord(t *testing.T) {
	t.Parallel()
	m, err := Parse(fixture(t, "arena-tiltakdeltakerendret-v1.json"), src)
	require.NoError(t, err)
	b, err := Encode(m.After)
	require.NoError(t, err)
	want := `{"TILTAKDELTAKER_ID":123456,"PERSON_ID":556677,"TILTAKGJENNOMFORING_ID":3461841,` +
		`"DELTAKERSTATUSKODE":"GJENN","DELTAKERTYPEKODE":"INNSOKT","AARSAKVERDIKODE_STATUS":null,` +
		`"OPPMOTETYPEKODE":null,"PRIORITET":null,"BEGRUNNELSE_INNSOKT":"Syntetisert rettighet",` +
		`"BEGRUNNELSE_PRIORITERING":null,"REG_DATO":"2022-01-11 11:00:40","REG_USER":"USR1234",` +
		`"MOD_DATO":"2022-01-11 11:00:40","MOD_USER":"USR1234","DATO_SVARFRIST":null,` +
		`"DATO_FRA":"2020-03-02 00:00:00","DATO_TIL":"2020-12-31 00:00:00","BEGRUNNELSE_STATUS":null,` +
		`"PROSENT_DELTID":40.0,"BRUKERID_STATUSENDRING":"USR1234","DATO_STATUSENDRING":"2022-01-11 11:00:40",` +
		`"AKTIVITET_ID":9876453,"BRUKERID_ENDRING_PRIORITERING":null,"DATO_ENDRING_PRIORITERING":null,` +
		`"DOKUMENTKODE_SISTE_BREV":null,"STATUS_INNSOK_PAKKE":null,"STATUS_OPPTAK_PAKKE":null,` +
		`"OPPLYSNINGER_INNSOK":null,"PARTISJON":null,"BEGRUNNELSE_BESTILLING":null,` +
		`"ANTALL_DAGER_PR_UKE":null,"EKSTERN_ID":null}`
	require.Equal(t, want, string(b))
}

func TestEncodeDoesNotEscapeHTML(t *testing.T) {
	t.Parallel()
	b, err := Encode(&Deltaker{DeltakerFields: DeltakerFields{BegrunnelseBestilling: ptr("<a & b>")}})
	require.NoError(t, err)
	require.Contains(t, string(b), `"BEGRUNNELSE_BESTILLING":"<a & b>"`)
}

func TestRebuildFromStoredImages(t *testing.T) {
	t.Parallel()
	for _, name := range []string{
		"arena-tiltakdeltakerendret-v1.json",
		"arena-histtiltakdeltakerendret-v1.json",
		"arena-tiltakgjennomforingendret-v1.json",
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			m, err := Parse(fixture(t, name), src)
			require.NoError(t, err)
			got, err := Rebuild(m.Table, m.Operation, m.Timestamp, m.Pos, encodeOrNil(t, m.Before), encodeOrNil(t, m.After))
			require.NoError(t, err)
			require.Equal(t, m, got)
		})
	}
}

func TestRebuildRejectsWhatParseRejects(t *testing.T) {
	t.Parallel()
	_, err := Rebuild("SIAMO.SAK", Created, civil.DateTime{}, "1", nil, []byte(`{}`))
	require.ErrorIs(t, err, ErrUnknownTable)
	_, err = Rebuild(TableDeltaker, "UNKNOWN", civil.DateTime{}, "1", nil, []byte(`{}`))
	require.ErrorIs(t, err, ErrBadOpType)
	_, err = Rebuild(TableDeltaker, Deleted, civil.DateTime{}, "1", []byte("null"), []byte(minimalDeltaker))
	require.ErrorIs(t, err, ErrMissingImage)
	_, err = Rebuild(TableDeltaker, Created, civil.DateTime{}, "1", nil, []byte(`{"TILTAKDELTAKER_ID":1}`))
	require.ErrorIs(t, err, ErrBadImage)
}

func encodeOrNil(t *testing.T, r Record) []byte {
	t.Helper()
	if r == nil {
		return nil
	}
	b, err := Encode(r)
	require.NoError(t, err)
	return b
}

func TestComparePos(t *testing.T) {
	t.Parallel()
	cases := []struct {
		a, b string
		want int
	}{
		{"00000000050058769820", "00000000050058769821", -1},
		{"33", "4", 1},
		{"33", "00000000000000000033", 0},
		{"99999999999999999999999", "100000000000000000000000", -1},
		{"00000000050058769820", "kafka:t:0:1", -1},
		{"kafka:t:0:2", "kafka:t:0:10", 1},
	}
	for _, c := range cases {
		require.Equal(t, c.want, ComparePos(c.a, c.b), "%s vs %s", c.a, c.b)
		require.Equal(t, -c.want, ComparePos(c.b, c.a), "%s vs %s", c.b, c.a)
	}
}

func TestSyntheticPos(t *testing.T) {
	t.Parallel()
	require.Equal(t, "kafka:deltaker:3:12", SyntheticPos(Source{Topic: "deltaker", Partition: 3, Offset: 12}))
}

func TestParseErrorIsDistinguishable(t *testing.T) {
	t.Parallel()
	_, err := Parse([]byte(`{}`), src)
	require.True(t, errors.Is(err, ErrUnknownTable))
	require.False(t, errors.Is(err, ErrBadJSON))
}

func TestDatesUseOsloWallClock(t *testing.T) {
	t.Parallel()
	// 02:30 on the day clocks go forward does not exist in Oslo; Arena's
	// text is kept as written.
	dt, err := ParseDateTime("DATO_STATUSENDRING", "2024-03-31 02:30:00")
	require.NoError(t, err)
	require.Equal(t, "2024-03-31T02:30:00", dt.String())
	require.Equal(t, time.Date(2024, 3, 31, 1, 30, 0, 0, time.UTC), dt.In(civil.Oslo).UTC(),
		"as an instant it is 03:30 CEST, as Java's atZone gives")
}
