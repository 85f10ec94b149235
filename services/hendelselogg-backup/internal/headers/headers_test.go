package headers

import (
	"testing"

	"github.com/IBM/sarama"
	"github.com/stretchr/testify/require"
)

func TestRoundTripKeepsOrderDuplicatesAndNulls(t *testing.T) {
	t.Parallel()
	cases := map[string][]*sarama.RecordHeader{
		"none":                 nil,
		"one":                  {{Key: []byte("traceparent"), Value: []byte("00-abc-def-01")}},
		"null value":           {{Key: []byte("k"), Value: nil}},
		"empty value":          {{Key: []byte("k"), Value: []byte{}}},
		"empty key":            {{Key: []byte{}, Value: []byte("v")}},
		"duplicates in order":  {{Key: []byte("a"), Value: []byte("1")}, {Key: []byte("b"), Value: nil}, {Key: []byte("a"), Value: []byte("2")}},
		"binary":               {{Key: []byte{0xff, 0x00}, Value: []byte{0x00, 0x01, 0xfe}}},
		"long value (varint2)": {{Key: []byte("x"), Value: make([]byte, 300)}},
	}
	for name, hs := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			enc := Encode(hs)
			require.NotEmpty(t, enc)
			got, err := Decode(enc)
			require.NoError(t, err)
			require.Len(t, got, len(hs))
			for i, h := range hs {
				require.Equal(t, h.Key, []byte(got[i].Key), "key %d", i)
				if h.Value == nil {
					require.Nil(t, got[i].Value, "value %d must stay null", i)
				} else {
					require.NotNil(t, got[i].Value, "value %d must stay non-null", i)
					require.Equal(t, h.Value, got[i].Value)
				}
			}
		})
	}
}

func TestEncodingIsKafkaRecordHeaderSection(t *testing.T) {
	t.Parallel()
	// count 2 (zigzag 4), "a" (len 2), "1" (len 2), "b", null (-1 → 1).
	got := Encode([]*sarama.RecordHeader{{Key: []byte("a"), Value: []byte("1")}, {Key: []byte("b")}})
	require.Equal(t, []byte{4, 2, 'a', 2, '1', 2, 'b', 1}, got)
	require.Equal(t, []byte{0}, Encode(nil))
}

func TestDecodeRejectsCorruptInput(t *testing.T) {
	t.Parallel()
	for name, b := range map[string][]byte{
		"negative count":  {1},
		"truncated key":   {2, 10, 'a'},
		"missing value":   {2, 2, 'a'},
		"null key":        {2, 1, 1},
		"trailing bytes":  {0, 0},
		"value too long":  {2, 2, 'a', 20, 'x'},
		"bad value len":   {2, 2, 'a', 3},
		"count too large": {100},
	} {
		_, err := Decode(b)
		require.ErrorIs(t, err, ErrCorrupt, name)
	}
	hs, err := Decode(nil)
	require.NoError(t, err)
	require.Nil(t, hs)
}

func TestLastReturnsTheLastOfSeveral(t *testing.T) {
	t.Parallel()
	hs := []*sarama.RecordHeader{
		{Key: []byte("traceparent"), Value: []byte("first")},
		{Key: []byte("other"), Value: []byte("x")},
		{Key: []byte("traceparent"), Value: []byte("last")},
	}
	h, ok := Last(hs, "traceparent")
	require.True(t, ok)
	require.Equal(t, "last", string(h.Value))
	_, ok = Last(hs, "missing")
	require.False(t, ok)
}
