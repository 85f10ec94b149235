// Package ops holds the operators' commands, run as subcommands of the
// service binary inside a pod (kubectl exec … -- /app/amt-arena-acl
// <command>), with the pod's own database and Kafka credentials:
//
//	replay    --table T [--tiltakskode K] [--arena-id ID …] [--dry-run] [--yes]
//	          set the newest HANDLED message of each Arena id back to RETRY
//	          (attempts 0), so the next retry tick re-publishes it
//	replay    --table T --check [--fix] [--tiltakskode K] [--arena-id ID …] [--dry-run] [--yes]
//	          list the ids whose newest HANDLED message is not the one
//	          handled last; --fix marks their newest one again
//	relast    --tiltakskode ENKELAMO|ENKFAGYRKE|HOYEREUTD [--dry-run] [--yes]
//	          replay of the enkeltplass deltakere of one programme type
//	tombstone --deltaker UUID … [--dry-run] [--yes]
//	          send a tombstone per deltaker to the enkeltplass topic
//	status    counts per table and status, oldest RETRY and FAILED rows
//
// There is no network endpoint for any of it: the original's /internal/api
// routes were guarded only by the caller's address.
//
// Invariants:
//
//   - Nothing is written without --yes. Every command that writes first
//     prints what it will do; without --yes (or with --dry-run) it stops
//     there, writes nothing and says so.
//   - Parameterised SQL only: table names, codes and ids are bind
//     parameters, never part of a query's text.
//   - Marking for re-publishing never lets an older message overtake a
//     newer one. Each batch of Arena ids is marked in one transaction that
//     first takes their per-Arena-id locks, the ones the message handler
//     takes, so no message of those deltakere is being handled meanwhile;
//     a newer message that arrives afterwards finds the older one RETRY and
//     waits for it (the per-deltaker ordering rule), so the retry processor
//     publishes the two in Arena order and the newer one last.
//
// Run the binary's way, a command exits 0 when done (or a dry run), 2 for
// a wrong command line, and 1 when it failed or wrote nothing for want of
// --yes (it says which).
package ops
