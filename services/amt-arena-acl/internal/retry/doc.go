// Package retry is the retry processor: it hands the arena_data rows that
// could not be handled when they arrived (RETRY every few minutes, FAILED
// nightly) to the same handler as the live path, again.
//
// A tick works through one status, table by table in the order
// gjennomføring, deltaker, hist deltaker, so that a gjennomføring retried
// in a tick can unblock its deltakere in the same tick. Within a table it
// claims keyset pages in GoldenGate position order, so a deltaker's older
// messages are tried before its newer ones, and hands each row to the
// handler with ingest.Retried(status, attempts+1). The handler decides and
// writes what the attempt led to (ingest.StatusFor: HANDLED, another
// status, or the same status with one more attempt; RETRY turns FAILED
// after ingest.MaxAttempts).
//
// Invariants:
//
//   - A tick attempts a row at most once. The keyset cursor only moves
//     forward, and a claimed row is stamped with the tick's time in
//     last_attempted, which takes it out of the tick's claims.
//   - Processors sharing a tick never attempt the same row, and between
//     them attempt every claimable row once. Two replicas that both believe
//     they lead fire the same schedule at the same time, so their ticks
//     have the same time; they claim pages with FOR UPDATE SKIP LOCKED, and
//     a row one of them claimed no longer matches the other's claim. A
//     processor of a later tick (a manual run) may attempt a row an earlier
//     tick has claimed: that is one attempt per tick, and the handler's
//     per-Arena-id lock keeps the two from handling it at the same time.
//   - A tick costs its work, not the table: every query reads the partial
//     index arena_data_pending_idx, which holds only the rows something
//     picks up again.
//   - A row stamped by a tick that died before handling it is claimed by
//     the next tick. A row put back to RETRY by hand (last_attempted NULL)
//     is claimed by the next tick.
//
// Ticks must use the clock the store stamps rows with: a tick compares its
// time with last_attempted, which the handler sets to the store's "now".
// Both are Europe/Oslo wall-clock times, like every timestamp in
// arena_data, so in the hour the clocks go back in autumn a row attempted
// in the hour's first pass is claimable again only when the second pass
// has reached the same time: once a year, a row may wait an hour longer.
package retry
