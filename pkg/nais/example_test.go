package nais_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/navikt/kafkapg/pkg/nais"
)

// A service's main builds one Server, adds its routes and checks, and runs
// it until NAIS sends SIGTERM:
//
//	ctx, stop := nais.SignalContext(context.Background())
//	defer stop()
//	srv := nais.NewServer(nais.Addr(), log, nil)
//	srv.AddReadiness("database", db.PingContext)
//	srv.AddLiveness("consumer", heartbeat.Check(2*time.Minute))
//	srv.Handle("GET /api/v1/sak/{id}", getSak)
//	if err := srv.Run(ctx); err != nil { ... }
//
// Here the server listens on a free local port and the context is cancelled
// by hand.
func ExampleServer() {
	srv := nais.NewServer("", zap.NewNop(), nil)
	srv.AddReadiness("database", func(ctx context.Context) error { return nil })
	heartbeat := nais.NewHeartbeat(nil)
	srv.AddLiveness("consumer", heartbeat.Check(2*time.Minute))
	srv.HandleFunc("GET /api/v1/sak/{id}", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "sak %s", r.PathValue("id"))
	})
	records := prometheus.NewCounter(prometheus.CounterOpts{Name: "myapp_records_total", Help: "Records consumed."})
	srv.Registry().MustRegister(records)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()

	for _, path := range []string{"/internal/isAlive", "/internal/isReady", "/api/v1/sak/42"} {
		resp, err := http.Get("http://" + ln.Addr().String() + path)
		if err != nil {
			panic(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Println(path, resp.StatusCode, strings.TrimSpace(string(body)))
	}

	cancel()
	fmt.Println("shutdown error:", <-done)
	// Output:
	// /internal/isAlive 200 {"status":"ok"}
	// /internal/isReady 200 {"status":"ok"}
	// /api/v1/sak/42 200 sak 42
	// shutdown error: <nil>
}

// RequireToken guards a service's API; handlers find the caller in the
// claims. On NAIS the Introspector comes from IntrospectorFromEnv; here a
// stand-in for Texas accepts one token.
func ExampleRequireToken() {
	texas := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if string(body) == `{"identity_provider":"entra_id","token":"good.token.value"}` {
			io.WriteString(w, `{"active":true,"azp_name":"prod-gcp:teamx:other-app","NAVident":"Z990000"}`)
			return
		}
		io.WriteString(w, `{"active":false,"error":"token is expired"}`)
	}))
	defer texas.Close()

	auth := nais.RequireToken(nais.NewIntrospector(texas.URL), zap.NewNop())
	srv := nais.NewServer("", zap.NewNop(), nil)
	srv.Handle("GET /api/v1/person", auth(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		claims, _ := nais.ClaimsFrom(r.Context())
		fmt.Fprintf(w, "hello %s, calling from %s", claims.NAVident(), claims.AzpName())
	})))
	api := httptest.NewServer(srv)
	defer api.Close()

	for _, authorization := range []string{"", "Bearer expired.token.value", "Bearer good.token.value"} {
		req, _ := http.NewRequest(http.MethodGet, api.URL+"/api/v1/person", nil)
		if authorization != "" {
			req.Header.Set("Authorization", authorization)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			panic(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Printf("%d %q %s\n", resp.StatusCode, resp.Header.Get("WWW-Authenticate"), strings.TrimSpace(string(body)))
	}
	// Output:
	// 401 "Bearer" unauthorized
	// 401 "Bearer error=\"invalid_token\"" unauthorized
	// 200 "" hello Z990000, calling from prod-gcp:teamx:other-app
}

// A client for another NAIS app gets a token for that app on every request.
func ExampleTokenClient_Transport() {
	texas := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"access_token":"a.token.value","expires_in":3599,"token_type":"Bearer"}`)
	}))
	defer texas.Close()
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "got %q", r.Header.Get("Authorization"))
	}))
	defer other.Close()

	tokens := nais.NewTokenClient(texas.URL) // on NAIS: nais.TokenClientFromEnv()
	client := &http.Client{
		Transport: tokens.Transport("api://prod-gcp.teamx.other-app/.default", nil),
		Timeout:   10 * time.Second,
	}

	resp, err := client.Get(other.URL)
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(string(body))
	// Output:
	// got "Bearer a.token.value"
}
