// Package javafloat holds a float32 that reads and writes JSON the way the
// Kotlin original's Jackson mapper did for Kotlin Float fields.
package javafloat

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Float is a 32-bit float that JSON-encodes as Java's Float.toString (JDK
// 19 and later): 40.0, 2.5, 1.4E-45, 1.0E7.
type Float float32

// Ptr returns a pointer to f, for optional fields.
func Ptr(f float32) *Float { v := Float(f); return &v }

// String renders f as Java's Float.toString does:
//
//   - plain notation with at least one fraction digit when 10⁻³ ≤ |f| < 10⁷
//     (40.0, 0.001), computerized scientific notation otherwise (1.0E7,
//     1.4E-45);
//   - the shortest decimal that reads back as f, except that a one-digit
//     decimal is replaced by the closest decimal of at most two digits
//     (Float.MIN_VALUE is 1.4E-45, not 1.0E-45).
//
// NaN and the infinities render as NaN, Infinity and -Infinity.
func (f Float) String() string {
	v := float64(f)
	switch {
	case math.IsNaN(v):
		return "NaN"
	case math.IsInf(v, 1):
		return "Infinity"
	case math.IsInf(v, -1):
		return "-Infinity"
	case v == 0:
		if math.Signbit(v) {
			return "-0.0"
		}
		return "0.0"
	}
	digits, exp := decimal(float32(f))
	neg := v < 0
	abs := math.Abs(v)

	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	// exp is the exponent of the first digit: value = 0.d1d2… × 10^(exp+1).
	if abs >= 1e-3 && abs < 1e7 {
		switch {
		case exp < 0: // 0.00ddd
			b.WriteString("0.")
			b.WriteString(strings.Repeat("0", -exp-1))
			b.WriteString(digits)
		case len(digits) <= exp+1: // ddd00.0
			b.WriteString(digits)
			b.WriteString(strings.Repeat("0", exp+1-len(digits)))
			b.WriteString(".0")
		default: // dd.ddd
			b.WriteString(digits[:exp+1])
			b.WriteByte('.')
			b.WriteString(digits[exp+1:])
		}
		return b.String()
	}
	b.WriteByte(digits[0])
	b.WriteByte('.')
	if len(digits) > 1 {
		b.WriteString(digits[1:])
	} else {
		b.WriteByte('0')
	}
	b.WriteByte('E')
	b.WriteString(strconv.Itoa(exp))
	return b.String()
}

// decimal returns the significant digits (no trailing zeros) of the decimal
// Java chooses for f ≠ 0, and the base-10 exponent of its first digit.
func decimal(f float32) (string, int) {
	prec := -1 // shortest
	s := strconv.FormatFloat(float64(f), 'e', prec, 32)
	if mant, _, _ := strings.Cut(strings.TrimPrefix(s, "-"), "e"); len(mant) == 1 {
		// One significant digit: the closest two-digit decimal also reads
		// back as f (it is at least as close), and Java prefers it.
		s = strconv.FormatFloat(float64(f), 'e', 1, 32)
	}
	s = strings.TrimPrefix(s, "-")
	mant, e, _ := strings.Cut(s, "e")
	exp, _ := strconv.Atoi(e)
	digits := strings.TrimRight(strings.Replace(mant, ".", "", 1), "0")
	if digits == "" { // cannot happen for f ≠ 0; keeps the indexing safe
		digits = "0"
	}
	return digits, exp
}

// MarshalJSON writes f as a JSON number in Java's notation. NaN and the
// infinities have no JSON form and are an error.
func (f Float) MarshalJSON() ([]byte, error) {
	if math.IsNaN(float64(f)) || math.IsInf(float64(f), 0) {
		return nil, fmt.Errorf("javafloat: %v has no JSON form", f)
	}
	return []byte(f.String()), nil
}

// ErrNotFinite is returned for text that reads as NaN or an infinity, or as
// a number beyond the float32 range.
var ErrNotFinite = errors.New("not a finite 32-bit float")

// Parse reads s (a JSON number's text, or a numeric string) as the nearest
// float32, as Jackson does for a Float field. Values beyond the float32 range,
// NaN and the infinities are rejected: Jackson would carry them on and write
// output that is not JSON.
func Parse(s string) (Float, error) {
	v, err := strconv.ParseFloat(s, 32)
	if err != nil {
		if errors.Is(err, strconv.ErrRange) {
			return 0, fmt.Errorf("%q: %w", s, ErrNotFinite)
		}
		return 0, fmt.Errorf("%q is not a number", s)
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("%q: %w", s, ErrNotFinite)
	}
	return Float(v), nil
}
