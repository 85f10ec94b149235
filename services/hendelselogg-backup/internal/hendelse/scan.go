package hendelse

import (
	"encoding/json"
	"errors"
)

// A hand-written scanner for the one shape this package reads: a JSON object
// with a handful of members. It validates exactly what encoding/json.Valid
// validates (the caller checks UTF-8 separately) and hands out the raw bytes
// of each member, without allocating per value; a backup decodes every
// record, so this is the hot path.

// maxDepth bounds nesting, as encoding/json does.
const maxDepth = 10000

var errSyntax = errors.New("invalid JSON")

// member is one name/value pair of an object; val is the raw JSON value.
type member struct {
	key []byte // the name, unescaped
	val []byte
}

// object is the members of an object, in order; on duplicate names the last
// one counts, as with Jackson and encoding/json.
type object []member

func (o object) get(name string) ([]byte, bool) {
	for i := len(o) - 1; i >= 0; i-- {
		if string(o[i].key) == name {
			return o[i].val, true
		}
	}
	return nil, false
}

// parseDocument validates b as one JSON document and, if it is an object,
// returns its members (isObject false otherwise).
func parseDocument(b []byte, dst object) (o object, isObject bool, err error) {
	i := skipWS(b, 0)
	if i < len(b) && b[i] == '{' {
		end, members, err := scanObject(b, i, 0, dst)
		if err != nil {
			return nil, false, err
		}
		if skipWS(b, end) != len(b) {
			return nil, false, errSyntax
		}
		return members, true, nil
	}
	end, err := scanValue(b, i, 0)
	if err != nil || skipWS(b, end) != len(b) {
		return nil, false, errSyntax
	}
	return nil, false, nil
}

// parseObject parses a raw value that must be an object.
func parseObject(raw []byte) (object, error) {
	o, isObject, err := parseDocument(raw, nil)
	if err != nil {
		return nil, err
	}
	if !isObject {
		return nil, errors.New("not an object")
	}
	return o, nil
}

func skipWS(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// scanObject scans the object at b[i] == '{' and collects its members when
// collect is not nil (the top level); nested objects are only validated.
func scanObject(b []byte, i, depth int, collect object) (int, object, error) {
	if depth > maxDepth {
		return 0, nil, errSyntax
	}
	members := collect[:0]
	i = skipWS(b, i+1)
	if i < len(b) && b[i] == '}' {
		return i + 1, members, nil
	}
	for {
		if i >= len(b) || b[i] != '"' {
			return 0, nil, errSyntax
		}
		kEnd, escaped, err := scanString(b, i)
		if err != nil {
			return 0, nil, err
		}
		key := b[i+1 : kEnd-1]
		if escaped {
			var s string
			if err := json.Unmarshal(b[i:kEnd], &s); err != nil {
				return 0, nil, errSyntax
			}
			key = []byte(s)
		}
		i = skipWS(b, kEnd)
		if i >= len(b) || b[i] != ':' {
			return 0, nil, errSyntax
		}
		i = skipWS(b, i+1)
		vEnd, err := scanValue(b, i, depth+1)
		if err != nil {
			return 0, nil, err
		}
		members = append(members, member{key: key, val: b[i:vEnd]})
		i = skipWS(b, vEnd)
		if i >= len(b) {
			return 0, nil, errSyntax
		}
		switch b[i] {
		case ',':
			i = skipWS(b, i+1)
		case '}':
			return i + 1, members, nil
		default:
			return 0, nil, errSyntax
		}
	}
}

func scanArray(b []byte, i, depth int) (int, error) {
	if depth > maxDepth {
		return 0, errSyntax
	}
	i = skipWS(b, i+1)
	if i < len(b) && b[i] == ']' {
		return i + 1, nil
	}
	for {
		end, err := scanValue(b, i, depth+1)
		if err != nil {
			return 0, err
		}
		i = skipWS(b, end)
		if i >= len(b) {
			return 0, errSyntax
		}
		switch b[i] {
		case ',':
			i = skipWS(b, i+1)
		case ']':
			return i + 1, nil
		default:
			return 0, errSyntax
		}
	}
}

// scanValue returns the end of the value starting at b[i].
func scanValue(b []byte, i, depth int) (int, error) {
	if i >= len(b) {
		return 0, errSyntax
	}
	switch c := b[i]; {
	case c == '{':
		end, _, err := scanObject(b, i, depth, nil)
		return end, err
	case c == '[':
		return scanArray(b, i, depth)
	case c == '"':
		end, _, err := scanString(b, i)
		return end, err
	case c == '-' || (c >= '0' && c <= '9'):
		return scanNumber(b, i)
	case c == 't':
		return literal(b, i, "true")
	case c == 'f':
		return literal(b, i, "false")
	case c == 'n':
		return literal(b, i, "null")
	}
	return 0, errSyntax
}

func literal(b []byte, i int, lit string) (int, error) {
	if len(b)-i < len(lit) || string(b[i:i+len(lit)]) != lit {
		return 0, errSyntax
	}
	return i + len(lit), nil
}

// scanString returns the end (after the closing quote) of the string at
// b[i] == '"' and whether it holds escapes.
func scanString(b []byte, i int) (int, bool, error) {
	escaped := false
	for i++; i < len(b); i++ {
		switch c := b[i]; {
		case c == '"':
			return i + 1, escaped, nil
		case c < 0x20:
			return 0, false, errSyntax
		case c == '\\':
			escaped = true
			i++
			if i >= len(b) {
				return 0, false, errSyntax
			}
			switch b[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if len(b)-i < 5 || !isHex(b[i+1]) || !isHex(b[i+2]) || !isHex(b[i+3]) || !isHex(b[i+4]) {
					return 0, false, errSyntax
				}
				i += 4
			default:
				return 0, false, errSyntax
			}
		}
	}
	return 0, false, errSyntax
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

// scanNumber follows the JSON number grammar:
// -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?
func scanNumber(b []byte, i int) (int, error) {
	if b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
	default:
		return 0, errSyntax
	}
	if i < len(b) && b[i] == '.' {
		i++
		start := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		if i == start {
			return 0, errSyntax
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		start := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		if i == start {
			return 0, errSyntax
		}
	}
	return i, nil
}
