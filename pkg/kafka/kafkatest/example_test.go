package kafkatest_test

import (
	"context"
	"fmt"
	"log"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/navikt/kafkapg/pkg/kafka"
	"github.com/navikt/kafkapg/pkg/kafka/kafkatest"
)

// Outside a test (a local stack, a demo) Start gives a cluster on real TCP
// ports; the code under test talks to it through its ordinary kafka.Config.
// Tests use New(t), which closes the cluster when the test ends.
func ExampleStart() {
	c, err := kafkatest.Start(kfake.SeedTopics(1, "greetings"))
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	p, err := kafka.NewProducer(c.Config())
	if err != nil {
		log.Fatal(err)
	}
	defer p.Close()
	if err := p.Send(context.Background(), &sarama.ProducerMessage{
		Topic: "greetings", Key: sarama.StringEncoder("k"), Value: sarama.StringEncoder("hello"),
		Headers: []sarama.RecordHeader{{Key: []byte("traceparent"), Value: []byte("00-abc-def-01")}},
	}); err != nil {
		log.Fatal(err)
	}

	consumer, err := sarama.NewConsumer(c.Addrs(), sarama.NewConfig())
	if err != nil {
		log.Fatal(err)
	}
	defer consumer.Close()
	pc, err := consumer.ConsumePartition("greetings", 0, sarama.OffsetOldest)
	if err != nil {
		log.Fatal(err)
	}
	defer pc.Close()
	m := <-pc.Messages()
	fmt.Printf("%s=%s at offset %d, header %s\n", m.Key, m.Value, m.Offset, m.Headers[0].Key)
	// Output: k=hello at offset 0, header traceparent
}
