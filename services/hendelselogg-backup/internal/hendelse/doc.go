// Package hendelse knows the JSON events ("hendelser") of the bekreftelse
// hendelseslogg topic: the ten event types, their fields, and the canonical
// form the backup stores as jsonb.
//
// Decode is strict, as the producer's own deserialiser is: the value must be
// a JSON object whose hendelseType names a known type; every field of that
// type must be present (nullable fields may be absent or null); an unknown
// property is an error. The canonical form is the event re-encoded the way
// the producer's Jackson mapper writes it: every field of the type (nullable
// ones as an explicit null), then hendelseType; instants and durations as
// decimal seconds with exactly nine fraction digits; UUIDs in lower case.
// PostgreSQL's jsonb then drops key order and whitespace, so "canonical" is
// about values, not bytes.
//
// Invariants:
//   - Decode accepts a value only when it is valid UTF-8 JSON, an object,
//     of a known type, with every required field present and of the right
//     JSON kind, and no other property. Where Jackson would coerce a value
//     (a quoted number for a long, a base64 UUID), Decode reports an error
//     instead; the producers write neither.
//   - A canonical value decodes to itself: Decode(canonical) == canonical.
//   - Decode reports the top-level arbeidssoekerId of any JSON object that
//     has a numeric one, even when the object is not a known event.
//   - Errors name fields and types, never values.
package hendelse
