package ops

import (
	"context"
	"fmt"
	"text/tabwriter"
)

// status prints the rows per table and status, and the oldest RETRY and
// FAILED row of each table. It reads the whole table once.
func (c *cmd) status(ctx context.Context, args []string) error {
	f := newFlags("status", c.deps, false)
	if err := f.parse(args, nil); err != nil {
		return err
	}
	db, err := c.database(ctx)
	if err != nil {
		return err
	}
	counts, err := c.deps.Store.CountByTableAndStatus(ctx, db)
	if err != nil {
		return err
	}
	oldest, err := c.deps.Store.OldestPending(ctx, db)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(c.out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "table\tstatus\trows")
	for _, n := range counts {
		fmt.Fprintf(w, "%s\t%s\t%d\n", n.Table, n.Status, n.Count)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	c.printf("\n")
	if len(oldest) == 0 {
		c.printf("No RETRY or FAILED rows.\n")
		return nil
	}
	w = tabwriter.NewWriter(c.out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "oldest\ttable\tid\tarena_id\tpos\tsince\tattempts\tnote")
	for _, o := range oldest {
		since, note := "", ""
		if o.Ingested != nil {
			since = o.Ingested.String()
		}
		if o.Note != nil {
			note = *o.Note
		}
		fmt.Fprintf(w, "%s\t%s\t%d\t%s\t%s\t%s\t%d\t%s\n", o.Status, o.Table, o.ID, o.ArenaID, o.Pos, since, o.Attempts, note)
	}
	return w.Flush()
}
