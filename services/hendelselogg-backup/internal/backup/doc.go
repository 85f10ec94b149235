// Package backup copies the three bekreftelse topics into Postgres.
//
// Each topic has a table: the JSON hendelser go to bekreftelse_hendelser
// (canonical jsonb plus the original bytes), the two Avro topics to
// bekreftelser and bekreftelse_paa_vegne_av (the value bytes as they are).
// Every row also keeps the record's timestamp and all its headers, so a
// restore can put each record back byte for byte.
//
// Records arrive through pkg/kafka/hwm: one transaction per partition batch,
// in which the high-water mark row is locked, re-deliveries are dropped, this
// package's Writer stores the rest with COPY, and the mark moves to the last
// offset. Nothing is committed to Kafka.
//
// Invariants:
//   - Every offset the consumer hands over ends up in exactly one row: its
//     topic's table, or backup_quarantine when the record cannot go there
//     (a key that is not an 8-byte long, a null value, a hendelse that is not
//     JSON or has no numeric arbeidssoekerId, or a value PostgreSQL refuses).
//     Quarantine keeps the record whole; the high-water mark moves past it.
//   - In strict mode such a record (and anything the original implementation
//     refused: a hendelse that does not decode strictly, a traceparent that is
//     null or longer than 58 characters) fails the batch with hwm.Fatal
//     instead, which stops the consumer without moving the mark.
//   - A batch is written with at most a handful of statements (a savepoint
//     and one COPY per table), never one statement per record. Only when
//     PostgreSQL rejects a row does the Writer split the batch, under
//     savepoints, to find the rows to quarantine.
//   - Nothing in a log line comes from a record's key, value or headers: logs
//     name the topic, partition, offset and the kind of problem.
package backup
