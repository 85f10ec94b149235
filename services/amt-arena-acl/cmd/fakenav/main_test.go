package main

import (
	"bufio"
	"context"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/stretchr/testify/require"

	"github.com/navikt/kafkapg/pkg/kafka/kafkatest"
	"github.com/navikt/kafkapg/pkg/nais"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/client"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/client/amttiltak"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/fakenav"
)

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	return ln.Addr().String()
}

// fakenav prints the service's environment and, following the AMT topic,
// makes its amt-tiltak know the deltakere the service publishes.
func TestFakenavPrintsTheEnvironmentAndLearnsFromTheAMTTopic(t *testing.T) {
	k := kafkatest.New(t)
	k.CreateTopic(t, "amt.amt-tiltak-v1", 1)
	k.CreateTopic(t, "amt.arena-enkeltplass-deltaker-v1", 1)
	env := map[string]string{
		"FAKENAV_TEXAS_ADDR": freeAddr(t), "FAKENAV_ORDS_ADDR": freeAddr(t),
		"FAKENAV_MULIGHETSROMMET_ADDR": freeAddr(t), "FAKENAV_AMTTILTAK_ADDR": freeAddr(t),
		"KAFKA_BROKERS": strings.Join(k.Addrs(), ","), "LOG_LEVEL": "warn",
	}
	for key, v := range env {
		t.Setenv(key, v)
	}
	pr, pw := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, func(k string) string { return env[k] }, pw) }()

	printed := map[string]string{}
	sc := bufio.NewScanner(pr)
	for len(printed) < 9 && sc.Scan() {
		key, value, ok := strings.Cut(sc.Text(), "=")
		require.True(t, ok, sc.Text())
		printed[key] = value
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	require.Equal(t, "http://"+env["FAKENAV_TEXAS_ADDR"]+fakenav.TokenPath, printed["NAIS_TOKEN_ENDPOINT"])
	require.Equal(t, "http://"+env["FAKENAV_AMTTILTAK_ADDR"], printed[client.EnvAmtTiltakURL])
	require.Equal(t, fakenav.ORDSScope, printed[client.EnvORDSScope])

	envelope := `{"transactionId":"6a1c0000-0000-4000-8000-000000000001","source":"AMT_ARENA_ACL","type":"DELTAKER",` +
		`"timestamp":"2026-08-20T10:15:02","operation":"CREATED","payload":{"id":"1f0e0000-0000-4000-8000-000000000001",` +
		`"gjennomforingId":"9b2d0000-0000-4000-8000-000000000001","personIdent":"01818012345","startDato":"2026-08-21",` +
		`"sluttDato":null,"status":"VENTER_PA_OPPSTART"}}`
	k.Produce(t, &sarama.ProducerMessage{Topic: "amt.amt-tiltak-v1", Value: sarama.StringEncoder(envelope)})

	tokens := nais.NewTokenClient(printed["NAIS_TOKEN_ENDPOINT"])
	amt, err := amttiltak.New(client.Config{URL: printed[client.EnvAmtTiltakURL], Scope: printed[client.EnvAmtTiltakScope]}, tokens)
	require.NoError(t, err)
	deadline := time.Now().Add(30 * time.Second)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		got, err := amt.Deltakelser(ctx, "01818012345")
		require.NoError(t, err)
		if len(got) == 1 {
			require.Equal(t, "1f0e0000-0000-4000-8000-000000000001", got[0].ID)
			break
		}
		require.True(t, time.Now().Before(deadline), "amt-tiltak did not learn the deltaker")
		<-tick.C
	}
	cancel()
	require.NoError(t, <-done)
}
