package hendelse

import (
	"encoding/json"
	"math/big"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
)

var scanSeeds = []string{
	`{}`, `[]`, `""`, `0`, `-0`, `1.5e-3`, `true`, `null`, ` {"a" : [1, {"b": null}] } `,
	`{"a":1,"a":2}`, `{"\u0061":"\ud83d\ude00"}`, `{"a":"\u00"}`, `{"a":01}`, `{"a":1.}`, `{"a":.5}`,
	`{"a":-}`, `{"a":1e}`, `{"a":tru}`, `{"a" 1}`, `{"a":1,}`, `[1,]`, `{"a":"x` + "\x01" + `"}`,
	`{"a":"\x"}`, `{} {}`, ``, ` `, `{"a":[[[[[]]]]]}`, `"\/"`, `{"arbeidssoekerId":123}`,
}

// The scanner accepts exactly what encoding/json accepts, and on objects
// yields the members encoding/json would (the last of duplicate names).
func FuzzScannerAgreesWithEncodingJSON(f *testing.F) {
	for _, s := range scanSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if !utf8.Valid(b) {
			return
		}
		obj, isObject, err := parseDocument(b, nil)
		require.Equal(t, json.Valid(b), err == nil, "%q", b)
		if err != nil || !isObject {
			return
		}
		var want map[string]json.RawMessage
		require.NoError(t, json.Unmarshal(b, &want))
		for k, v := range want {
			got, ok := obj.get(k)
			require.True(t, ok, "%q in %q", k, b)
			require.JSONEq(t, string(v), string(got))
		}
	})
}

// The fast decimal path agrees with exact rational arithmetic.
func TestParseSecondsFastPathAgreesWithBigRat(t *testing.T) {
	t.Parallel()
	rnd := rand.New(rand.NewPCG(9, 9))
	for range 20000 {
		s := strconv.FormatInt(rnd.Int64N(1<<50)-(1<<49), 10)
		if rnd.IntN(4) > 0 {
			s += "." + strconv.FormatUint(rnd.Uint64(), 10)[:1+rnd.IntN(12)]
		}
		got, err := parseSeconds([]byte(s))
		require.NoError(t, err, s)
		r, _ := new(big.Rat).SetString(s)
		want, err := fromRat(r)
		require.NoError(t, err)
		require.Equal(t, want, got, s)
	}
}

func BenchmarkDecode(b *testing.B) {
	rnd := rand.New(rand.NewPCG(1, 1))
	var values [][]byte
	for _, typ := range TypeNames() {
		v, _ := Sample(rnd, typ, 42, time.Now())
		values = append(values, v)
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, err := Decode(values[i%len(values)]); err != nil {
			b.Fatal(err)
		}
	}
}
