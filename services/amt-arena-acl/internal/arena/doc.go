// Package arena reads the change-data-capture messages Oracle GoldenGate
// publishes from Arena's tables SIAMO.TILTAKGJENNOMFORING,
// SIAMO.TILTAKDELTAKER and SIAMO.HIST_TILTAKDELTAKER.
//
// # Message format
//
// A Kafka record value is one JSON object:
//
//	{"table":"SIAMO.TILTAKDELTAKER","op_type":"U","op_ts":"2022-01-12 00:00:06.000000",
//	 "current_ts":"2022-01-12 00:00:08.365000","pos":"00000000050058769820",
//	 "before":{…}|null,"after":{…}|null}
//
// Parse turns it into a Message, reading it the way the Kotlin original's
// Jackson mapper did, because the stored rows and every rule downstream
// depend on those readings:
//
//   - Before parsing, every U+0000 character and every six-character escape
//     \u0000 is removed from the text (PostgreSQL text and jsonb cannot hold
//     NUL). Invalid UTF-8 is replaced by U+FFFD, as Kafka's string
//     deserializer does.
//   - Keys are case-sensitive; unknown keys are ignored.
//   - op_type I, U and D become CREATED, MODIFIED and DELETED.
//   - op_ts is yyyy-MM-dd HH:mm:ss.SSSSSS (exactly six fraction digits),
//     Europe/Oslo wall-clock time. Arena's own dates are yyyy-MM-dd HH:mm:ss
//     (see ParseDate and ParseDateTime).
//   - CREATED and MODIFIED use the after image, DELETED the before image;
//     both images, when present, are read into the table's record type.
//   - A null or missing id that is not nullable in Arena (the row ids,
//     AKTIVITET_ID of a deltaker) reads as 0. A null or missing required
//     text field (DELTAKERSTATUSKODE, REG_DATO, MOD_DATO,
//     BRUKERID_STATUSENDRING, TILTAKSKODE) is an error.
//   - Scalars are coerced: a number in a text field becomes its literal text
//     (91893 → "91893"), a numeric string in a number field its number, an
//     integer in a float field a float, a fraction in an integer field is
//     truncated; "" and "null" in a number field read as null (0 where the
//     field is not nullable).
//
// # Malformed messages
//
// A message that cannot be read is a *ParseError, never a panic. It carries
// what could be read (table, operation, position, Arena id, op_ts) and the
// record value, so the caller can store it as INVALID and move on. When the
// message has no well-formed position, ParseError.Pos is a synthetic one,
// SyntheticPos(src) = "kafka:<topic>:<partition>:<offset>": deterministic, so
// a re-delivered record maps to the same row, and never equal to a GoldenGate
// position (those are digits only) nor to another record's.
package arena
