package arena

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParse checks that Parse never panics and that every input ends as
// exactly one of: a Message that is complete and survives being stored and
// rebuilt, or a *ParseError with one reason and text PostgreSQL can store.
func FuzzParse(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no seed fixtures: %v", err)
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range []string{
		"", "null", "[]", `{"table":`, `{}`,
		envelope(string(TableDeltaker), "D", minimalDeltaker),
		envelope(string(TableHistDeltaker), "I", `{"HIST_TILTAKDELTAKER_ID":"5","DELTAKERSTATUSKODE":1,"REG_DATO":"x","MOD_DATO":"y","BRUKERID_STATUSENDRING":true}`),
		envelope(string(TableGjennomforing), "U", `{"TILTAKGJENNOMFORING_ID":1.5e2,"TILTAKSKODE":"JOBBK","PROSENT_DELTID":"1e-50"}`),
		`{"table":"SIAMO.TILTAKDELTAKER","op_type":"X","op_ts":"2022-01-12 24:00:00.000000","pos":"1"}`,
		"{\"table\":\"\\u\\u00000000\x00\",\"pos\":\"\xff\"}",
	} {
		f.Add([]byte(s))
	}

	reasons := []error{ErrEmpty, ErrBadJSON, ErrUnknownTable, ErrBadOpType, ErrBadOpTS, ErrBadPos, ErrMissingImage, ErrBadImage}
	f.Fuzz(func(t *testing.T, value []byte) {
		m, err := Parse(value, src)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error is %T, want *ParseError: %v", err, err)
			}
			if !reflect.ValueOf(m).IsZero() {
				t.Fatalf("got a message and an error")
			}
			n := 0
			for _, r := range reasons {
				if errors.Is(err, r) {
					n++
				}
			}
			if n != 1 {
				t.Fatalf("error %q matches %d reasons, want 1", err, n)
			}
			for name, s := range map[string]string{"raw": pe.Raw, "table": pe.Table, "arena id": pe.ArenaID} {
				if !utf8.ValidString(s) || strings.IndexByte(s, 0) >= 0 {
					t.Fatalf("%s %q cannot be stored in PostgreSQL", name, s)
				}
			}
			if pe.Synthetic != (pe.Pos == SyntheticPos(src)) || (!pe.Synthetic && !validPos(pe.Pos)) {
				t.Fatalf("bad position %q (synthetic %v)", pe.Pos, pe.Synthetic)
			}
			return
		}

		if !m.Table.Known() || m.Image() == nil || !validPos(m.Pos) {
			t.Fatalf("incomplete message %+v", m)
		}
		if m.Image().Table() != m.Table {
			t.Fatalf("image of table %s in a %s message", m.Image().Table(), m.Table)
		}
		var images [2][]byte
		for i, r := range []Record{m.Before, m.After} {
			if r == nil {
				continue
			}
			noNUL(t, reflect.ValueOf(r).Elem())
			if images[i], err = Encode(r); err != nil {
				t.Fatalf("encode: %v", err)
			}
		}
		back, err := Rebuild(m.Table, m.Operation, m.Timestamp, m.Pos, images[0], images[1])
		if err != nil {
			t.Fatalf("rebuild: %v", err)
		}
		if !reflect.DeepEqual(m, back) {
			t.Fatalf("rebuilt message differs:\n%+v\n%+v", m, back)
		}
		if again, _ := Encode(m.Image()); !bytes.Equal(again, images[map[bool]int{true: 0, false: 1}[m.Operation == Deleted]]) {
			t.Fatalf("encoding is not stable")
		}
	})
}

// noNUL fails when a text field holds U+0000, which PostgreSQL rejects.
func noNUL(t *testing.T, v reflect.Value) {
	t.Helper()
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			noNUL(t, v.Elem())
		}
	case reflect.Struct:
		for i := range v.NumField() {
			noNUL(t, v.Field(i))
		}
	case reflect.String:
		if strings.IndexByte(v.String(), 0) >= 0 {
			t.Fatalf("text %q holds NUL", v.String())
		}
	}
}
