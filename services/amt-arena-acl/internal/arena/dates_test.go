package arena

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/civil"
)

func TestParseDateTime(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		in   string
		want civil.DateTime
		ok   bool
	}{
		{"plain", "2022-01-11 11:00:40", civil.DateTimeOf(2022, 1, 11, 11, 0, 40, 0), true},
		{"day too large for the month is clamped", "2021-02-30 10:00:00", civil.DateTimeOf(2021, 2, 28, 10, 0, 0, 0), true},
		{"31st of a 30-day month is clamped", "2021-04-31 00:00:00", civil.DateTimeOf(2021, 4, 30, 0, 0, 0, 0), true},
		{"29th of February in a leap year", "2024-02-29 00:00:00", civil.DateTimeOf(2024, 2, 29, 0, 0, 0, 0), true},
		{"29th of February otherwise is clamped", "2023-02-29 00:00:00", civil.DateTimeOf(2023, 2, 28, 0, 0, 0, 0), true},
		{"24:00:00 is midnight of the next day", "2021-12-31 24:00:00", civil.DateTimeOf(2022, 1, 1, 0, 0, 0, 0), true},
		{"24:00:00 after clamping", "2021-02-30 24:00:00", civil.DateTimeOf(2021, 3, 1, 0, 0, 0, 0), true},
		{"24:00:01 fails", "2021-12-31 24:00:01", civil.DateTime{}, false},
		{"day 32 fails", "2021-01-32 00:00:00", civil.DateTime{}, false},
		{"day 0 fails", "2021-01-00 00:00:00", civil.DateTime{}, false},
		{"month 13 fails", "2021-13-01 00:00:00", civil.DateTime{}, false},
		{"minute 60 fails", "2021-01-01 00:60:00", civil.DateTime{}, false},
		{"second 60 fails", "2021-01-01 00:00:60", civil.DateTime{}, false},
		{"hour 25 fails", "2021-01-01 25:00:00", civil.DateTime{}, false},
		{"year 0 fails", "0000-01-01 00:00:00", civil.DateTime{}, false},
		{"bare date fails", "2020-03-02", civil.DateTime{}, false},
		{"ISO T separator fails", "2020-03-02T00:00:00", civil.DateTime{}, false},
		{"fraction fails", "2020-03-02 00:00:00.0", civil.DateTime{}, false},
		{"single-digit month fails", "2020-3-02 00:00:00", civil.DateTime{}, false},
		{"sign fails", "2020-03-+2 00:00:00", civil.DateTime{}, false},
		{"empty fails", "", civil.DateTime{}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseDateTime("DATO_STATUSENDRING", c.in)
			if !c.ok {
				require.EqualError(t, err, "DATO_STATUSENDRING kan ikke parses til LocalDateTime ("+c.in+")")
				return
			}
			require.NoError(t, err)
			require.Equal(t, c.want, got)
		})
	}
}

func TestParseDate(t *testing.T) {
	t.Parallel()
	d, err := ParseDate("DATO_FRA", "2020-03-02 13:45:00")
	require.NoError(t, err)
	require.Equal(t, civil.DateOf(2020, 3, 2), d)

	d, err = ParseDate("DATO_FRA", "2020-03-02 24:00:00")
	require.NoError(t, err)
	require.Equal(t, civil.DateOf(2020, 3, 3), d, "24:00 moves the date on")

	_, err = ParseDate("DATO_FRA", "2020-03-02")
	require.EqualError(t, err, "DATO_FRA kan ikke parses til LocalDate (2020-03-02)")
	var fe *FieldError
	require.ErrorAs(t, err, &fe)
	require.Equal(t, FieldError{Field: "DATO_FRA", Value: "2020-03-02", Want: "LocalDate"}, *fe)
}

func TestParseOpTS(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in   string
		want civil.DateTime
		ok   bool
	}{
		{"2022-01-12 00:00:06.000000", civil.DateTimeOf(2022, 1, 12, 0, 0, 6, 0), true},
		{"2022-01-12 00:00:06.365123", civil.DateTimeOf(2022, 1, 12, 0, 0, 6, 365123000), true},
		{"2022-01-12 24:00:00.000000", civil.DateTimeOf(2022, 1, 13, 0, 0, 0, 0), true},
		{"2022-01-12 24:00:00.000001", civil.DateTime{}, false},
		{"2022-01-12 00:00:06.36512", civil.DateTime{}, false},
		{"2022-01-12 00:00:06.3651234", civil.DateTime{}, false},
		{"2022-01-12 00:00:06", civil.DateTime{}, false},
		{"2022-01-12 00:00:06,000000", civil.DateTime{}, false},
	}
	for _, c := range cases {
		got, ok := parseOpTS(c.in)
		require.Equal(t, c.ok, ok, c.in)
		require.Equal(t, c.want, got, c.in)
	}
}
