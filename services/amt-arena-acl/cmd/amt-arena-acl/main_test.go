package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/stretchr/testify/require"

	"github.com/navikt/kafkapg/pkg/kafka"
	"github.com/navikt/kafkapg/pkg/kafka/kafkatest"
	"github.com/navikt/kafkapg/pkg/pg/pgtest"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/amt"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/arena"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/arena/arenatest"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/fakenav"
)

var server *pgtest.Server

func TestMain(m *testing.M) { pgtest.Main(m, &server) }

const wait = 30 * time.Second

func TestUnknownCommandIsAUsageError(t *testing.T) {
	t.Parallel()
	err := run(context.Background(), []string{"fly"}, io.Discard)
	require.ErrorIs(t, err, errUsage)
	require.Contains(t, err.Error(), "serve")
	require.Contains(t, err.Error(), "migrate")
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	return strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
}

// The tests below set the process environment, so they do not run in
// parallel with each other; the other tests of the package wait for them.

func TestBadConfigurationStopsServeWithOneLineNamingTheVariable(t *testing.T) {
	t.Setenv("DB_URL", server.DSNFor("postgres"))
	t.Setenv("KAFKA_BROKERS", "localhost:9092")
	t.Setenv("NAIS_TOKEN_ENDPOINT", "")
	t.Setenv("CONSUMER_WORKERS", "lots")
	err := run(context.Background(), nil, io.Discard)
	require.Error(t, err)
	require.NotContains(t, err.Error(), "\n")
	require.Contains(t, err.Error(), "NAIS_TOKEN_ENDPOINT")
	require.Contains(t, err.Error(), "CONSUMER_WORKERS")
}

func TestMigrate(t *testing.T) {
	url := server.NewDBURL(t, nil, "")
	t.Setenv("DB_URL", url)
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"migrate"}, &out))
	require.Contains(t, out.String(), "migrated")
	require.NoError(t, run(context.Background(), []string{"migrate"}, &out), "again: nothing to do")
}

// serve end to end: a gjennomføring and a deltaker in, the AMT message
// out, ready and alive meanwhile, metrics served, and a clean stop.
func TestServe(t *testing.T) {
	k := kafkatest.New(t)
	topics := map[string]string{
		"ARENA_TILTAKGJENNOMFORING_TOPIC":  "gjennomforing",
		"ARENA_TILTAK_DELTAKER_TOPIC":      "deltaker",
		"ARENA_HIST_TILTAK_DELTAKER_TOPIC": "histdeltaker",
		"AMT_TOPIC":                        "amt-topic",
		"AMT_ENKELTPLASS_TOPIC":            "amt-enkeltplass",
	}
	for env, topic := range topics {
		k.CreateTopic(t, topic, 2)
		t.Setenv(env, topic)
	}
	nav := fakenav.NewTestStack(t)
	for key, v := range nav.Env() {
		t.Setenv(key, v)
	}
	port := freePort(t)
	t.Setenv("PORT", port)
	t.Setenv("DB_URL", server.NewDBURL(t, nil, ""))
	t.Setenv("KAFKA_BROKERS", strings.Join(k.Addrs(), ","))
	t.Setenv("LOG_LEVEL", "warn")
	t.Setenv("LOG_FORMAT", "json")

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- serveWith(ctx, serveOptions{
			kafka:    []kafka.GroupOption{kafka.WithGroupConfig(kafkatest.Tune)},
			producer: []kafka.ProducerOption{kafka.WithProducerConfig(kafkatest.Tune)},
		})
	}()

	base := "http://127.0.0.1:" + port
	waitHTTP(t, base+"/internal/isReady", http.StatusOK, done)
	waitHTTP(t, base+"/internal/isAlive", http.StatusOK, done)

	now := time.Now()
	g := arenatest.Gjennomforing(now, 4711, arena.TiltakIndoppfag)
	mr := nav.Mulighetsrommet.AddGjennomforing(fakenav.Gjennomforing{ArenaID: 4711})
	nav.ORDS.SetFnr(42, fakenav.SyntheticFnr(42))
	d := arenatest.Deltaker(now, 815, 42, 4711)
	k.Produce(t, &sarama.ProducerMessage{Topic: "gjennomforing", Value: sarama.ByteEncoder(arenatest.Message(arena.Created, arenatest.Pos(1), g, now))})
	// The deltaker goes after its gjennomføring has been handled: poll the
	// metrics for it.
	waitMetric(t, base, `amt_arena_acl_outcomes_total{path="live",processor="gjennomforing",status="HANDLED"} 1`, done)
	k.Produce(t, &sarama.ProducerMessage{Topic: "deltaker", Value: sarama.ByteEncoder(arenatest.Message(arena.Created, arenatest.Pos(2), d, now))})

	var msg amt.Message
	got := consumeOne(t, k, "amt-topic")
	require.NoError(t, json.Unmarshal(got.Value, &msg))
	require.Equal(t, amt.Created, msg.Operation)
	require.Equal(t, mr.ID, msg.Payload.GjennomforingID.String())
	require.Equal(t, fakenav.SyntheticFnr(42), msg.Payload.PersonIdent)
	waitMetric(t, base, `amt_arena_acl_deltaker_ny_total 1`, done)

	cancel()
	select {
	case err := <-done:
		require.NoError(t, err, "a clean stop")
	case <-time.After(wait):
		t.Fatal("serve did not stop")
	}
}

