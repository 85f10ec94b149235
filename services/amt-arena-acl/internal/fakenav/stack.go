package fakenav

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/client"
)

// The scopes the fake peers of a Stack demand tokens for.
const (
	ORDSScope            = "api://local.amt.amt-arena-ords-proxy/.default"
	MulighetsrommetScope = "api://local.team-mulighetsrommet.mulighetsrommet-api/.default"
	AmtTiltakScope       = "api://local.amt.amt-tiltak/.default"
)

// StackConfig says where a Stack listens. An empty address is a free port
// on 127.0.0.1.
type StackConfig struct {
	TexasAddr           string
	ORDSAddr            string
	MulighetsrommetAddr string
	AmtTiltakAddr       string
	// Texas configures the Texas.
	Texas []TexasOption
}

// Stack is the four fakes, each on an HTTP server of its own, the peers
// guarded by the Texas with the scopes above.
type Stack struct {
	Texas           *Texas
	ORDS            *ORDS
	Mulighetsrommet *Mulighetsrommet
	AmtTiltak       *AmtTiltak

	// Base URLs, such as "http://127.0.0.1:41234".
	TexasURL           string
	ORDSURL            string
	MulighetsrommetURL string
	AmtTiltakURL       string

	servers []*httptest.Server
}

// StartStack starts the four fakes. Close stops them.
func StartStack(cfg StackConfig) (*Stack, error) {
	texas := NewTexas(cfg.Texas...)
	s := &Stack{
		Texas:           texas,
		ORDS:            NewORDS(texas.Guard(ORDSScope)),
		Mulighetsrommet: NewMulighetsrommet(texas.Guard(MulighetsrommetScope)),
		AmtTiltak:       NewAmtTiltak(texas.Guard(AmtTiltakScope)),
	}
	for _, srv := range []struct {
		addr string
		h    http.Handler
		url  *string
	}{
		{cfg.TexasAddr, s.Texas, &s.TexasURL},
		{cfg.ORDSAddr, s.ORDS, &s.ORDSURL},
		{cfg.MulighetsrommetAddr, s.Mulighetsrommet, &s.MulighetsrommetURL},
		{cfg.AmtTiltakAddr, s.AmtTiltak, &s.AmtTiltakURL},
	} {
		ts, err := serve(srv.addr, srv.h)
		if err != nil {
			s.Close()
			return nil, err
		}
		s.servers = append(s.servers, ts)
		*srv.url = ts.URL
	}
	return s, nil
}

func serve(addr string, h http.Handler) (*httptest.Server, error) {
	if addr == "" {
		return httptest.NewServer(h), nil
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("fakenav: listen on %s: %w", addr, err)
	}
	ts := httptest.NewUnstartedServer(h)
	_ = ts.Listener.Close()
	ts.Listener = ln
	ts.Start()
	return ts, nil
}

// NewTestStack starts a Stack that stops when t's test ends.
func NewTestStack(t testing.TB) *Stack {
	t.Helper()
	s, err := StartStack(StackConfig{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// Close answers the calls that hang and stops the servers.
func (s *Stack) Close() {
	for _, f := range []*Faults{&s.Texas.Faults, &s.ORDS.Faults, &s.Mulighetsrommet.Faults, &s.AmtTiltak.Faults} {
		f.Release()
	}
	for _, ts := range s.servers {
		ts.Close()
	}
	s.servers = nil
}

// TokenEndpoint and IntrospectionEndpoint are the Texas URLs, as
// NAIS_TOKEN_ENDPOINT and NAIS_TOKEN_INTROSPECTION_ENDPOINT hold them.
func (s *Stack) TokenEndpoint() string         { return s.TexasURL + TokenPath }
func (s *Stack) IntrospectionEndpoint() string { return s.TexasURL + IntrospectPath }

// Env is the environment that points the service at the stack: the Texas
// endpoints, the app's client id, and the URL and scope of each peer.
func (s *Stack) Env() map[string]string {
	return map[string]string{
		"NAIS_TOKEN_ENDPOINT":               s.TokenEndpoint(),
		"NAIS_TOKEN_INTROSPECTION_ENDPOINT": s.IntrospectionEndpoint(),
		"AZURE_APP_CLIENT_ID":               s.Texas.ClientID(),
		client.EnvORDSURL:                   s.ORDSURL,
		client.EnvORDSScope:                 ORDSScope,
		client.EnvMulighetsrommetURL:        s.MulighetsrommetURL,
		client.EnvMulighetsrommetScope:      MulighetsrommetScope,
		client.EnvAmtTiltakURL:              s.AmtTiltakURL,
		client.EnvAmtTiltakScope:            AmtTiltakScope,
	}
}

// Configs are the client configurations for the stack's peers.
func (s *Stack) Configs() client.Configs {
	c, err := client.FromEnv(func(k string) string { return s.Env()[k] })
	if err != nil {
		panic(fmt.Sprintf("fakenav: stack env is invalid: %v", err))
	}
	return c
}
