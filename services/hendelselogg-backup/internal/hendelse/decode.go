package hendelse

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// ErrNotJSON is returned, wrapped, for a value that is not one valid UTF-8
// JSON document.
var ErrNotJSON = errors.New("not valid JSON")

// ErrNoArbeidssoekerID is returned, wrapped, for JSON without a numeric
// top-level arbeidssoekerId.
var ErrNoArbeidssoekerID = errors.New("no numeric arbeidssoekerId")

// Valid reports whether v is one JSON document in valid UTF-8.
func Valid(v []byte) bool {
	if !utf8.Valid(v) {
		return false
	}
	_, _, err := parseDocument(v, nil)
	return err == nil
}

// ArbeidssoekerID returns the top-level arbeidssoekerId of a JSON object, which
// must be an integer that fits in 64 bits.
func ArbeidssoekerID(v []byte) (int64, error) {
	d, err := Decode(v)
	if errors.Is(err, ErrNotJSON) {
		return 0, err
	}
	if !d.HasID {
		return 0, ErrNoArbeidssoekerID
	}
	return d.ArbeidssoekerID, nil
}

// Decoded is what Decode found.
type Decoded struct {
	Type string
	// ArbeidssoekerID is the top-level arbeidssoekerId when HasID is set. It
	// is read even when the value is not a known event.
	ArbeidssoekerID int64
	HasID           bool
	// Canonical is the event in canonical form (see the package
	// documentation), ready to be stored as jsonb; nil when Decode failed.
	Canonical []byte
}

// Decode decodes v strictly as one of the known events and returns it with
// its canonical form. On failure the error says what did not fit (it quotes
// field and type names, never values); it wraps ErrNotJSON when v is not
// JSON at all, and the top-level arbeidssoekerId is still reported when the
// value is a JSON object that has one.
func Decode(v []byte) (Decoded, error) {
	var d Decoded
	if !utf8.Valid(v) {
		return d, ErrNotJSON
	}
	var buf [16]member
	obj, isObject, err := parseDocument(v, buf[:0])
	if err != nil {
		return d, ErrNotJSON
	}
	if !isObject {
		return d, errors.New("the value is not a JSON object")
	}
	if raw, ok := obj.get("arbeidssoekerId"); ok {
		if id, err := parseLong(raw); err == nil {
			d.ArbeidssoekerID, d.HasID = id, true
		}
	}
	rawType, ok := obj.get("hendelseType")
	if !ok {
		return d, errors.New("hendelseType is missing")
	}
	name, err := parseString(rawType)
	if err != nil {
		return d, errors.New("hendelseType is not a string")
	}
	t, ok := byName[name]
	if !ok {
		return d, fmt.Errorf("unknown hendelseType %q", truncate(name))
	}
	d.Type = t.Name
	for _, m := range obj {
		if string(m.key) != "hendelseType" && !t.has(m.key) {
			return d, fmt.Errorf("%s: unknown property %q", t.Name, truncate(string(m.key)))
		}
	}

	out := make([]byte, 0, len(v)+64)
	out = append(out, '{')
	for _, f := range t.fields {
		raw, present := obj.get(f.name)
		if present && isNull(raw) {
			present = false
			if !f.nullable {
				return d, fmt.Errorf("%s: %s is null", t.Name, f.name)
			}
		}
		if !present && !f.nullable {
			return d, fmt.Errorf("%s: %s is missing", t.Name, f.name)
		}
		out = append(out, '"')
		out = append(out, f.name...)
		out = append(out, '"', ':')
		if !present {
			out = append(out, "null"...)
		} else if out, err = appendValue(out, f, raw); err != nil {
			return d, fmt.Errorf("%s: %s: %w", t.Name, f.name, err)
		}
		out = append(out, ',')
	}
	out = append(out, `"hendelseType":`...)
	out = appendString(out, t.Name)
	d.Canonical = append(out, '}')
	return d, nil
}

func isNull(raw []byte) bool { return string(raw) == "null" }

func (t *Type) has(name []byte) bool {
	for _, f := range t.fields {
		if f.name == string(name) {
			return true
		}
	}
	return false
}

func appendValue(out []byte, f field, raw []byte) ([]byte, error) {
	switch f.kind {
	case kUUID:
		return appendUUID(out, raw)
	case kLong:
		n, err := parseLong(raw)
		if err != nil {
			return nil, err
		}
		return strconv.AppendInt(out, n, 10), nil
	case kInstant:
		s, err := parseInstant(raw)
		if err != nil {
			return nil, err
		}
		return s.append(out), nil
	case kDuration:
		s, err := parseDuration(raw)
		if err != nil {
			return nil, err
		}
		return s.append(out), nil
	case kString:
		s, err := parseString(raw)
		if err != nil {
			return nil, err
		}
		return appendString(out, s), nil
	case kBruker:
		return appendBruker(out, raw)
	}
	return nil, fmt.Errorf("unknown field kind %d", f.kind)
}

