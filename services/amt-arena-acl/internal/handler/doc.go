// Package handler applies the service's rules to one stored Arena message:
// the gjennomføring, deltaker and hist deltaker handlers, and the AMT
// message that comes of them.
//
// Processor.Handle is the only entry point. The live consumer calls it for
// every message it has stored; the retry processor calls it for rows it
// tries again. Both get the same rules; only the status written for a
// failure differs (see ingest.StatusFor).
//
// # Invariants
//
//   - One message, one transaction. Handle takes the per-Arena-id lock
//     (store.LockArenaID) first, re-reads the row, and does nothing when the
//     row is no longer in a state to be handled (RETRY, FAILED or WAITING,
//     with the status and attempts the caller saw). So one Arena row's
//     messages are handled one at a time, however many consumers and retry
//     processors run, each sees what the one before it committed, and no
//     message is handled twice at once.
//   - The status and everything the rules wrote are committed together, or
//     not at all. A failure that is an outcome (a missing dependency, bad
//     data, an HTTP error, a failed send) is written as the status
//     ingest.StatusFor decides, with what the rules wrote before it, as the
//     original kept them. A database error inside the rules undoes the
//     rules' writes (to a savepoint) and is written as a status too; only
//     when no status can be written at all does Handle return an error.
//   - HANDLED only after Kafka's ack. The AMT message is sent inside the
//     transaction, before the status is written, and Handle waits for
//     acks=all. A send that fails leaves the row RETRY (or, on the retry
//     path, where it was with one more attempt). A crash or failed commit
//     after the ack leaves the row as it was, so the message is sent again
//     later: delivery to AMT is at least once, and AMT is idempotent by the
//     deltaker's UUID, the Kafka key.
//   - A deltaker's AMT UUID, once it may have been published, is never lost.
//     A new one is created in a transaction of its own (race-free, see
//     store.GetOrCreateAmtID) before anything is sent with it, so no later
//     rollback can make the next attempt invent another. This is the one
//     write outside the message's transaction, and why Handle may briefly
//     use a second database connection: callers must leave the pool room
//     for it (fewer concurrent Handle calls than connections).
//   - A deltaker message is published only when no older message of the
//     same deltaker is RETRY, FAILED or WAITING (compared by GoldenGate
//     position), so AMT sees a deltaker's changes in Arena's order.
//   - No fødselsnummer is ever logged or written to the database: it goes
//     from ORDS into the AMT message and nowhere else.
package handler