func consumeOne(t *testing.T, k *kafkatest.Cluster, topic string) *sarama.ConsumerMessage {
	t.Helper()
	deadline := time.Now().Add(wait)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for time.Now().Before(deadline) {
		for p := range int32(2) {
			if _, newest := k.Offsets(t, topic, p); newest > 0 {
				return k.Consume(t, topic, p, sarama.OffsetOldest, 1)[0]
			}
		}
		<-tick.C
	}
	t.Fatalf("nothing on %s within %s", topic, wait)
	return nil
}

// waitHTTP waits until url answers status, failing early if serve ends.
func waitHTTP(t *testing.T, url string, status int, done <-chan error) {
	t.Helper()
	waitFor(t, url, done, func() bool {
		resp, err := http.Get(url)
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == status
	})
}

func waitMetric(t *testing.T, base, line string, done <-chan error) {
	t.Helper()
	waitFor(t, line, done, func() bool {
		resp, err := http.Get(base + "/internal/metrics")
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return strings.Contains(string(b), line)
	})
}

func waitFor(t *testing.T, what string, done <-chan error, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(wait)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case err := <-done:
			t.Fatalf("serve ended while waiting for %s: %v", what, err)
		case <-tick.C:
		}
		if time.Now().After(deadline) {
			t.Fatalf("waited %s for %s", wait, what)
		}
	}
}

// A dependency that cannot be reached stops serve with an error, after
// closing what was opened.
func TestServeWithoutItsDatabaseFailsCleanly(t *testing.T) {
	t.Setenv("DB_URL", "postgres://nobody@127.0.0.1:1/acl?sslmode=disable")
	t.Setenv("KAFKA_BROKERS", "127.0.0.1:1")
	t.Setenv("NAIS_TOKEN_ENDPOINT", "http://127.0.0.1:1/token")
	for _, k := range []string{"AMT_ARENA_ORDS_PROXY", "MULIGHETSROMMET_API", "AMTTILTAK"} {
		t.Setenv(k+"_URL", "http://127.0.0.1:1")
		t.Setenv(k+"_SCOPE", "api://local/.default")
	}
	t.Setenv("LOG_LEVEL", "error")
	t.Setenv("LOG_FORMAT", "json")
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	err := run(ctx, []string{"serve"}, io.Discard)
	require.Error(t, err)
	require.Contains(t, err.Error(), "127.0.0.1:1")
}
