package javafloat

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestStringMatchesJavaFloatToString(t *testing.T) {
	t.Parallel()
	// Expected values are what Float.toString prints on JDK 19 and later.
	cases := []struct {
		name string
		in   float32
		want string
	}{
		{"whole number keeps one fraction digit", 40, "40.0"},
		{"hundred", 100, "100.0"},
		{"half", 2.5, "2.5"},
		{"shortest round trip, not the binary expansion", 0.1, "0.1"},
		{"negative", -1.25, "-1.25"},
		{"zero", 0, "0.0"},
		{"negative zero", float32(math.Copysign(0, -1)), "-0.0"},
		{"smallest plain value", 0.001, "0.001"},
		{"below plain range goes scientific", 0.0001, "1.0E-4"},
		{"largest plain value", 9999999, "9999999.0"},
		{"from ten million scientific", 1e7, "1.0E7"},
		{"scientific with fraction", 1.2345e8, "1.2345E8"},
		{"smallest denormal picks the closer two-digit decimal", math.SmallestNonzeroFloat32, "1.4E-45"},
		{"largest float", math.MaxFloat32, "3.4028235E38"},
		{"many digits", 3.1415927, "3.1415927"},
		{"one third", 1.0 / 3, "0.33333334"},
		{"big whole number in plain range", 1234567, "1234567.0"},
		{"small plain value with leading zeros", 0.0015, "0.0015"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, c.want, Float(c.in).String())
		})
	}
}

func TestMarshalJSONInStructsAndNulls(t *testing.T) {
	t.Parallel()
	b, err := json.Marshal(struct {
		A *Float `json:"a"`
		B *Float `json:"b"`
	}{A: Ptr(40)})
	require.NoError(t, err)
	require.JSONEq(t, `{"a":40.0,"b":null}`, string(b))
	require.Contains(t, string(b), `"a":40.0`)
}

func TestMarshalJSONRejectsNonFinite(t *testing.T) {
	t.Parallel()
	_, err := json.Marshal(Float(float32(math.Inf(1))))
	require.Error(t, err)
}

func TestParse(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		in      string
		want    float32
		wantErr bool
	}{
		{"integer", "40", 40, false},
		{"decimal", "2.5", 2.5, false},
		{"rounds to nearest float32", "0.1", 0.1, false},
		{"exponent", "1.4E-45", math.SmallestNonzeroFloat32, false},
		{"underflow reads as zero", "1e-50", 0, false},
		{"overflow", "1e39", 0, true},
		{"NaN", "NaN", 0, true},
		{"infinity", "Infinity", 0, true},
		{"text", "abc", 0, true},
		{"empty", "", 0, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got, err := Parse(c.in)
			if c.wantErr {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, Float(c.want), got)
		})
	}
}
