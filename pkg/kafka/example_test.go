package kafka_test

import (
	"context"
	"fmt"
	"log"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/navikt/kafkapg/pkg/kafka"
	"github.com/navikt/kafkapg/pkg/kafka/kafkatest"
)

// On NAIS the config comes from kafka.ConfigFromEnv(); here an embedded
// broker stands in for the cluster.
func ExampleProducer() {
	broker, err := kafkatest.Start(kfake.SeedTopics(1, "team.orders"))
	if err != nil {
		log.Fatal(err)
	}
	defer broker.Close()
	cfg := broker.Config() // in a service: cfg, err := kafka.ConfigFromEnv()

	p, err := kafka.NewProducer(cfg)
	if err != nil {
		log.Fatal(err)
	}
	defer p.Close()

	msgs := []*sarama.ProducerMessage{
		{Topic: "team.orders", Key: sarama.StringEncoder("order-1"), Value: sarama.StringEncoder(`{"status":"new"}`)},
		{Topic: "team.orders", Key: sarama.StringEncoder("order-1"), Value: sarama.StringEncoder(`{"status":"paid"}`)},
	}
	if err := p.Send(context.Background(), msgs...); err != nil {
		log.Fatal(err) // names the message and topic that failed
	}
	for _, m := range msgs {
		fmt.Printf("%s/%d@%d\n", m.Topic, m.Partition, m.Offset)
	}
	// Output:
	// team.orders/0@0
	// team.orders/0@1
}

// printer prints each message and marks it consumed; after n messages it
// cancels the group, the way a SIGTERM would.
type printer struct {
	n      int
	cancel context.CancelFunc
}

func (*printer) Setup(sarama.ConsumerGroupSession) error   { return nil }
func (*printer) Cleanup(sarama.ConsumerGroupSession) error { return nil }
func (p *printer) ConsumeClaim(sess sarama.ConsumerGroupSession, claim sarama.ConsumerGroupClaim) error {
	for {
		select {
		case m, ok := <-claim.Messages():
			if !ok {
				return nil // rebalance: the runner joins again
			}
			fmt.Printf("%s@%d %s\n", m.Key, m.Offset, m.Value)
			sess.MarkMessage(m, "") // committed by the auto-commit, and on leave
			if p.n--; p.n == 0 {
				p.cancel()
			}
		case <-sess.Context().Done():
			return nil // shutting down or rebalancing
		}
	}
}

func ExampleRunGroup() {
	broker, err := kafkatest.Start(kfake.SeedTopics(1, "team.orders"))
	if err != nil {
		log.Fatal(err)
	}
	defer broker.Close()
	cfg := broker.Config()

	p, err := kafka.NewProducer(cfg)
	if err != nil {
		log.Fatal(err)
	}
	defer p.Close()
	for i := range 3 {
		msg := &sarama.ProducerMessage{Topic: "team.orders", Key: sarama.StringEncoder("order-1"), Value: sarama.StringEncoder(fmt.Sprint("event ", i))}
		if err := p.Send(context.Background(), msg); err != nil {
			log.Fatal(err)
		}
	}

	// In a service: ctx from signal.NotifyContext(ctx, syscall.SIGTERM).
	ctx, cancel := context.WithCancel(context.Background())
	err = kafka.RunGroup(ctx, cfg, "team-orders-reader", []string{"team.orders"}, &printer{n: 3, cancel: cancel},
		kafka.WithInitialOffset(sarama.OffsetOldest))
	fmt.Println("stopped:", err)
	// Output:
	// order-1@0 event 0
	// order-1@1 event 1
	// order-1@2 event 2
	// stopped: <nil>
}

// A readiness probe can report whether the member holds partitions.
func ExampleGroup_HasAssignment() {
	broker, err := kafkatest.Start(kfake.SeedTopics(2, "team.orders"))
	if err != nil {
		log.Fatal(err)
	}
	defer broker.Close()

	started := make(chan struct{})
	h := &readyHandler{started: started}
	g, err := kafka.NewGroup(broker.Config(), "team-orders-ready", []string{"team.orders"}, h)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("before Run:", g.HasAssignment())

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- g.Run(ctx) }()
	<-started // in a service: http.HandleFunc("/isready", ...) checks g.HasAssignment()
	fmt.Println("running:", g.HasAssignment(), g.Assignment()["team.orders"])
	cancel()
	fmt.Println("stopped:", <-done, g.HasAssignment())
	// Output:
	// before Run: false
	// running: true [0 1]
	// stopped: <nil> false
}

// readyHandler signals when its first session has started.
type readyHandler struct{ started chan struct{} }

func (h *readyHandler) Setup(sarama.ConsumerGroupSession) error {
	close(h.started) // one session only in this example
	return nil
}
func (*readyHandler) Cleanup(sarama.ConsumerGroupSession) error { return nil }
func (*readyHandler) ConsumeClaim(sess sarama.ConsumerGroupSession, _ sarama.ConsumerGroupClaim) error {
	<-sess.Context().Done()
	return nil
}
