package client

import (
	"context"
	"net"
	"net/http"
	"time"
)

// TokenSource gives machine-to-machine bearer tokens for a scope, such as
// "api://prod-gcp.amt.amt-tiltak/.default". *nais.TokenClient (Texas,
// client credentials, cached) is the one used in production.
type TokenSource interface {
	Token(ctx context.Context, scope string) (string, error)
}

// StaticToken is a TokenSource that returns the same token for every scope.
// It is for tests and local tools.
type StaticToken string

// Token returns t.
func (t StaticToken) Token(context.Context, string) (string, error) { return string(t), nil }

// Option configures a client.
type Option func(*Options)

// Options are what an Option sets. The subpackages read them; callers use
// the With functions.
type Options struct {
	HTTPClient *http.Client
}

// WithHTTPClient makes the client send its requests through hc instead of
// through a client of its own (see NewHTTPClient). hc's own Timeout, if
// any, applies beside Config.Timeout.
func WithHTTPClient(hc *http.Client) Option {
	return func(o *Options) { o.HTTPClient = hc }
}

// NewHTTPClient returns the HTTP client a peer client uses unless told
// otherwise: connections time out after 10 s, up to 64 idle connections are
// kept to the peer, and redirects are not followed (a 3xx is an unexpected
// answer, as it was for the service this one replaces).
func NewHTTPClient() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.DialContext = (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext
	t.MaxIdleConns = 256
	t.MaxIdleConnsPerHost = 64
	return &http.Client{
		Transport: t,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}