func appendBruker(out []byte, raw []byte) ([]byte, error) {
	obj, err := parseObject(raw)
	if err != nil {
		return nil, err
	}
	for _, m := range obj {
		if k := string(m.key); k != "type" && k != "id" && k != "sikkerhetsnivaa" {
			return nil, fmt.Errorf("unknown property %q", truncate(k))
		}
	}
	rawType, _ := obj.get("type")
	typ, err := parseString(rawType)
	if err != nil {
		return nil, fmt.Errorf("type: %w", err)
	}
	if !brukerTypes[typ] {
		return nil, fmt.Errorf("type: unknown BrukerType %q", truncate(typ))
	}
	rawID, _ := obj.get("id")
	id, err := parseString(rawID)
	if err != nil {
		return nil, fmt.Errorf("id: %w", err)
	}
	out = append(out, `{"type":`...)
	out = appendString(out, typ)
	out = append(out, `,"id":`...)
	out = appendString(out, id)
	out = append(out, `,"sikkerhetsnivaa":`...)
	if raw, ok := obj.get("sikkerhetsnivaa"); ok && !isNull(raw) {
		s, err := parseString(raw)
		if err != nil {
			return nil, fmt.Errorf("sikkerhetsnivaa: %w", err)
		}
		out = appendString(out, s)
	} else {
		out = append(out, "null"...)
	}
	return append(out, '}'), nil
}

// parseString returns the text of a raw JSON string.
func parseString(raw []byte) (string, error) {
	if len(raw) < 2 || raw[0] != '"' {
		return "", errors.New("not a string")
	}
	inner := raw[1 : len(raw)-1]
	if bytes.IndexByte(inner, '\\') < 0 {
		return string(inner), nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", errors.New("not a string")
	}
	return s, nil
}

// parseLong reads a JSON integer that fits in 64 bits; fractions and
// exponents are not integers here.
func parseLong(raw []byte) (int64, error) {
	b := raw
	neg := len(b) > 0 && b[0] == '-'
	if neg {
		b = b[1:]
	}
	if len(b) == 0 || len(b) > 19 {
		if len(b) > 19 && allDigits(b) {
			return 0, errors.New("not an integer that fits in 64 bits")
		}
		return 0, errors.New("not an integer")
	}
	var n uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, errors.New("not an integer")
		}
		n = n*10 + uint64(c-'0')
	}
	switch {
	case !neg && n > 1<<63-1, neg && n > 1<<63:
		return 0, errors.New("not an integer that fits in 64 bits")
	case neg:
		return -int64(n-1) - 1, nil
	}
	return int64(n), nil
}

