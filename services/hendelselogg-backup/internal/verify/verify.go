// Package verify compares the backup with what Kafka still holds.
//
// For every partition of the three topics it walks the offsets Kafka holds
// (from the log start to the log end) and the offsets the backup holds (the
// topic's table and its quarantined records, for one version) side by side,
// and reports:
//
//   - missing: offsets Kafka holds at or below the partition's high-water
//     mark that the backup lacks. The backup claims to have passed them, so
//     this is loss, and Run reports it as such.
//   - not yet read: offsets Kafka holds above the high-water mark (lag).
//   - only in the backup: offsets Kafka no longer holds (retention or
//     compaction removed them after they were backed up), the point of a
//     backup.
//   - gaps: offsets at or below the high-water mark that neither holds. Below
//     Kafka's log start they were removed by retention before they were read
//     (the consumer records those in backup_gap); above it they are offsets
//     Kafka never hands out to consumers (compaction, transaction markers).
//
// Invariants: the walk holds one page of backup offsets and one fetch of
// Kafka records per partition at a time, never a whole partition; nothing is
// written anywhere.
package verify

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/IBM/sarama"
	"github.com/jmoiron/sqlx"

	"github.com/navikt/kafkapg/services/hendelselogg-backup/internal/backup"
	"github.com/navikt/kafkapg/services/hendelselogg-backup/internal/config"
)

// Range is an inclusive range of offsets.
type Range struct{ From, To int64 }

func (r Range) String() string {
	if r.From == r.To {
		return fmt.Sprint(r.From)
	}
	return fmt.Sprintf("%d-%d", r.From, r.To)
}

// maxRanges is how many ranges of each kind a report lists.
const maxRanges = 5

// Partition is the report of one partition.
type Partition struct {
	Topic     string
	Partition int32

	KafkaStart, KafkaEnd int64 // log start offset and log end offset (next to be written)
	KafkaRecords         int64 // records Kafka handed out between them
	HWM                  int64 // -1: nothing backed up; -2: no HWM row
	BackupRows           int64 // rows in the table and in quarantine
	BackupFirst          int64 // -1 when there are none
	BackupLast           int64

	Missing       int64 // in Kafka at or below the HWM, not in the backup
	MissingRanges []Range
	NotYetRead    int64 // in Kafka above the HWM
	OnlyInBackup  int64 // in the backup, no longer in Kafka
	Gaps          int64 // at or below the HWM, in neither
	GapRanges     []Range
	RetentionGaps []Range // recorded by the consumer in backup_gap
}

// Report is the outcome of Run.
type Report struct {
	Version    int16
	Partitions []Partition
}

// Missing is the number of records Kafka holds that the backup has passed
// without storing: loss.
func (r Report) Missing() int64 {
	var n int64
	for _, p := range r.Partitions {
		n += p.Missing
	}
	return n
}

// NotYetRead is the number of records Kafka holds above the high-water marks.
func (r Report) NotYetRead() int64 {
	var n int64
	for _, p := range r.Partitions {
		n += p.NotYetRead
	}
	return n
}

// Options tune a verification.
type Options struct {
	Version int16
	// Idle is how long to wait for more records once a partition's fetches
	// dry up before its log end (the remaining offsets are then ones Kafka
	// never hands out, such as transaction markers). Default 3s.
	Idle time.Duration
	// PageSize is how many backup offsets are read at a time (default 5000).
	PageSize int
}

// Run verifies every partition of the configured topics.
func Run(ctx context.Context, db *sqlx.DB, client sarama.Client, topics config.Topics, o Options) (Report, error) {
	if o.Idle <= 0 {
		o.Idle = 3 * time.Second
	}
	if o.PageSize <= 0 {
		o.PageSize = 5000
	}
	consumer, err := sarama.NewConsumerFromClient(client)
	if err != nil {
		return Report{}, fmt.Errorf("create kafka consumer: %w", err)
	}
	defer consumer.Close()
	rep := Report{Version: o.Version}
	for _, tb := range backup.Tables(topics) {
		parts, err := client.Partitions(tb.Topic)
		if err != nil {
			return rep, fmt.Errorf("read partitions of topic %s: %w", tb.Topic, err)
		}
		sort.Slice(parts, func(i, j int) bool { return parts[i] < parts[j] })
		for _, p := range parts {
			pr, err := verifyPartition(ctx, db, client, consumer, tb, p, o)
			if err != nil {
				return rep, fmt.Errorf("verify %s/%d: %w", tb.Topic, p, err)
			}
			rep.Partitions = append(rep.Partitions, pr)
		}
	}
	return rep, nil
}

