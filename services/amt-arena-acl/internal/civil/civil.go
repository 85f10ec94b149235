// Package civil holds wall-clock dates and date-times without a zone: what
// Arena and the AMT messages call LocalDate and LocalDateTime.
//
// Every such value in this service is Europe/Oslo wall-clock time. Keeping
// them zone-less, instead of as instants in Oslo, means a wall-clock time
// inside a daylight-saving gap (02:30 on the last Sunday of March) stays what
// Arena wrote, and day arithmetic never meets a 23- or 25-hour day. Convert
// to an instant only at the edge (In, for timestamptz columns) and from one
// (FromTime, for "now").
package civil

import (
	"database/sql/driver"
	"fmt"
	"time"
	_ "time/tzdata" // Oslo must resolve also in a container without zoneinfo
)

// Oslo is the zone of every wall-clock value in this service.
var Oslo = mustLoad("Europe/Oslo")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(fmt.Sprintf("civil: load %s: %v", name, err))
	}
	return loc
}

// Date is a calendar date. The zero value is 0001-01-01.
type Date struct {
	t time.Time // midnight UTC of the date
}

// DateOf returns the date y-m-d, normalising out-of-range values the way
// time.Date does (2021-02-30 becomes 2021-03-02).
func DateOf(y int, m time.Month, d int) Date {
	return Date{time.Date(y, m, d, 0, 0, 0, 0, time.UTC)}
}

// Today is the date in Oslo at instant now.
func Today(now time.Time) Date { return FromTime(now).Date() }

// Year, Month and Day are the date's fields.
func (d Date) Year() int         { return d.t.Year() }
func (d Date) Month() time.Month { return d.t.Month() }
func (d Date) Day() int          { return d.t.Day() }

// AddDays returns the date n days later (earlier for negative n).
func (d Date) AddDays(n int) Date { return Date{d.t.AddDate(0, 0, n)} }

// Compare returns -1, 0 or +1 as d is before, equal to or after o.
func (d Date) Compare(o Date) int { return d.t.Compare(o.t) }

func (d Date) Before(o Date) bool { return d.t.Before(o.t) }
func (d Date) After(o Date) bool  { return d.t.After(o.t) }

// Midnight is 00:00 of the date.
func (d Date) Midnight() DateTime { return DateTime(d) }

// String is the ISO form yyyy-MM-dd.
func (d Date) String() string { return d.t.Format(time.DateOnly) }

// MarshalJSON encodes the ISO form, as Jackson writes a LocalDate.
func (d Date) MarshalJSON() ([]byte, error) { return []byte(`"` + d.String() + `"`), nil }

// UnmarshalJSON reads the ISO form yyyy-MM-dd.
func (d *Date) UnmarshalJSON(b []byte) error {
	t, err := time.Parse(`"`+time.DateOnly+`"`, string(b))
	if err != nil {
		return fmt.Errorf("civil: date %s: %w", b, err)
	}
	*d = Date{t}
	return nil
}

// Value stores the date in a date column.
func (d Date) Value() (driver.Value, error) { return d.t, nil }

// Scan reads a date column; lib/pq hands it over as a time.Time.
func (d *Date) Scan(src any) error {
	t, ok := src.(time.Time)
	if !ok {
		return fmt.Errorf("civil: cannot scan %T into a Date", src)
	}
	*d = DateOf(t.Year(), t.Month(), t.Day())
	return nil
}

// DateTime is a wall-clock date and time with nanoseconds. The zero value
// is 0001-01-01T00:00:00.
type DateTime struct {
	t time.Time // the wall clock read as UTC
}

// DateTimeOf returns the given wall-clock time, normalised as by time.Date.
func DateTimeOf(y int, m time.Month, d, hour, minute, sec, nsec int) DateTime {
	return DateTime{time.Date(y, m, d, hour, minute, sec, nsec, time.UTC)}
}

// FromTime is the Oslo wall clock at instant t.
func FromTime(t time.Time) DateTime {
	o := t.In(Oslo)
	return DateTimeOf(o.Year(), o.Month(), o.Day(), o.Hour(), o.Minute(), o.Second(), o.Nanosecond())
}

// In returns the instant at which the wall clock in loc shows dt. For a
// wall-clock time inside a daylight-saving gap it is the instant the gap's
// length later, as Java's LocalDateTime.atZone does.
func (dt DateTime) In(loc *time.Location) time.Time {
	u := dt.t
	return time.Date(u.Year(), u.Month(), u.Day(), u.Hour(), u.Minute(), u.Second(), u.Nanosecond(), loc)
}

// Date is the date part.
func (dt DateTime) Date() Date { return DateOf(dt.t.Year(), dt.t.Month(), dt.t.Day()) }

// Add returns dt moved by d on the wall clock.
func (dt DateTime) Add(d time.Duration) DateTime { return DateTime{dt.t.Add(d)} }

// AddDays returns dt n calendar days later, same clock time.
func (dt DateTime) AddDays(n int) DateTime { return DateTime{dt.t.AddDate(0, 0, n)} }

// Truncate rounds dt down to a multiple of d since the zero time, e.g.
// time.Microsecond for the precision of Java's LocalDateTime.now().
func (dt DateTime) Truncate(d time.Duration) DateTime { return DateTime{dt.t.Truncate(d)} }

// Compare returns -1, 0 or +1 as dt is before, equal to or after o.
func (dt DateTime) Compare(o DateTime) int { return dt.t.Compare(o.t) }

func (dt DateTime) Before(o DateTime) bool { return dt.t.Before(o.t) }
func (dt DateTime) After(o DateTime) bool  { return dt.t.After(o.t) }

// isoLocalDateTime is Java's ISO_LOCAL_DATE_TIME when formatting: seconds
// always, the fraction only when non-zero and without trailing zeros.
const isoLocalDateTime = "2006-01-02T15:04:05.999999999"

// String is the ISO form, e.g. 2022-01-11T11:00:40 or 2026-08-20T10:15:02.123456.
func (dt DateTime) String() string { return dt.t.Format(isoLocalDateTime) }

// MarshalJSON encodes the ISO form, as Jackson writes a LocalDateTime.
func (dt DateTime) MarshalJSON() ([]byte, error) { return []byte(`"` + dt.String() + `"`), nil }

// UnmarshalJSON reads the ISO form written by MarshalJSON.
func (dt *DateTime) UnmarshalJSON(b []byte) error {
	t, err := time.Parse(`"2006-01-02T15:04:05.999999999"`, string(b))
	if err != nil {
		return fmt.Errorf("civil: date-time %s: %w", b, err)
	}
	*dt = DateTime{t}
	return nil
}

// Value stores the wall clock in a timestamp (without time zone) column,
// which ignores the UTC offset lib/pq sends along.
func (dt DateTime) Value() (driver.Value, error) { return dt.t, nil }

// Scan reads a timestamp (without time zone) column, keeping its wall clock
// whatever location lib/pq attached.
func (dt *DateTime) Scan(src any) error {
	t, ok := src.(time.Time)
	if !ok {
		return fmt.Errorf("civil: cannot scan %T into a DateTime", src)
	}
	*dt = DateTimeOf(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond())
	return nil
}
