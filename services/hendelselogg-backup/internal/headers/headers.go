// Package headers stores Kafka record headers losslessly in one bytea value.
//
// The encoding is the header section of a Kafka v2 record: a zigzag varint
// count, then for each header a zigzag varint key length, the key bytes, a
// zigzag varint value length (-1 for a null value) and the value bytes.
//
// Invariants: order and duplicates are kept; a null value and an empty value
// stay distinct; Decode(Encode(h)) equals h for every header list, whatever
// bytes its keys and values hold. Zero headers encode as the single byte 0x00,
// so an encoded list is never empty and never NULL.
package headers

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/IBM/sarama"
)

// Encode returns hs in the Kafka v2 record header encoding. Nil entries are
// skipped: sarama never produces them.
func Encode(hs []*sarama.RecordHeader) []byte {
	n := 0
	size := binary.MaxVarintLen64
	for _, h := range hs {
		if h != nil {
			n++
			size += 2*binary.MaxVarintLen64 + len(h.Key) + len(h.Value)
		}
	}
	b := make([]byte, 0, size)
	b = binary.AppendVarint(b, int64(n))
	for _, h := range hs {
		if h == nil {
			continue
		}
		b = binary.AppendVarint(b, int64(len(h.Key)))
		b = append(b, h.Key...)
		if h.Value == nil {
			b = binary.AppendVarint(b, -1)
			continue
		}
		b = binary.AppendVarint(b, int64(len(h.Value)))
		b = append(b, h.Value...)
	}
	return b
}

// ErrCorrupt is returned, wrapped, for bytes that are not an encoded header
// list.
var ErrCorrupt = errors.New("corrupt header encoding")

// Decode is the inverse of Encode. An empty input (a NULL column) is no
// headers.
func Decode(b []byte) ([]sarama.RecordHeader, error) {
	if len(b) == 0 {
		return nil, nil
	}
	count, n := binary.Varint(b)
	if n <= 0 || count < 0 || count > int64(len(b)) {
		return nil, fmt.Errorf("%w: bad header count", ErrCorrupt)
	}
	b = b[n:]
	out := make([]sarama.RecordHeader, 0, count)
	for i := range count {
		key, rest, ok := field(b)
		if !ok || key == nil {
			return nil, fmt.Errorf("%w: bad key of header %d", ErrCorrupt, i)
		}
		value, rest, ok := field(rest)
		if !ok {
			return nil, fmt.Errorf("%w: bad value of header %d", ErrCorrupt, i)
		}
		out = append(out, sarama.RecordHeader{Key: key, Value: value})
		b = rest
	}
	if len(b) != 0 {
		return nil, fmt.Errorf("%w: %d trailing bytes", ErrCorrupt, len(b))
	}
	return out, nil
}

// field reads one length-prefixed byte string; length -1 is nil.
func field(b []byte) (v, rest []byte, ok bool) {
	l, n := binary.Varint(b)
	if n <= 0 || l < -1 || l > int64(len(b)-n) {
		return nil, nil, false
	}
	b = b[n:]
	if l == -1 {
		return nil, b, true
	}
	return b[:l:l], b[l:], true
}

// Last returns the last header named key, as Kafka's Headers.lastHeader does,
// and whether there was one.
func Last(hs []*sarama.RecordHeader, key string) (*sarama.RecordHeader, bool) {
	for i := len(hs) - 1; i >= 0; i-- {
		if hs[i] != nil && string(hs[i].Key) == key {
			return hs[i], true
		}
	}
	return nil, false
}
