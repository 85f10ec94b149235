package civil

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestTodayIsTheOsloDate(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		now  time.Time
		want Date
	}{
		{"winter: 23:30 UTC is after midnight in Oslo", time.Date(2026, 1, 15, 23, 30, 0, 0, time.UTC), DateOf(2026, 1, 16)},
		{"winter: 22:59 UTC is still the same day", time.Date(2026, 1, 15, 22, 59, 0, 0, time.UTC), DateOf(2026, 1, 15)},
		{"summer: 22:00 UTC is midnight in Oslo", time.Date(2026, 7, 15, 22, 0, 0, 0, time.UTC), DateOf(2026, 7, 16)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, c.want, Today(c.now))
		})
	}
}

func TestFromTimeAndInRoundTrip(t *testing.T) {
	t.Parallel()
	instant := time.Date(2026, 8, 20, 8, 15, 2, 123456789, time.UTC)
	dt := FromTime(instant)
	require.Equal(t, "2026-08-20T10:15:02.123456789", dt.String())
	require.True(t, dt.In(Oslo).Equal(instant))
}

func TestDateTimeString(t *testing.T) {
	t.Parallel()
	require.Equal(t, "2026-08-20T10:14:00", DateTimeOf(2026, 8, 20, 10, 14, 0, 0).String(), "seconds always")
	require.Equal(t, "2026-08-20T10:14:02.1", DateTimeOf(2026, 8, 20, 10, 14, 2, 100000000).String())
	require.Equal(t, "2026-08-20T10:14:02.123456", DateTimeOf(2026, 8, 20, 10, 14, 2, 123456000).String())
	require.Equal(t, "2026-08-20", DateOf(2026, 8, 20).String())
}

func TestJSONRoundTrip(t *testing.T) {
	t.Parallel()
	type v struct {
		D  Date      `json:"d"`
		DT DateTime  `json:"dt"`
		N  *DateTime `json:"n"`
	}
	in := v{D: DateOf(2024, 2, 29), DT: DateTimeOf(2024, 3, 31, 2, 30, 0, 5000)}
	b, err := json.Marshal(in)
	require.NoError(t, err)
	require.JSONEq(t, `{"d":"2024-02-29","dt":"2024-03-31T02:30:00.000005","n":null}`, string(b))
	var out v
	require.NoError(t, json.Unmarshal(b, &out))
	require.Equal(t, in, out)
	require.Error(t, json.Unmarshal([]byte(`{"d":"2024-02-30"}`), &out))
}

func TestArithmeticAndOrder(t *testing.T) {
	t.Parallel()
	d := DateOf(2026, 3, 28)
	require.Equal(t, DateOf(2026, 3, 30), d.AddDays(2))
	require.Equal(t, DateTimeOf(2026, 3, 29, 0, 0, 0, 0), d.AddDays(1).Midnight())
	// No 23-hour day: the wall clock moves by whole days across the DST change.
	require.Equal(t, DateTimeOf(2026, 3, 30, 2, 30, 0, 0), DateTimeOf(2026, 3, 29, 2, 30, 0, 0).AddDays(1))
	require.True(t, d.Before(d.AddDays(1)))
	require.True(t, d.AddDays(1).After(d))
	require.Equal(t, 0, d.Compare(DateOf(2026, 3, 28)))
	require.Equal(t, d, DateTimeOf(2026, 3, 28, 23, 59, 59, 0).Date())
}

func TestScan(t *testing.T) {
	t.Parallel()
	var dt DateTime
	require.NoError(t, dt.Scan(time.Date(2022, 1, 11, 11, 0, 40, 0, time.FixedZone("", 3600))))
	require.Equal(t, DateTimeOf(2022, 1, 11, 11, 0, 40, 0), dt, "the wall clock is kept, whatever the zone")
	var d Date
	require.NoError(t, d.Scan(time.Date(2022, 1, 11, 0, 0, 0, 0, time.UTC)))
	require.Equal(t, DateOf(2022, 1, 11), d)
	require.Error(t, d.Scan("2022-01-11"))
	require.Error(t, dt.Scan(nil))
}
