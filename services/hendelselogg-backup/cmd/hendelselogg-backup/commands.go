package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math"
	"time"

	"github.com/IBM/sarama"
	"go.uber.org/zap"

	"github.com/navikt/kafkapg/pkg/kafka"
	"github.com/navikt/kafkapg/pkg/pg"
	"github.com/navikt/kafkapg/services/hendelselogg-backup/internal/restore"
	"github.com/navikt/kafkapg/services/hendelselogg-backup/internal/verify"
	"github.com/navikt/kafkapg/services/hendelselogg-backup/migrations"
)

func migrateCmd(ctx context.Context, log *zap.Logger) error {
	cfg, err := loadConfig(false)
	if err != nil {
		return err
	}
	db, err := pg.Open(ctx, cfg.DB)
	if err != nil {
		return fmt.Errorf("open database: %w", err)
	}
	defer db.Close()
	if err := pg.Migrate(ctx, db, migrations.FS, migrations.Dir); err != nil {
		return fmt.Errorf("migrate database: %w", err)
	}
	log.Info("database migrated")
	return nil
}

// restoreCmd produces stored records to a topic. It exits 0 only when every
// selected record was acknowledged.
func restoreCmd(ctx context.Context, log *zap.Logger, args []string, out io.Writer) error {
	cfg, err := loadConfig(true)
	if err != nil {
		return err
	}
	fs := flag.NewFlagSet("restore", flag.ContinueOnError)
	o := restore.DefaultOptions("", "", cfg.Version)
	fs.StringVar(&o.Topic, "topic", "", "the backed-up topic to restore")
	fs.StringVar(&o.TargetTopic, "target-topic", "", "the topic to produce to (same partition count or more)")
	version := fs.Int("version", int(cfg.Version), "the backup version to read")
	partition := fs.Int("partition", restore.AllPartitions, "only this partition (-1: all)")
	fs.Int64Var(&o.FromOffset, "from-offset", 0, "first offset, inclusive")
	fs.Int64Var(&o.ToOffset, "to-offset", math.MaxInt64, "last offset, inclusive")
	fs.BoolVar(&o.DryRun, "dry-run", false, "read and count, produce nothing")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *version < 1 || *version > math.MaxInt16 || *partition < restore.AllPartitions || *partition > math.MaxInt16 {
		return exitError{exitUsage, fmt.Errorf("restore: --version or --partition out of range")}
	}
	o.Version, o.Partition = int16(*version), int32(*partition)
	if err := o.Validate(); err != nil {
		return exitError{exitUsage, fmt.Errorf("restore: %w", err)}
	}

	db, err := pg.Open(ctx, cfg.DB)
	if err != nil {
		return fmt.Errorf("open database: %w", err)
	}
	defer db.Close()
	var (
		producer restore.Producer
		target   restore.Target
	)
	if !o.DryRun {
		p, err := kafka.NewProducer(cfg.Kafka, kafka.WithProducerConfig(func(sc *sarama.Config) {
			// Every record goes back to the partition it came from.
			sc.Producer.Partitioner = sarama.NewManualPartitioner
			sc.Producer.MaxMessageBytes = 64 << 20
		}))
		if err != nil {
			return fmt.Errorf("connect producer: %w", err)
		}
		defer p.Close()
		sc, err := cfg.Kafka.Sarama()
		if err != nil {
			return err
		}
		client, err := sarama.NewClient(cfg.Kafka.Brokers, sc)
		if err != nil {
			return fmt.Errorf("connect to kafka: %w", err)
		}
		defer client.Close()
		producer, target = p, partitionCounter{client}
	}
	res, err := restore.Run(ctx, db, cfg.Topics, producer, target, o, log)
	fmt.Fprintf(out, "restore: selected=%d read=%d sent=%d dry_run=%t\n", res.Selected, res.Read, res.Sent, o.DryRun)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	return nil
}

type partitionCounter struct{ c sarama.Client }

func (p partitionCounter) Partitions(topic string) (int, error) {
	if err := p.c.RefreshMetadata(topic); err != nil {
		return 0, err
	}
	ps, err := p.c.Partitions(topic)
	return len(ps), err
}

// verifyCmd compares the backup with Kafka: exit 0 when nothing is missing
// and nothing is unread, 1 when a record Kafka holds at or below a
// high-water mark is missing (loss), 3 when records are only not read yet.
func verifyCmd(ctx context.Context, log *zap.Logger, args []string, out io.Writer) error {
	cfg, err := loadConfig(true)
	if err != nil {
		return err
	}
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	version := fs.Int("version", int(cfg.Version), "the backup version to verify")
	idle := fs.Duration("idle", 3*time.Second, "how long to wait for more records before a partition's log end")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *version < 1 || *version > math.MaxInt16 {
		return exitError{exitUsage, fmt.Errorf("verify: --version %d is not a version", *version)}
	}
	db, err := pg.Open(ctx, cfg.DB)
	if err != nil {
		return fmt.Errorf("open database: %w", err)
	}
	defer db.Close()
	sc, err := cfg.Kafka.Sarama()
	if err != nil {
		return err
	}
	client, err := sarama.NewClient(cfg.Kafka.Brokers, sc)
	if err != nil {
		return fmt.Errorf("connect to kafka: %w", err)
	}
	defer client.Close()
	log.Info("verify starting", zap.Int("version", *version))
	rep, err := verify.Run(ctx, db, client, cfg.Topics, verify.Options{Version: int16(*version), Idle: *idle})
	if err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	if err := rep.Write(out); err != nil {
		return err
	}
	switch {
	case rep.Missing() > 0:
		return exitError{exitFailure, fmt.Errorf("verify: the backup lacks %d records that Kafka holds", rep.Missing())}
	case rep.NotYetRead() > 0:
		return exitError{exitBehind, fmt.Errorf("verify: %d records are not backed up yet", rep.NotYetRead())}
	}
	return nil
}
