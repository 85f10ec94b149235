package ops

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/jmoiron/sqlx"

	"github.com/navikt/kafkapg/pkg/pg"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/arena"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/ingest"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/store"
)

// markBatch is how many Arena ids one marking transaction locks: small
// enough to stay far below the server's lock table (64 locks per
// connection by default) and to hold up the handlers of those deltakere
// only briefly, large enough that a replay of every deltaker is a few
// minutes.
const markBatch = 100

// relastCodes are the codes relast accepts: the enkeltplass types, which
// Komet is not master for, so re-publishing them overwrites nothing newer.
var relastCodes = []arena.Tiltakskode{arena.TiltakEnkelamo, arena.TiltakEnkfagyrke, arena.TiltakHoyereutd}

func (c *cmd) replay(ctx context.Context, args []string) error {
	f := newFlags("replay", c.deps, true)
	table := f.String("table", "", "the Arena table: "+tableNames())
	kode := f.String("tiltakskode", "", "only deltakere on gjennomføringer with this Arena code (e.g. INDOPPFAG)")
	var ids list
	f.Var(&ids, "arena-id", "only these Arena ids (repeat, comma-separate, or list them after the flags)")
	check := f.Bool("check", false, "list the ids whose newest HANDLED message is not the one handled last, instead of replaying")
	fix := f.Bool("fix", false, "with --check: mark the newest HANDLED message of those ids for retry")
	if err := f.parse(args, &ids); err != nil {
		return err
	}
	t := arena.Table(*table)
	switch {
	case !t.Known():
		return usagef("--table must be one of %s, not %q", tableNames(), *table)
	case *fix && !*check:
		return usagef("--fix goes with --check")
	case *kode != "" && !arena.Tiltakskode(*kode).Supported():
		return usagef("--tiltakskode %q is not an Arena code this service handles", *kode)
	}
	sel := store.ReplaySelection{Table: t, Tiltakskode: arena.Tiltakskode(*kode)}
	if ids != nil {
		sel.ArenaIDs = slices.Clone(ids)
	}
	db, err := c.database(ctx)
	if err != nil {
		return err
	}
	if *check {
		return c.check(ctx, db, f, sel, *fix)
	}

	candidates, err := c.deps.Store.ReplayCandidates(ctx, db, sel)
	if err != nil {
		return err
	}
	c.printf("replay %s%s: %d Arena ids have a HANDLED message.\n", t, describe(sel), len(candidates))
	c.printf("The newest HANDLED message of each will be set to RETRY with 0 attempts, and the next retry tick re-publishes it.\n")
	c.sample(candidates)
	if len(candidates) == 0 {
		return nil
	}
	if err := c.confirm(f); err != nil {
		return err
	}
	return c.mark(ctx, db, t, []ingest.Status{ingest.Handled}, candidates)
}

// check lists the overtaken ids of sel, and marks them with fix.
func (c *cmd) check(ctx context.Context, db *sqlx.DB, f *flags, sel store.ReplaySelection, fix bool) error {
	var within []string
	if sel.Tiltakskode != "" || sel.ArenaIDs != nil {
		ids, err := c.deps.Store.ReplayCandidates(ctx, db, sel)
		if err != nil {
			return err
		}
		within = append([]string{}, ids...)
	}
	over, err := c.deps.Store.ListOvertaken(ctx, db, sel.Table, within)
	if err != nil {
		return err
	}
	c.printf("replay --check %s%s: %d Arena ids whose newest HANDLED message is not the one handled last.\n", sel.Table, describe(sel), len(over))
	if len(over) > 0 {
		w := tabwriter.NewWriter(c.out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "arena_id\tnewest pos\tlast handled pos\tlast handled at")
		for i, o := range over {
			if i == 50 {
				fmt.Fprintf(w, "… and %d more\t\t\t\n", len(over)-50)
				break
			}
			at := ""
			if o.LastHandled != nil {
				at = o.LastHandled.String()
			}
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", o.ArenaID, o.NewestPos, o.LastPos, at)
		}
		if err := w.Flush(); err != nil {
			return err
		}
	}
	if !fix || len(over) == 0 {
		return nil
	}
	c.printf("--fix: the newest HANDLED message of each will be set to RETRY with 0 attempts, and the next retry tick re-publishes it.\n")
	if err := c.confirm(f); err != nil {
		return err
	}
	ids := make([]string, len(over))
	for i, o := range over {
		ids[i] = o.ArenaID
	}
	return c.mark(ctx, db, sel.Table, []ingest.Status{ingest.Handled}, ids)
}

func (c *cmd) relast(ctx context.Context, args []string) error {
	f := newFlags("relast", c.deps, true)
	kode := f.String("tiltakskode", "", "ENKELAMO, ENKFAGYRKE or HOYEREUTD")
	if err := f.parse(args, nil); err != nil {
		return err
	}
	k := arena.Tiltakskode(*kode)
	if !slices.Contains(relastCodes, k) {
		return usagef("--tiltakskode must be ENKELAMO, ENKFAGYRKE or HOYEREUTD (the types Komet is not master for), not %q", *kode)
	}
	db, err := c.database(ctx)
	if err != nil {
		return err
	}
	candidates, err := c.deps.Store.RelastCandidates(ctx, db, k)
	if err != nil {
		return err
	}
	c.printf("relast %s: %d deltakere on %s gjennomføringer have a HANDLED or NEW message.\n", k, len(candidates), k)
	c.printf("The newest HANDLED or NEW message of each will be set to RETRY with 0 attempts, and the next retry tick re-publishes it.\n")
	c.sample(candidates)
	if len(candidates) == 0 {
		return nil
	}
	if err := c.confirm(f); err != nil {
		return err
	}
	return c.mark(ctx, db, arena.TableDeltaker, []ingest.Status{ingest.Handled, ingest.New}, candidates)
}

// mark sets the newest message in statuses of each of ids back to RETRY,
// a batch of ids per transaction under their handler locks (see the
// package documentation), and prints how many rows it marked.
func (c *cmd) mark(ctx context.Context, db *sqlx.DB, table arena.Table, statuses []ingest.Status, ids []string) error {
	var marked int64
	for batch := range slices.Chunk(ids, markBatch) {
		var n int64
		err := pg.InTx(ctx, db, nil, func(tx *sqlx.Tx) error {
			if err := c.deps.Store.LockArenaIDs(ctx, tx, table, batch); err != nil {
				return err
			}
			var err error
			n, err = c.deps.Store.MarkNewestForRetry(ctx, tx, table, statuses, batch)
			return err
		})
		if err != nil {
			return fmt.Errorf("after marking %d rows: %w", marked, err)
		}
		marked += n
	}
	c.printf("Marked %d rows for retry.\n", marked)
	return nil
}

// sample prints a few of ids, so the operator sees what is meant.
func (c *cmd) sample(ids []string) {
	if len(ids) == 0 {
		return
	}
	const show = 10
	s := strings.Join(ids[:min(show, len(ids))], ", ")
	if len(ids) > show {
		s += fmt.Sprintf(", … (%d more)", len(ids)-show)
	}
	c.printf("Arena ids: %s\n", s)
}

func describe(sel store.ReplaySelection) string {
	var parts []string
	if sel.Tiltakskode != "" {
		parts = append(parts, "on "+string(sel.Tiltakskode))
	}
	if sel.ArenaIDs != nil {
		parts = append(parts, fmt.Sprintf("among %d given ids", len(sel.ArenaIDs)))
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, ", ") + ")"
}

func tableNames() string {
	var names []string
	for _, t := range arena.Tables() {
		names = append(names, string(t))
	}
	return strings.Join(names, ", ")
}
