package hwm_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/IBM/sarama"
	"github.com/jmoiron/sqlx"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/navikt/kafkapg/pkg/kafka"
	"github.com/navikt/kafkapg/pkg/kafka/hwm"
	"github.com/navikt/kafkapg/pkg/kafka/kafkatest"
	"github.com/navikt/kafkapg/pkg/pg/pgtest"
)

// A service copies a topic into a table. The rows and the high-water mark move
// in one transaction, so a restart continues exactly after the last stored row.
func Example() {
	ctx := context.Background()
	// Infrastructure for the example: an embedded Kafka and a throwaway Postgres.
	k, err := kafkatest.Start()
	check(err)
	defer k.Close()
	check(k.EnsureTopic("orders", 1))
	pg, err := pgtest.Start(pgtest.Options{})
	check(err)
	defer pg.Stop()
	db := sqlx.MustConnect("postgres", pg.DSN())
	defer db.Close()

	// The service's migration: its HWM table and its data table.
	db.MustExec(hwm.DDL("orders_hwm"))
	db.MustExec(`CREATE TABLE orders (kafka_partition int, kafka_offset bigint, body text,
		PRIMARY KEY (kafka_partition, kafka_offset))`)

	producer, err := kafka.NewProducer(k.Config())
	check(err)
	for _, body := range []string{"first", "second", "third"} {
		check(producer.Send(ctx, &sarama.ProducerMessage{Topic: "orders", Value: sarama.StringEncoder(body)}))
	}
	check(producer.Close())

	sc, err := k.Config().Sarama()
	check(err)
	kafkatest.Tune(sc) // short timeouts for an example; production keeps the defaults
	consumer, err := hwm.New(db, hwm.Config{
		Brokers:    k.Addrs(),
		Sarama:     sc,
		GroupID:    "orders-backup-v1",
		Topics:     []string{"orders"},
		Version:    1,
		Table:      "orders_hwm",
		Registerer: prometheus.NewRegistry(),
	}, func(ctx context.Context, tx *sqlx.Tx, b hwm.Batch) error {
		for _, r := range b.Records {
			if _, err := tx.ExecContext(ctx, `INSERT INTO orders VALUES ($1, $2, $3)`,
				b.Partition, r.Offset, string(r.Value)); err != nil {
				return err
			}
		}
		return nil
	})
	check(err)

	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- consumer.Run(runCtx) }()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		var n int
		check(db.Get(&n, `SELECT count(*) FROM orders`))
		if n == 3 {
			break
		}
	}
	stop()
	check(<-done)

	var hwmOffset int64
	check(db.Get(&hwmOffset, `SELECT kafka_offset FROM orders_hwm WHERE version = 1 AND kafka_topic = 'orders'`))
	var bodies []string
	check(db.Select(&bodies, `SELECT body FROM orders ORDER BY kafka_offset`))
	fmt.Println(bodies, "hwm:", hwmOffset)
	// Output: [first second third] hwm: 2
}

func check(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
