package rest

import (
	"errors"
	"strings"
)

var errNotUUID = errors.New("not a UUID")

// ParseUUID returns s as a canonical, lower-case UUID
// (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx), or an error if it is not one. The
// error does not quote s.
func ParseUUID(s string) (string, error) {
	if len(s) != 36 {
		return "", errNotUUID
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return "", errNotUUID
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return "", errNotUUID
			}
		}
	}
	return strings.ToLower(s), nil
}