func verifyPartition(ctx context.Context, db *sqlx.DB, client sarama.Client, consumer sarama.Consumer,
	tb backup.Table, p int32, o Options) (Partition, error) {
	pr := Partition{Topic: tb.Topic, Partition: p, BackupFirst: -1, BackupLast: -1}
	var err error
	if pr.KafkaStart, err = client.GetOffset(tb.Topic, p, sarama.OffsetOldest); err != nil {
		return pr, fmt.Errorf("log start: %w", err)
	}
	if pr.KafkaEnd, err = client.GetOffset(tb.Topic, p, sarama.OffsetNewest); err != nil {
		return pr, fmt.Errorf("log end: %w", err)
	}
	pr.HWM = -2
	var hwm []int64
	if err := db.SelectContext(ctx, &hwm, `SELECT kafka_offset FROM `+backup.TableHWM+
		` WHERE version = $1 AND kafka_topic = $2 AND kafka_partition = $3`, o.Version, tb.Topic, p); err != nil {
		return pr, fmt.Errorf("read hwm: %w", err)
	}
	if len(hwm) == 1 {
		pr.HWM = hwm[0]
	}
	if err := db.SelectContext(ctx, &pr.RetentionGaps, `SELECT from_offset AS "from", to_offset AS "to" FROM `+backup.TableGap+
		` WHERE version = $1 AND kafka_topic = $2 AND kafka_partition = $3 ORDER BY from_offset`, o.Version, tb.Topic, p); err != nil {
		return pr, fmt.Errorf("read recorded gaps: %w", err)
	}

	kafka, err := newKafkaOffsets(consumer, tb.Topic, p, pr.KafkaStart, pr.KafkaEnd, o.Idle)
	if err != nil {
		return pr, err
	}
	defer kafka.close()
	stored := newBackupOffsets(db, tb, o.Version, p, o.PageSize)

	hwmLimit := max(pr.HWM, -1)
	next := int64(0) // lowest offset not yet accounted for
	k, kok, err := kafka.next(ctx)
	if err != nil {
		return pr, err
	}
	b, bok, err := stored.next(ctx)
	if err != nil {
		return pr, err
	}
	for kok || bok {
		var off int64
		inKafka, inBackup := false, false
		switch {
		case kok && bok && k == b:
			off, inKafka, inBackup = k, true, true
		case kok && (!bok || k < b):
			off, inKafka = k, true
		default:
			off, inBackup = b, true
		}
		if off <= hwmLimit && off > next {
			pr.Gaps += off - next
			pr.GapRanges = appendRange(pr.GapRanges, Range{next, off - 1})
		}
		next = max(next, off+1)
		if inKafka {
			pr.KafkaRecords++
		}
		if inBackup {
			pr.BackupRows++
			if pr.BackupFirst < 0 {
				pr.BackupFirst = off
			}
			pr.BackupLast = off
		}
		switch {
		case inKafka && !inBackup && off <= hwmLimit:
			pr.Missing++
			pr.MissingRanges = extendRange(pr.MissingRanges, off)
		case inKafka && !inBackup:
			pr.NotYetRead++
		case inBackup && !inKafka:
			pr.OnlyInBackup++
		}
		if inKafka {
			if k, kok, err = kafka.next(ctx); err != nil {
				return pr, err
			}
		}
		if inBackup {
			if b, bok, err = stored.next(ctx); err != nil {
				return pr, err
			}
		}
	}
	if next <= hwmLimit {
		pr.Gaps += hwmLimit - next + 1
		pr.GapRanges = appendRange(pr.GapRanges, Range{next, hwmLimit})
	}
	return pr, nil
}

func appendRange(rs []Range, r Range) []Range {
	if len(rs) >= maxRanges {
		return rs
	}
	return append(rs, r)
}

// extendRange adds off to the last range when it continues it.
func extendRange(rs []Range, off int64) []Range {
	if n := len(rs); n > 0 && rs[n-1].To == off-1 {
		rs[n-1].To = off
		return rs
	}
	return appendRange(rs, Range{off, off})
}

// kafkaOffsets walks the offsets of the records Kafka hands out.
type kafkaOffsets struct {
	pc       sarama.PartitionConsumer
	end      int64
	idle     time.Duration
	finished bool
}

func newKafkaOffsets(c sarama.Consumer, topic string, p int32, start, end int64, idle time.Duration) (*kafkaOffsets, error) {
	if end <= start {
		return &kafkaOffsets{finished: true}, nil
	}
	pc, err := c.ConsumePartition(topic, p, start)
	if err != nil {
		return nil, fmt.Errorf("consume from %d: %w", start, err)
	}
	return &kafkaOffsets{pc: pc, end: end, idle: idle}, nil
}

