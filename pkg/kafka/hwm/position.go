package hwm

import (
	"context"
	"fmt"

	"github.com/IBM/sarama"
	"go.uber.org/zap"
)

// position is where a partition resumes.
type position struct {
	hwm     int64 // last stored offset, -1 for none
	next    int64 // first offset to fetch
	logEnd  int64 // next offset Kafka will write
	stopped bool  // HWM above the log end: do not consume
}

// position makes sure the partition has an HWM row and decides where it
// resumes: HWM+1, or the log start when retention removed records (reported as
// a gap), or nowhere when the HWM is above the log end.
func (c *Consumer) position(ctx context.Context, client sarama.Client, tp TopicPartition) (position, error) {
	if _, err := c.db.ExecContext(ctx, c.sql.ensure, c.cfg.Version, tp.Topic, tp.Partition); err != nil {
		return position{}, fmt.Errorf("hwm: create hwm row for %s/%d: %w", tp.Topic, tp.Partition, err)
	}
	var hwm int64
	if err := c.db.QueryRowContext(ctx, c.sql.read, c.cfg.Version, tp.Topic, tp.Partition).Scan(&hwm); err != nil {
		return position{}, fmt.Errorf("hwm: read hwm of %s/%d: %w", tp.Topic, tp.Partition, err)
	}
	oldest, err := client.GetOffset(tp.Topic, tp.Partition, sarama.OffsetOldest)
	if err != nil {
		return position{}, fmt.Errorf("hwm: log start of %s/%d: %w", tp.Topic, tp.Partition, err)
	}
	logEnd, err := client.GetOffset(tp.Topic, tp.Partition, sarama.OffsetNewest)
	if err != nil {
		return position{}, fmt.Errorf("hwm: log end of %s/%d: %w", tp.Topic, tp.Partition, err)
	}
	pm := c.m.partition(tp.Topic, tp.Partition)
	pm.observe(hwm, logEnd)
	pos := position{hwm: hwm, next: hwm + 1, logEnd: logEnd}
	switch {
	case pos.next > logEnd:
		pos.stopped = true
		pm.stopped.Set(1)
		c.setStopped(tp)
		c.log.Error("partition stopped: high-water mark is above the log end, the topic was recreated or truncated; "+
			"it will not be consumed until an operator has resolved it",
			zap.String("topic", tp.Topic), zap.Int32("partition", tp.Partition),
			zap.Int64("hwm", hwm), zap.Int64("log_end_offset", logEnd))
	case pos.next < oldest:
		gap := Gap{Topic: tp.Topic, Partition: tp.Partition, From: pos.next, To: oldest - 1}
		pos.next = oldest
		pm.gapRecords.Add(float64(gap.To - gap.From + 1))
		c.log.Error("records were removed by retention before they were read; resuming at the log start",
			zap.String("topic", tp.Topic), zap.Int32("partition", tp.Partition),
			zap.Int64("gap_from", gap.From), zap.Int64("gap_to", gap.To))
		if c.cfg.OnGap != nil {
			c.cfg.OnGap(gap)
		}
	}
	return pos, nil
}
