package main

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/stretchr/testify/require"

	bt "github.com/navikt/kafkapg/services/hendelselogg-backup/internal/backuptest"
	"github.com/navikt/kafkapg/services/hendelselogg-backup/internal/hendelse"
)

// traffic produces records to every partition of the three topics in the
// background until stop is called: hendelser of random types, Avro-looking
// bytes, traceparent and other headers (duplicates and null values among
// them), and every poisonEvery-th record one the backup must quarantine.
type traffic struct {
	e       *bt.Env
	parts   int32
	stopped chan struct{}
	done    chan struct{}
	sent    atomic.Int64
	errMu   sync.Mutex
	err     error
}

func startTraffic(t testing.TB, e *bt.Env, partitions int32, poisonEvery int, pause time.Duration) *traffic {
	tr := &traffic{e: e, parts: partitions, stopped: make(chan struct{}), done: make(chan struct{})}
	sc := e.Kafka.SaramaConfig(t)
	sc.Producer.Partitioner = sarama.NewManualPartitioner
	sc.Producer.RequiredAcks = sarama.WaitForAll
	sc.Producer.Return.Successes = true
	sc.Producer.Idempotent = true
	sc.Net.MaxOpenRequests = 1
	p, err := sarama.NewSyncProducer(e.Kafka.Addrs(), sc)
	require.NoError(t, err)
	go func() {
		defer close(tr.done)
		defer p.Close()
		rnd := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
		n := 0
		for {
			select {
			case <-tr.stopped:
				return
			default:
			}
			msgs := make([]*sarama.ProducerMessage, 30)
			for i := range msgs {
				n++
				topic := e.Topics.All()[n%3]
				msgs[i] = record(rnd, topic, topic == e.Topics.Hendelse, int32(rnd.IntN(int(partitions))), poisonEvery > 0 && n%poisonEvery == 0)
			}
			if err := p.SendMessages(msgs); err != nil {
				tr.fail(err)
				return
			}
			for _, m := range msgs {
				e.NoteProduced(bt.TP{Topic: m.Topic, Partition: m.Partition}, m.Offset)
			}
			tr.sent.Add(int64(len(msgs)))
			if pause > 0 {
				time.Sleep(pause) // paces the traffic; nothing waits on it
			}
		}
	}()
	return tr
}

func (tr *traffic) fail(err error) {
	tr.errMu.Lock()
	defer tr.errMu.Unlock()
	if tr.err == nil {
		tr.err = err
	}
}

// stop ends the traffic and fails the test if producing failed.
func (tr *traffic) stop(t testing.TB) int64 {
	t.Helper()
	close(tr.stopped)
	<-tr.done
	tr.errMu.Lock()
	defer tr.errMu.Unlock()
	require.NoError(t, tr.err)
	return tr.sent.Load()
}

// record makes one record for topic, a hendelse when isHendelse.
func record(rnd *rand.Rand, topic string, isHendelse bool, partition int32, poison bool) *sarama.ProducerMessage {
	person := int64(1 + rnd.IntN(1000))
	m := &sarama.ProducerMessage{
		Topic: topic, Partition: partition,
		Key:       sarama.ByteEncoder(binary.BigEndian.AppendUint64(nil, uint64(rnd.Int64()))),
		Timestamp: time.UnixMilli(1_700_000_000_000 + rnd.Int64N(100_000_000_000)),
		Headers: []sarama.RecordHeader{
			{Key: []byte("traceparent"), Value: []byte(fmt.Sprintf("00-%032x-%016x-01", rnd.Uint64(), rnd.Uint64()))},
		},
	}
	switch rnd.IntN(4) {
	case 0:
		m.Headers = append(m.Headers, sarama.RecordHeader{Key: []byte("x-null"), Value: nil})
	case 1:
		m.Headers = append(m.Headers, sarama.RecordHeader{Key: []byte("traceparent"), Value: []byte("test-traceparent")})
	case 2:
		m.Headers = nil
	}
	if isHendelse {
		types := hendelse.TypeNames()
		v, _ := hendelse.Sample(rnd, types[rnd.IntN(len(types))], person, time.UnixMilli(m.Timestamp.UnixMilli()))
		m.Value = sarama.ByteEncoder(v)
	} else {
		v := make([]byte, 5+rnd.IntN(200))
		for i := 5; i < len(v); i++ {
			v[i] = byte(rnd.Uint32())
		}
		binary.BigEndian.PutUint32(v[1:], 100)
		m.Value = sarama.ByteEncoder(v)
	}
	if poison {
		switch rnd.IntN(4) {
		case 0:
			m.Key = nil
		case 1:
			m.Value = nil
		case 2:
			m.Key = sarama.ByteEncoder([]byte{1, 2, 3})
		default:
			m.Value = sarama.StringEncoder(`{"not":"a hendelse"`)
		}
	}
	return m
}
