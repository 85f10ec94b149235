package main

import (
	"bytes"
	"context"
	"database/sql"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/stretchr/testify/require"

	"github.com/navikt/kafkapg/pkg/kafka"
)

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// The stack starts Kafka on the requested port and a Postgres that accepts
// connections, and stops cleanly when its context ends.
func TestStackStartsAndStopsCleanly(t *testing.T) {
	port := freePort(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ready := make(chan Stack, 1)
	done := make(chan error, 1)
	var out syncBuffer
	go func() {
		done <- run(ctx, config{kafkaPort: port, services: false}, &out, func(s Stack) { ready <- s })
	}()
	var s Stack
	select {
	case s = <-ready:
	case err := <-done:
		t.Fatalf("stack ended before it was ready: %v\n%s", err, out.String())
	case <-time.After(60 * time.Second):
		t.Fatalf("stack not ready\n%s", out.String())
	}
	require.Equal(t, "127.0.0.1:"+strconv.Itoa(port), s.Brokers)

	// Kafka: a topic is auto-created and a record goes in.
	cfg := kafka.Config{Brokers: strings.Split(s.Brokers, ",")}
	p, err := kafka.NewProducer(cfg)
	require.NoError(t, err)
	require.NoError(t, p.Send(ctx, &sarama.ProducerMessage{Topic: "smoke", Value: sarama.StringEncoder("hello")}))
	require.NoError(t, p.Close())

	// Postgres answers.
	db, err := sql.Open("postgres", s.DatabaseURL("postgres"))
	require.NoError(t, err)
	require.NoError(t, db.PingContext(ctx))
	require.NoError(t, db.Close())

	cancel()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(30 * time.Second):
		t.Fatal("stack did not stop")
	}
	require.Contains(t, out.String(), "stopping")
}

// With the services, `make run` is the whole system on one machine: every
// service becomes ready and its simulator's traffic reaches its database.
func TestStackRunsEveryServiceWithTraffic(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ready := make(chan Stack, 1)
	done := make(chan error, 1)
	var out syncBuffer
	go func() {
		done <- run(ctx, config{kafkaPort: freePort(t), services: true}, &out, func(s Stack) { ready <- s })
	}()
	var s Stack
	select {
	case s = <-ready:
	case err := <-done:
		t.Fatalf("stack ended before it was ready: %v\n%s", err, out.String())
	case <-time.After(5 * time.Minute):
		t.Fatalf("stack not ready\n%s", out.String())
	}

	// Each service answers ready, and rows arrive from its simulator.
	progress := map[string]struct{ readyURL, database, query string }{
		"hendelselogg-backup": {"http://127.0.0.1:8081/internal/isReady", "hendelselogg_backup",
			`SELECT count(*) FROM bekreftelse_hwm WHERE kafka_offset >= 0`},
		"amt-arena-acl": {"http://127.0.0.1:8082/internal/isReady", "amt_arena_acl",
			`SELECT count(*) FROM arena_data WHERE ingest_status = 'HANDLED'`},
	}
	for name, p := range progress {
		db, err := sql.Open("postgres", s.DatabaseURL(p.database))
		require.NoError(t, err)
		defer db.Close()
		progressed := func() bool {
			resp, err := http.Get(p.readyURL)
			if err != nil {
				return false
			}
			resp.Body.Close()
			var n int
			return resp.StatusCode == http.StatusOK && db.QueryRow(p.query).Scan(&n) == nil && n > 0
		}
		deadline := time.After(2 * time.Minute)
		for !progressed() {
			select {
			case err := <-done:
				t.Fatalf("stack ended while waiting for %s: %v\n%s", name, err, out.String())
			case <-deadline:
				t.Fatalf("%s never became ready with data\n%s", name, out.String())
			case <-time.After(200 * time.Millisecond):
			}
		}
	}

	cancel()
	select {
	case err := <-done:
		require.NoError(t, err, out.String())
	case <-time.After(time.Minute):
		t.Fatal("stack did not stop")
	}
}