func allDigits(b []byte) bool {
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// appendUUID accepts what Jackson's UUID deserialiser accepts in text form,
// 36 characters with dashes at 8, 13, 18 and 23 and hex digits elsewhere,
// and writes it in lower case.
func appendUUID(out []byte, raw []byte) ([]byte, error) {
	var b []byte
	if len(raw) == 38 && raw[0] == '"' && raw[37] == '"' {
		b = raw[1:37]
	} else {
		s, err := parseString(raw)
		if err != nil {
			return nil, err
		}
		if len(s) != 36 {
			return nil, errors.New("not a UUID")
		}
		b = []byte(s)
	}
	out = append(out, '"')
	for i, c := range b {
		switch {
		case i == 8 || i == 13 || i == 18 || i == 23:
			if c != '-' {
				return nil, errors.New("not a UUID")
			}
		case c >= '0' && c <= '9', c >= 'a' && c <= 'f':
		case c >= 'A' && c <= 'F':
			c += 'a' - 'A'
		default:
			return nil, errors.New("not a UUID")
		}
		out = append(out, c)
	}
	return append(out, '"'), nil
}

// seconds is a point in time or a duration as java.time keeps it: whole
// seconds and a nanosecond part in [0, 1e9).
type seconds struct {
	sec  int64
	nano int64
}

// Java's Instant range, in seconds.
const (
	minInstantSeconds = -31557014167219200
	maxInstantSeconds = 31556889864403199
)

// parseInstant reads epoch seconds (a number, whose fraction beyond nine
// digits is truncated, as Jackson does) or an ISO-8601 instant (a string).
func parseInstant(raw []byte) (seconds, error) {
	var s seconds
	if len(raw) > 0 && raw[0] == '"' {
		str, err := parseString(raw)
		if err != nil {
			return s, err
		}
		t, err := time.Parse(time.RFC3339Nano, str)
		if err != nil {
			return s, errors.New("not an ISO-8601 instant")
		}
		return seconds{t.Unix(), int64(t.Nanosecond())}, nil
	}
	s, err := parseSeconds(raw)
	if err != nil {
		return s, err
	}
	if s.sec < minInstantSeconds || s.sec > maxInstantSeconds {
		return s, errors.New("instant out of range")
	}
	return s, nil
}

// parseDuration reads seconds (a number) or an ISO-8601 duration such as
// PT76H0.25S (a string).
func parseDuration(raw []byte) (seconds, error) {
	if len(raw) > 0 && raw[0] == '"' {
		str, err := parseString(raw)
		if err != nil {
			return seconds{}, err
		}
		return isoDuration(str)
	}
	return parseSeconds(raw)
}

// parseSeconds reads a JSON number of seconds, truncating below the
// nanosecond. Plain decimals take a fast path; exponents go through big.Rat.
func parseSeconds(raw []byte) (seconds, error) {
	if len(raw) == 0 || !(raw[0] == '-' || (raw[0] >= '0' && raw[0] <= '9')) {
		return seconds{}, errors.New("not a number")
	}
	if end, err := scanNumber(raw, 0); err != nil || end != len(raw) {
		return seconds{}, errors.New("not a number")
	}
	b := raw
	neg := b[0] == '-'
	if neg {
		b = b[1:]
	}
	intPart, frac, hasFrac := b, []byte(nil), false
	if i := bytes.IndexByte(b, '.'); i >= 0 {
		intPart, frac, hasFrac = b[:i], b[i+1:], true
	}
	if bytes.ContainsAny(b, "eE") || len(intPart) > 17 {
		return bigSeconds(raw)
	}
	var sec, nano int64
	for _, c := range intPart {
		sec = sec*10 + int64(c-'0')
	}
	for i := 0; i < 9; i++ {
		nano *= 10
		if hasFrac && i < len(frac) {
			nano += int64(frac[i] - '0')
		}
	}
	if neg {
		sec, nano = -sec, -nano
	}
	return normalise(sec, nano), nil
}

func normalise(sec, nano int64) seconds {
	if nano < 0 {
		sec--
		nano += 1_000_000_000
	}
	return seconds{sec, nano}
}

var nanosPerSecond = big.NewInt(1_000_000_000)

func bigSeconds(raw []byte) (seconds, error) {
	if len(raw) > 64 {
		return seconds{}, errors.New("number too long")
	}
	r, ok := new(big.Rat).SetString(string(raw))
	if !ok {
		return seconds{}, errors.New("not a number")
	}
	return fromRat(r)
}

// fromRat truncates r seconds toward zero to the nanosecond.
func fromRat(r *big.Rat) (seconds, error) {
	ns := new(big.Int).Quo(new(big.Int).Mul(r.Num(), nanosPerSecond), r.Denom())
	sec, nano := new(big.Int).QuoRem(ns, nanosPerSecond, new(big.Int))
	if !sec.IsInt64() {
		return seconds{}, errors.New("number out of range")
	}
	return normalise(sec.Int64(), nano.Int64()), nil
}

// isoDuration parses [-]P[nD][T[nH][nM][n[.n]S]] with optional signs on the
// parts, the form java.time.Duration.parse accepts.
func isoDuration(s string) (seconds, error) {
	bad := errors.New("not an ISO-8601 duration")
	neg := false
	if strings.HasPrefix(s, "-") || strings.HasPrefix(s, "+") {
		neg = s[0] == '-'
		s = s[1:]
	}
	if len(s) < 2 || (s[0] != 'P' && s[0] != 'p') {
		return seconds{}, bad
	}
	s = s[1:]
	total := new(big.Rat)
	unit := map[byte]int64{'D': 86400, 'H': 3600, 'M': 60, 'S': 1}
	inTime, any := false, false
	for len(s) > 0 {
		if s[0] == 'T' || s[0] == 't' {
			if inTime {
				return seconds{}, bad
			}
			inTime = true
			s = s[1:]
			continue
		}
		i := 0
		for i < len(s) && (s[i] == '-' || s[i] == '+' || s[i] == '.' || (s[i] >= '0' && s[i] <= '9')) {
			i++
		}
		if i == 0 || i == len(s) {
			return seconds{}, bad
		}
		u := s[i] &^ 0x20 // upper case
		mult, ok := unit[u]
		if !ok || (u == 'D') == inTime || (u != 'S' && strings.Contains(s[:i], ".")) {
			return seconds{}, bad
		}
		r, ok := new(big.Rat).SetString(s[:i])
		if !ok {
			return seconds{}, bad
		}
		total.Add(total, r.Mul(r, new(big.Rat).SetInt64(mult)))
		any = true
		s = s[i+1:]
	}
	if !any {
		return seconds{}, bad
	}
	if neg {
		total.Neg(total)
	}
	return fromRat(total)
}

// append writes the value as decimal seconds with nine fraction digits, as
// Jackson writes Instants and Durations (seconds + nano / 1e9).
func (s seconds) append(out []byte) []byte {
	sec, nano := s.sec, s.nano
	if sec < 0 {
		out = append(out, '-')
		if nano > 0 {
			sec, nano = -sec-1, 1_000_000_000-nano
		} else {
			sec = -sec
		}
	}
	out = strconv.AppendUint(out, uint64(sec), 10)
	out = append(out, '.')
	var digits [9]byte
	for i := 8; i >= 0; i-- {
		digits[i] = byte('0' + nano%10)
		nano /= 10
	}
	return append(out, digits[:]...)
}

// appendString writes s as a JSON string. Only quotes, backslashes and
// control characters need escaping; s is valid UTF-8.
func appendString(out []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' {
			b, _ := json.Marshal(s) // cannot fail for a string
			return append(out, b...)
		}
	}
	out = append(out, '"')
	out = append(out, s...)
	return append(out, '"')
}

// truncate keeps error texts short when they quote a name from the input.
func truncate(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}
