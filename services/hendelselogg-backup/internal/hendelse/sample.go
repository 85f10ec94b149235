package hendelse

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"time"
)

// Sample returns a valid event of type typ for arbeidssoekerId id, at time at,
// with random UUIDs from rnd. It is what the traffic simulator and the tests
// produce.
func Sample(rnd *rand.Rand, typ string, id int64, at time.Time) ([]byte, error) {
	t, ok := byName[typ]
	if !ok {
		return nil, fmt.Errorf("unknown hendelseType %q", typ)
	}
	// Written in the field order of the type, like the producer does.
	out := []byte{'{'}
	for _, f := range t.fields {
		out = appendString(out, f.name)
		out = append(out, ':')
		switch {
		case f.name == "arbeidssoekerId":
			out = fmt.Appendf(out, "%d", id)
		case f.kind == kUUID:
			out = appendString(out, RandomUUID(rnd))
		case f.kind == kInstant:
			out = seconds{at.Unix(), int64(at.Nanosecond())}.append(out)
		case f.kind == kDuration:
			out = seconds{int64(rnd.IntN(72 * 3600)), int64(rnd.IntN(4)) * 250_000_000}.append(out)
		case f.kind == kBruker:
			b, _ := json.Marshal(map[string]any{"type": "SLUTTBRUKER", "id": fmt.Sprintf("%011d", rnd.Int64N(1e11)), "sikkerhetsnivaa": "idporten-loa-high"})
			out = append(out, b...)
		case f.name == "kilde":
			out = appendString(out, "paw-arbeidssoekerregisteret-bekreftelse-tjeneste")
		case f.name == "paaVegneAvNamespace":
			out = appendString(out, "teamdagpenger")
		case f.name == "paaVegneAvId":
			out = appendString(out, "dp-rapportering")
		case f.kind == kString:
			out = appendString(out, "x")
		}
		out = append(out, ',')
	}
	out = append(out, `"hendelseType":`...)
	out = appendString(out, t.Name)
	return append(out, '}'), nil
}

// RandomUUID returns a version 4 UUID drawn from rnd.
func RandomUUID(rnd *rand.Rand) string {
	var b [16]byte
	for i := range b {
		b[i] = byte(rnd.Uint32())
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