func (k *kafkaOffsets) next(ctx context.Context) (int64, bool, error) {
	if k.finished {
		return 0, false, nil
	}
	timer := time.NewTimer(k.idle)
	defer timer.Stop()
	for {
		select {
		case m := <-k.pc.Messages():
			if m.Offset >= k.end {
				k.finished = true
				return 0, false, nil
			}
			if m.Offset == k.end-1 {
				k.finished = true
			}
			return m.Offset, true, nil
		case err := <-k.pc.Errors():
			return 0, false, fmt.Errorf("read kafka: %w", err)
		case <-timer.C:
			// Fetches have dried up before the log end: what is left is not
			// handed out (transaction markers, compacted away).
			k.finished = true
			return 0, false, nil
		case <-ctx.Done():
			return 0, false, ctx.Err()
		}
	}
}

func (k *kafkaOffsets) close() {
	if k.pc != nil {
		k.pc.AsyncClose()
	}
}

// backupOffsets walks the stored offsets of a partition, a page at a time.
type backupOffsets struct {
	db       *sqlx.DB
	q        string
	args     []any
	page     []int64
	last     int64
	pageSize int
	done     bool
}

func newBackupOffsets(db *sqlx.DB, tb backup.Table, version int16, p int32, pageSize int) *backupOffsets {
	return &backupOffsets{
		db: db, pageSize: pageSize, last: -1, args: []any{version, p, tb.Topic},
		q: `SELECT kafka_offset FROM (
			SELECT kafka_offset FROM ` + tb.Name + ` WHERE version = $1 AND kafka_partition = $2 AND kafka_offset > $4
			UNION ALL
			SELECT kafka_offset FROM ` + backup.TableQuarantine + ` WHERE version = $1 AND kafka_topic = $3 AND kafka_partition = $2 AND kafka_offset > $4
		) r ORDER BY kafka_offset LIMIT $5`,
	}
}

func (b *backupOffsets) next(ctx context.Context) (int64, bool, error) {
	if len(b.page) == 0 {
		if b.done {
			return 0, false, nil
		}
		if err := b.db.SelectContext(ctx, &b.page, b.q, append(b.args, b.last, b.pageSize)...); err != nil {
			return 0, false, fmt.Errorf("read backup offsets after %d: %w", b.last, err)
		}
		if len(b.page) < b.pageSize {
			b.done = true
		}
		if len(b.page) == 0 {
			return 0, false, nil
		}
	}
	off := b.page[0]
	b.page = b.page[1:]
	b.last = off
	return off, true, nil
}

// Write prints the report as a table, one line per partition, and a summary.
func (r Report) Write(w io.Writer) error {
	var sb strings.Builder
	fmt.Fprintf(&sb, "version %d\n", r.Version)
	fmt.Fprintf(&sb, "%-50s %5s %10s %10s %10s %10s %10s %8s %8s %8s %8s  %s\n",
		"topic", "part", "kafka_from", "kafka_end", "hwm", "rows", "kafka_recs", "missing", "unread", "only_bak", "gaps", "details")
	for _, p := range r.Partitions {
		var details []string
		if len(p.MissingRanges) > 0 {
			details = append(details, "missing "+ranges(p.MissingRanges))
		}
		if len(p.GapRanges) > 0 {
			details = append(details, "gaps "+ranges(p.GapRanges))
		}
		if len(p.RetentionGaps) > 0 {
			details = append(details, "retention gaps "+ranges(p.RetentionGaps))
		}
		if p.HWM == -2 {
			details = append(details, "no hwm row")
		}
		fmt.Fprintf(&sb, "%-50s %5d %10d %10d %10d %10d %10d %8d %8d %8d %8d  %s\n",
			p.Topic, p.Partition, p.KafkaStart, p.KafkaEnd, p.HWM, p.BackupRows, p.KafkaRecords,
			p.Missing, p.NotYetRead, p.OnlyInBackup, p.Gaps, strings.Join(details, "; "))
	}
	switch {
	case r.Missing() > 0:
		fmt.Fprintf(&sb, "FAILED: the backup lacks %d records that Kafka still holds at or below the high-water marks\n", r.Missing())
	case r.NotYetRead() > 0:
		fmt.Fprintf(&sb, "BEHIND: %d records in Kafka are above the high-water marks and not backed up yet\n", r.NotYetRead())
	default:
		fmt.Fprintln(&sb, "OK: the backup holds every record Kafka holds")
	}
	_, err := io.WriteString(w, sb.String())
	return err
}

func ranges(rs []Range) string {
	s := make([]string, len(rs))
	for i, r := range rs {
		s[i] = r.String()
	}
	return strings.Join(s, ",")
}
