package arena

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"sync"

	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/javafloat"
)

// A field of a record struct, found by its json tag.
type fieldInfo struct {
	name  string // Arena's column name
	index []int  // for reflect.Value.FieldByIndex, through embedded structs
	kind  fieldKind
}

type fieldKind int

const (
	kindLong      fieldKind = iota // int64: null → 0
	kindNullLong                   // *int64
	kindNullInt                    // *int32
	kindText                       // string: null is an error
	kindNullText                   // *string
	kindNullFloat                  // *javafloat.Float
)

var fieldCache sync.Map // reflect.Type → []fieldInfo

var (
	typeInt64      = reflect.TypeFor[int64]()
	typeNullInt64  = reflect.TypeFor[*int64]()
	typeNullInt32  = reflect.TypeFor[*int32]()
	typeString     = reflect.TypeFor[string]()
	typeNullString = reflect.TypeFor[*string]()
	typeNullFloat  = reflect.TypeFor[*javafloat.Float]()
)

// fieldsOf lists the fields of a record struct type in declaration order.
func fieldsOf(t reflect.Type) []fieldInfo {
	if f, ok := fieldCache.Load(t); ok {
		return f.([]fieldInfo)
	}
	var out []fieldInfo
	var walk func(t reflect.Type, prefix []int)
	walk = func(t reflect.Type, prefix []int) {
		for i := range t.NumField() {
			sf := t.Field(i)
			index := append(append([]int(nil), prefix...), i)
			if sf.Anonymous {
				walk(sf.Type, index)
				continue
			}
			name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
			var k fieldKind
			switch sf.Type {
			case typeInt64:
				k = kindLong
			case typeNullInt64:
				k = kindNullLong
			case typeNullInt32:
				k = kindNullInt
			case typeString:
				k = kindText
			case typeNullString:
				k = kindNullText
			case typeNullFloat:
				k = kindNullFloat
			default:
				panic(fmt.Sprintf("arena: field %s has unsupported type %s", sf.Name, sf.Type))
			}
			out = append(out, fieldInfo{name: name, index: index, kind: k})
		}
	}
	walk(t, nil)
	fieldCache.Store(t, out)
	return out
}

// decodeRecord fills the record dst points to from a JSON object, with the
// coercions described in the package documentation. The first bad field
// is reported by name.
func decodeRecord(obj map[string]json.RawMessage, dst Record) error {
	v := reflect.ValueOf(dst).Elem()
	for _, f := range fieldsOf(v.Type()) {
		raw, present := obj[f.name]
		fv := v.FieldByIndex(f.index)
		if err := setField(fv, f.kind, raw, present); err != nil {
			return fmt.Errorf("%s: %w", f.name, err)
		}
	}
	return nil
}

var errRequired = errors.New("is null or missing, and is required")

func setField(fv reflect.Value, k fieldKind, raw json.RawMessage, present bool) error {
	s := scalar{null: true} // a missing field reads as null
	if present {
		var err error
		if s, err = readScalar(raw); err != nil {
			return err
		}
	}
	switch k {
	case kindLong, kindNullLong, kindNullInt:
		bits := 64
		if k == kindNullInt {
			bits = 32
		}
		n, null, err := s.integer(bits)
		switch {
		case err != nil:
			return err
		case k == kindLong:
			fv.SetInt(n) // null reads as 0
		case !null && k == kindNullLong:
			fv.Set(reflect.ValueOf(&n))
		case !null:
			n32 := int32(n)
			fv.Set(reflect.ValueOf(&n32))
		}
	case kindText, kindNullText:
		switch {
		case s.null && k == kindText:
			return errRequired
		case s.null:
		case k == kindText:
			fv.SetString(s.text)
		default:
			text := s.text
			fv.Set(reflect.ValueOf(&text))
		}
	case kindNullFloat:
		f, null, err := s.float()
		if err != nil {
			return err
		}
		if !null {
			fv.Set(reflect.ValueOf(&f))
		}
	}
	return nil
}

// scalar is one JSON value reduced to what a field can take.
type scalar struct {
	null   bool
	text   string // the string's value, or a number's or boolean's literal
	number bool   // text is a JSON number literal
	str    bool   // text came from a JSON string
}

// readScalar classifies a raw JSON value. Objects and arrays fit no field.
func readScalar(raw json.RawMessage) (scalar, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return scalar{null: true}, nil
	}
	switch raw[0] {
	case 'n':
		return scalar{null: true}, nil
	case 't', 'f':
		return scalar{text: string(raw)}, nil
	case '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return scalar{}, fmt.Errorf("bad string: %w", err)
		}
		return scalar{text: s, str: true}, nil
	case '{':
		return scalar{}, errors.New("is an object, want a scalar")
	case '[':
		return scalar{}, errors.New("is an array, want a scalar")
	}
	return scalar{text: string(raw), number: true}, nil
}

// numericText returns the text a number field reads from a string: trimmed,
// with "" and "null" meaning null.
func (s scalar) numericText() (string, bool) {
	t := strings.TrimSpace(s.text)
	return t, t == "" || t == "null"
}

// integer reads an integer field of the given size. A fraction in a JSON
// number is truncated toward zero, as Jackson does; a string must hold a
// plain decimal integer.
func (s scalar) integer(bits int) (n int64, null bool, err error) {
	if s.null {
		return 0, true, nil
	}
	switch {
	case s.number:
		if n, err := strconv.ParseInt(s.text, 10, bits); err == nil {
			return n, false, nil
		}
		f, err := strconv.ParseFloat(s.text, 64)
		limit := math.Ldexp(1, bits-1)
		if err != nil || f >= limit || f < -limit {
			return 0, false, fmt.Errorf("number %s does not fit a %d-bit integer", s.text, bits)
		}
		return int64(f), false, nil
	case s.str:
		t, null := s.numericText()
		if null {
			return 0, true, nil
		}
		n, err := strconv.ParseInt(t, 10, bits)
		if err != nil {
			return 0, false, fmt.Errorf("%q is not a %d-bit integer", s.text, bits)
		}
		return n, false, nil
	}
	return 0, false, fmt.Errorf("%s is not a number", s.text)
}

// float reads a float field.
func (s scalar) float() (f javafloat.Float, null bool, err error) {
	if s.null {
		return 0, true, nil
	}
	t := s.text
	switch {
	case s.number:
	case s.str:
		if t, null = s.numericText(); null {
			return 0, true, nil
		}
	default:
		return 0, false, fmt.Errorf("%s is not a number", s.text)
	}
	f, err = javafloat.Parse(t)
	return f, false, err
}

// Encode writes a record as the canonical JSON stored in arena_data.before
// and after: every known field in Arena's order, nulls included, Arena's
// upper-case names, floats as Java writes them (40.0), HTML characters not
// escaped.
func Encode(r Record) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(r); err != nil {
		return nil, fmt.Errorf("arena: encode %s record: %w", r.Table(), err)
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}
