package hwm

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/IBM/sarama"
)

// write stores one batch: lock the HWM row, drop re-deliveries, hand the rest to
// the handler, move the HWM, commit. It returns the partition's HWM afterwards.
func (c *Consumer) write(ctx context.Context, tp TopicPartition, records []*sarama.ConsumerMessage, pm partitionMetrics) (int64, error) {
	start := time.Now()
	tx, err := c.db.BeginTxx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("hwm: begin batch for %s/%d: %w", tp.Topic, tp.Partition, err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit

	var hwm int64
	err = tx.QueryRowContext(ctx, c.sql.lock, c.cfg.Version, tp.Topic, tp.Partition).Scan(&hwm)
	if errors.Is(err, sql.ErrNoRows) {
		// Setup created it; a missing row means someone deleted it, and starting
		// over at -1 would write everything again.
		return 0, fmt.Errorf("hwm: hwm row of %s/%d (version %d) has disappeared", tp.Topic, tp.Partition, c.cfg.Version)
	}
	if err != nil {
		return 0, fmt.Errorf("hwm: lock hwm of %s/%d: %w", tp.Topic, tp.Partition, err)
	}
	skip := sort.Search(len(records), func(i int) bool { return records[i].Offset > hwm })
	fresh := records[skip:]
	if len(fresh) > 0 {
		if err := c.handler(ctx, tx, Batch{Topic: tp.Topic, Partition: tp.Partition, Records: fresh}); err != nil {
			return 0, fmt.Errorf("hwm: handle %d records of %s/%d from offset %d: %w",
				len(fresh), tp.Topic, tp.Partition, fresh[0].Offset, err)
		}
		last := fresh[len(fresh)-1].Offset
		if _, err := tx.ExecContext(ctx, c.sql.move, c.cfg.Version, tp.Topic, tp.Partition, last); err != nil {
			return 0, fmt.Errorf("hwm: move hwm of %s/%d to %d: %w", tp.Topic, tp.Partition, last, err)
		}
		hwm = last
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("hwm: commit batch of %s/%d: %w", tp.Topic, tp.Partition, err)
	}
	pm.duration.Observe(time.Since(start).Seconds())
	pm.written.Add(float64(len(fresh)))
	pm.duplicates.Add(float64(skip))
	pm.lastBatch.SetToCurrentTime()
	return hwm, nil
}
