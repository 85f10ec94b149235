// Package hwm consumes Kafka topics without ever committing offsets to Kafka.
//
// Progress is a high-water mark (HWM) per (version, topic, partition) kept in a
// Postgres table, and it moves in the same transaction as the rows the caller's
// handler writes. A batch is therefore either stored together with its HWM or
// not at all; a crash at any point loses nothing and duplicates nothing.
//
// # Invariants
//
//   - Nothing is ever committed to Kafka. Auto-commit is off and the consumer
//     group is used only to share partitions between replicas. Committed group
//     offsets, if any exist, are ignored.
//   - On every assignment a partition starts at HWM+1. A partition without an HWM
//     row gets one (offset -1) when it is first assigned, so partitions added to a
//     live topic are picked up at their first offset without a restart.
//   - A batch is one transaction: lock the HWM row (SELECT … FOR UPDATE), drop the
//     records at or below the HWM (re-deliveries), call the handler with the rest,
//     move the HWM forward (a conditional UPDATE that never moves it back) and
//     commit. A handler error rolls back rows and HWM together; the same batch is
//     retried after a backoff until it succeeds or the consumer stops.
//   - Because the HWM row is locked for the whole batch, two members that briefly
//     own the same partition (a rebalance in the middle of a batch, a member that
//     was evicted while it worked) serialise on that row: the second one sees the
//     first one's HWM and skips what was already written.
//   - Offsets need not be dense: compaction and transaction markers leave holes,
//     so the HWM is the offset of the last record seen, not a count.
//   - A retention gap (HWM+1 is below the log start) is never skipped silently:
//     the partition starts at the earliest offset, and the gap is logged at ERROR,
//     counted and passed to Config.OnGap.
//   - An HWM above the log end means the topic was recreated or truncated. That
//     partition is stopped with an ERROR and a metric; it is never skipped ahead.
//
// The HWM table's shape is fixed (see DDL); its name is the caller's, so a
// service puts DDL(name) into its own migrations.
//
// The consumer uses an eager rebalance strategy on purpose: every assignment goes
// through the group handler's Setup, which is where the start offsets are read
// from the database.
package hwm
