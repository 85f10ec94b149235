package main

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/IBM/sarama"
	"go.uber.org/zap"

	"github.com/navikt/kafkapg/pkg/kafka"
	"github.com/navikt/kafkapg/services/hendelselogg-backup/internal/hendelse"
)

// tick is how often a slice of the rate is sent.
const tick = 100 * time.Millisecond

func simulate(ctx context.Context, s settings, log *zap.Logger) error {
	if err := ensureTopics(s); err != nil {
		return err
	}
	p, err := kafka.NewProducer(s.kafka)
	if err != nil {
		return fmt.Errorf("connect producer: %w", err)
	}
	defer p.Close()
	g := &generator{s: s, rnd: rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))}
	log.Info("simulating traffic", zap.Strings("topics", s.topics.All()), zap.Int("rate_per_s", s.rate),
		zap.Int("poison_every", s.poisonEvery), zap.String("kafka", s.kafka.String()))

	t := time.NewTicker(tick)
	defer t.Stop()
	report := time.NewTicker(10 * time.Second)
	defer report.Stop()
	var sent, odd int64
	owed := 0.0
	for {
		select {
		case <-ctx.Done():
			log.Info("simulator stopped", zap.Int64("sent", sent), zap.Int64("odd", odd))
			return nil
		case <-report.C:
			log.Info("simulator progress", zap.Int64("sent", sent), zap.Int64("odd", odd))
		case <-t.C:
			owed += float64(s.rate) * tick.Seconds()
			n := int(owed)
			owed -= float64(n)
			if n == 0 {
				continue
			}
			msgs := make([]*sarama.ProducerMessage, n)
			for i := range msgs {
				var isOdd bool
				msgs[i], isOdd = g.next()
				if isOdd {
					odd++
				}
			}
			if err := p.Send(ctx, msgs...); err != nil {
				if ctx.Err() != nil {
					return nil
				}
				log.Warn("send failed; going on", zap.Error(err))
				continue
			}
			sent += int64(n)
		}
	}
}

func ensureTopics(s settings) error {
	sc, err := s.kafka.Sarama()
	if err != nil {
		return err
	}
	// A cluster admin finds the controller through a metadata request, which
	// needs full metadata when it knows no topic yet.
	sc.Metadata.Full = true
	admin, err := sarama.NewClusterAdmin(s.kafka.Brokers, sc)
	if err != nil {
		return fmt.Errorf("connect to kafka: %w", err)
	}
	defer admin.Close()
	for _, topic := range s.topics.All() {
		err := admin.CreateTopic(topic, &sarama.TopicDetail{NumPartitions: s.partitions, ReplicationFactor: 1}, false)
		if err != nil && !errors.Is(err, sarama.ErrTopicAlreadyExists) {
			return fmt.Errorf("create topic %s: %w", topic, err)
		}
	}
	return nil
}

// generator makes records. Not safe for concurrent use.
type generator struct {
	s   settings
	rnd *rand.Rand
	n   int
}

// next returns the next record and whether it is one of the odd ones.
func (g *generator) next() (*sarama.ProducerMessage, bool) {
	g.n++
	person := int64(1 + g.rnd.IntN(g.s.persons))
	m := &sarama.ProducerMessage{
		Key:     sarama.ByteEncoder(recordKey(person)),
		Headers: []sarama.RecordHeader{{Key: []byte("traceparent"), Value: []byte(g.traceparent())}},
	}
	switch r := g.rnd.IntN(4); {
	case r < 2:
		m.Topic = g.s.topics.Hendelse
		types := hendelse.TypeNames()
		v, _ := hendelse.Sample(g.rnd, types[g.rnd.IntN(len(types))], person, time.Now())
		m.Value = sarama.ByteEncoder(v)
	case r == 2:
		m.Topic = g.s.topics.Bekreftelse
		m.Value = sarama.ByteEncoder(g.avro(101, person))
	default:
		m.Topic = g.s.topics.PaaVegneAv
		m.Value = sarama.ByteEncoder(g.avro(102, person))
	}
	if g.s.poisonEvery > 0 && g.n%g.s.poisonEvery == 0 {
		g.oddify(m, person)
		return m, true
	}
	return m, false
}

// oddify turns m into one of the records the backup must cope with. Most
// go to quarantine; the last two are stored with a note.
func (g *generator) oddify(m *sarama.ProducerMessage, person int64) {
	switch g.rnd.IntN(7) {
	case 0:
		m.Topic = g.s.topics.Hendelse
		m.Value = sarama.StringEncoder(`{"hendelseType":"bekreftelse.tilgjengelig",`) // cut off
	case 1:
		m.Key = nil // null key
	case 2:
		m.Value = nil // tombstone
	case 3:
		m.Key = sarama.ByteEncoder([]byte{0, 0, 0, 7}) // an int key, not a long
	case 4:
		m.Topic = g.s.topics.Hendelse
		m.Value = sarama.StringEncoder(`{"hendelseType":"bekreftelse.periode_avsluttet","note":"no id"}`)
	case 5:
		m.Topic = g.s.topics.Hendelse
		m.Value = sarama.StringEncoder(fmt.Sprintf(`{"hendelseType":"bekreftelse.fremtidig_type","arbeidssoekerId":%d}`, person))
	default:
		m.Headers = append(m.Headers, sarama.RecordHeader{Key: []byte("traceparent"), Value: []byte(g.traceparent() + "-and-far-too-long-for-the-column")})
	}
}

// recordKey is the person's Kafka key, deliberately not the arbeidssoekerId.
func recordKey(person int64) []byte {
	return binary.BigEndian.AppendUint64(nil, uint64(1_000_000+person*7))
}

func (g *generator) traceparent() string {
	var b [24]byte
	for i := range b {
		b[i] = byte(g.rnd.Uint32())
	}
	return "00-" + hex.EncodeToString(b[:16]) + "-" + hex.EncodeToString(b[16:]) + "-01"
}

// avro returns a Confluent-framed value: magic byte 0, the schema id, then an
// Avro binary record (two UUID strings, a long and an enum index).
func (g *generator) avro(schemaID uint32, person int64) []byte {
	b := []byte{0}
	b = binary.BigEndian.AppendUint32(b, schemaID)
	b = avroString(b, hendelse.RandomUUID(g.rnd))
	b = avroString(b, hendelse.RandomUUID(g.rnd))
	b = binary.AppendVarint(b, person)
	b = binary.AppendVarint(b, time.Now().UnixMilli())
	return binary.AppendVarint(b, int64(g.rnd.IntN(3)))
}

func avroString(b []byte, s string) []byte {
	return append(binary.AppendVarint(b, int64(len(s))), s...)
}
