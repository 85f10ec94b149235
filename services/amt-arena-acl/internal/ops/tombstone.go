package ops

import (
	"context"
	"fmt"

	"github.com/IBM/sarama"
	"github.com/google/uuid"
)

// tombstone sends, for each deltaker, a record with the deltaker's UUID as
// key and no value to the enkeltplass topic: what makes a compacted topic
// forget the deltaker. One at a time, each acknowledged before the next.
func (c *cmd) tombstone(ctx context.Context, args []string) error {
	f := newFlags("tombstone", c.deps, true)
	var raw list
	f.Var(&raw, "deltaker", "the deltaker's AMT UUID (repeat, comma-separate, or list them after the flags)")
	if err := f.parse(args, &raw); err != nil {
		return err
	}
	if len(raw) == 0 {
		return usagef("name at least one --deltaker")
	}
	ids := make([]uuid.UUID, len(raw))
	for i, r := range raw {
		id, err := uuid.Parse(r)
		if err != nil || len(r) != 36 {
			return usagef("--deltaker %q is not a UUID", r)
		}
		ids[i] = id
	}
	db, err := c.database(ctx)
	if err != nil {
		return err
	}
	c.printf("tombstone: a record with no value will be sent to %s for each of these %d deltakere:\n", c.deps.EnkeltplassTopic, len(ids))
	for _, id := range ids {
		t, ok, err := c.deps.Store.GetTranslation(ctx, db, id)
		switch {
		case err != nil:
			return err
		case ok:
			c.printf("  %s  (Arena deltaker %s)\n", id, t.ArenaID)
		default:
			c.printf("  %s  (not a deltaker id known here)\n", id)
		}
	}
	if err := c.confirm(f); err != nil {
		return err
	}
	p, err := c.deps.Producer(ctx)
	if err != nil {
		return fmt.Errorf("connect to Kafka: %w", err)
	}
	for i, id := range ids {
		if err := p.Send(ctx, &sarama.ProducerMessage{Topic: c.deps.EnkeltplassTopic, Key: sarama.StringEncoder(id.String())}); err != nil {
			return fmt.Errorf("tombstone deltaker %s, after %d sent: %w", id, i, err)
		}
		c.printf("Tombstone deltaker med id %s\n", id)
	}
	c.printf("Sent %d tombstones.\n", len(ids))
	return nil
}
