package arena

import (
	"fmt"
	"time"

	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/civil"
)

// FieldError is an Arena date field that does not read as a date or
// date-time. Its message is the original's note text, e.g.
// "DATO_FRA kan ikke parses til LocalDate (2020-03-02)". It is a validation
// error: the message is stored INVALID.
type FieldError struct {
	Field string
	Value string
	// Want is "LocalDate" or "LocalDateTime".
	Want string
}

func (e *FieldError) Error() string {
	return fmt.Sprintf("%s kan ikke parses til %s (%s)", e.Field, e.Want, e.Value)
}

// ParseDate reads Arena's yyyy-MM-dd HH:mm:ss and keeps the date. The time
// must be there: a bare 2020-03-02 is an error. See ParseDateTime for how
// out-of-range values are treated.
func ParseDate(field, value string) (civil.Date, error) {
	dt, ok := parseArenaTime(value, 0)
	if !ok {
		return civil.Date{}, &FieldError{Field: field, Value: value, Want: "LocalDate"}
	}
	return dt.Date(), nil
}

// ParseDateTime reads Arena's yyyy-MM-dd HH:mm:ss, Oslo wall-clock time.
//
// Like Java's DateTimeFormatter in its default SMART mode, it clamps a
// day-of-month that exists in some month but not in this one to the month's
// last day (2021-02-30 → 2021-02-28) and reads 24:00:00 as 00:00 of the next
// day; any other out-of-range value (day 32, month 13, minute 60) is an
// error. Years are four digits, 0001 to 9999.
func ParseDateTime(field, value string) (civil.DateTime, error) {
	dt, ok := parseArenaTime(value, 0)
	if !ok {
		return civil.DateTime{}, &FieldError{Field: field, Value: value, Want: "LocalDateTime"}
	}
	return dt, nil
}

// parseOpTS reads GoldenGate's op_ts, yyyy-MM-dd HH:mm:ss.SSSSSS with
// exactly six fraction digits, by the same rules as ParseDateTime.
func parseOpTS(value string) (civil.DateTime, bool) { return parseArenaTime(value, 6) }

// parseArenaTime reads "yyyy-MM-dd HH:mm:ss", followed by "." and exactly
// fracDigits digits when fracDigits > 0.
func parseArenaTime(s string, fracDigits int) (civil.DateTime, bool) {
	want := len("2006-01-02 15:04:05")
	if fracDigits > 0 {
		want += 1 + fracDigits
	}
	if len(s) != want || s[4] != '-' || s[7] != '-' || s[10] != ' ' || s[13] != ':' || s[16] != ':' {
		return civil.DateTime{}, false
	}
	num := func(from, to int) (int, bool) {
		n := 0
		for i := from; i < to; i++ {
			c := s[i]
			if c < '0' || c > '9' {
				return 0, false
			}
			n = n*10 + int(c-'0')
		}
		return n, true
	}
	year, ok1 := num(0, 4)
	month, ok2 := num(5, 7)
	day, ok3 := num(8, 10)
	hour, ok4 := num(11, 13)
	minute, ok5 := num(14, 16)
	sec, ok6 := num(17, 19)
	if !ok1 || !ok2 || !ok3 || !ok4 || !ok5 || !ok6 {
		return civil.DateTime{}, false
	}
	nsec := 0
	if fracDigits > 0 {
		if s[19] != '.' {
			return civil.DateTime{}, false
		}
		frac, ok := num(20, 20+fracDigits)
		if !ok {
			return civil.DateTime{}, false
		}
		for range 9 - fracDigits {
			frac *= 10
		}
		nsec = frac
	}
	if year < 1 || month < 1 || month > 12 || day < 1 || day > 31 ||
		hour > 24 || minute > 59 || sec > 59 {
		return civil.DateTime{}, false
	}
	endOfDay := hour == 24
	if endOfDay && (minute != 0 || sec != 0 || nsec != 0) {
		return civil.DateTime{}, false
	}
	if last := daysIn(time.Month(month), year); day > last {
		day = last
	}
	date := civil.DateOf(year, time.Month(month), day)
	if endOfDay {
		return date.AddDays(1).Midnight(), true
	}
	return civil.DateTimeOf(year, time.Month(month), day, hour, minute, sec, nsec), true
}

func daysIn(m time.Month, year int) int {
	return time.Date(year, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}
