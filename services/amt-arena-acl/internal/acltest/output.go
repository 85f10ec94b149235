package acltest

import (
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/google/uuid"

	"github.com/navikt/kafkapg/pkg/kafka/kafkatest"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/amt"
)

// Output is one AMT message produced.
type Output struct {
	Topic  string
	Offset int64
	Key    string
	Value  []byte
	// Envelope is the decoded value on the AMT topic.
	Envelope *amt.Message
	// Deltaker is the payload: the envelope's, or the whole value on the
	// enkeltplass topic.
	Deltaker amt.Deltaker
}

// collector reads everything produced to the output topics.
type collector struct {
	kafka *kafkatest.Cluster

	mu      sync.Mutex
	got     []Output
	next    map[string]int64 // topic → next offset expected
	changed chan struct{}
}

func startCollector(t testing.TB, k *kafkatest.Cluster, topics ...string) *collector {
	c := &collector{kafka: k, next: map[string]int64{}, changed: make(chan struct{}, 1)}
	consumer, err := sarama.NewConsumer(k.Addrs(), k.SaramaConfig(t))
	must(t, err)
	var (
		wg  sync.WaitGroup
		pcs []sarama.PartitionConsumer
	)
	t.Cleanup(func() {
		for _, pc := range pcs {
			pc.AsyncClose()
		}
		wg.Wait()
		_ = consumer.Close()
	})
	for _, topic := range topics {
		pc, err := consumer.ConsumePartition(topic, 0, sarama.OffsetOldest)
		must(t, err)
		pcs = append(pcs, pc)
		wg.Go(func() {
			for m := range pc.Messages() {
				c.add(t, m)
			}
		})
	}
	return c
}

func (c *collector) add(t testing.TB, m *sarama.ConsumerMessage) {
	o := Output{Topic: m.Topic, Offset: m.Offset, Key: string(m.Key), Value: m.Value}
	if m.Topic == TopicAmt {
		var env amt.Message
		if err := json.Unmarshal(m.Value, &env); err != nil {
			t.Errorf("AMT message %s@%d is not an envelope: %v", m.Topic, m.Offset, err)
		}
		o.Envelope, o.Deltaker = &env, env.Payload
	} else if err := json.Unmarshal(m.Value, &o.Deltaker); err != nil {
		t.Errorf("AMT message %s@%d is not a deltaker: %v", m.Topic, m.Offset, err)
	}
	c.mu.Lock()
	c.got = append(c.got, o)
	c.next[m.Topic] = m.Offset + 1
	c.mu.Unlock()
	select {
	case c.changed <- struct{}{}:
	default:
	}
}

// Output waits until everything produced to the output topics so far has
// been read, and returns it in the order read (per topic, Kafka's order).
func (e *Env) Output() []Output {
	e.t.Helper()
	want := map[string]int64{}
	for _, topic := range []string{TopicAmt, TopicEnkeltplass} {
		_, want[topic] = e.Kafka.Offsets(e.t, topic, 0)
	}
	e.waitOutput(fmt.Sprintf("output up to %v", want), func() bool {
		e.out.mu.Lock()
		defer e.out.mu.Unlock()
		for topic, n := range want {
			if e.out.next[topic] < n {
				return false
			}
		}
		return true
	})
	e.out.mu.Lock()
	defer e.out.mu.Unlock()
	return append([]Output(nil), e.out.got...)
}

// OutputFor is Output keyed by one deltaker's UUID.
func (e *Env) OutputFor(id uuid.UUID) []Output {
	e.t.Helper()
	var out []Output
	for _, o := range e.Output() {
		if o.Key == id.String() {
			out = append(out, o)
		}
	}
	return out
}

// WaitOutput waits until n messages keyed by id have been produced, and
// returns them.
func (e *Env) WaitOutput(id uuid.UUID, n int) []Output {
	e.t.Helper()
	var out []Output
	e.waitOutput(fmt.Sprintf("%d AMT message(s) for %s", n, id), func() bool {
		e.out.mu.Lock()
		defer e.out.mu.Unlock()
		out = out[:0]
		for _, o := range e.out.got {
			if o.Key == id.String() {
				out = append(out, o)
			}
		}
		return len(out) >= n
	})
	return out
}

func (e *Env) waitOutput(what string, cond func() bool) {
	e.t.Helper()
	deadline := time.NewTimer(Wait)
	defer deadline.Stop()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case <-e.out.changed:
		case <-tick.C:
		case <-deadline.C:
			e.t.Fatalf("waited %s for %s", Wait, what)
		}
	}
}
