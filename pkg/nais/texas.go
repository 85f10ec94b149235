package nais

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"
)

// IdentityProviderEntraID is the identity provider the clients in this
// package ask Texas for unless told otherwise.
const IdentityProviderEntraID = "entra_id"

// ClientOption configures a TokenClient or an Introspector.
type ClientOption func(*clientConfig)

type clientConfig struct {
	httpClient *http.Client
	timeout    time.Duration
	provider   string
	now        func() time.Time
}

func newClientConfig(timeout time.Duration, opts []ClientOption) clientConfig {
	c := clientConfig{
		httpClient: &http.Client{},
		timeout:    timeout,
		provider:   IdentityProviderEntraID,
		now:        time.Now,
	}
	for _, o := range opts {
		o(&c)
	}
	return c
}

// WithHTTPClient sets the HTTP client used to call Texas. nil keeps the
// default, a client of its own on http.DefaultTransport.
func WithHTTPClient(c *http.Client) ClientOption {
	return func(cfg *clientConfig) {
		if c != nil {
			cfg.httpClient = c
		}
	}
}

// WithTimeout bounds each call to Texas. The defaults are
// DefaultTokenTimeout and DefaultIntrospectionTimeout; a d of zero or less
// keeps them.
func WithTimeout(d time.Duration) ClientOption {
	return func(cfg *clientConfig) {
		if d > 0 {
			cfg.timeout = d
		}
	}
}

// WithIdentityProvider sets the identity_provider sent to Texas, such as
// "maskinporten" for a TokenClient or "tokenx" for an Introspector. The
// default is IdentityProviderEntraID.
func WithIdentityProvider(p string) ClientOption {
	return func(cfg *clientConfig) {
		if p != "" {
			cfg.provider = p
		}
	}
}

// WithClock sets the clock a TokenClient judges token expiry by; tests pass
// a fake one. The default, and what nil means, is time.Now.
func WithClock(now func() time.Time) ClientOption {
	return func(cfg *clientConfig) {
		if now != nil {
			cfg.now = now
		}
	}
}

// texasError is a non-2xx answer from Texas. It holds the status and Texas's
// own error text; neither can contain a token, since Texas sends none with
// an error.
type texasError struct {
	status      int
	code        string
	description string
}

func (e *texasError) Error() string {
	msg := fmt.Sprintf("Texas answered %d %s", e.status, http.StatusText(e.status))
	if e.code != "" {
		msg += ": " + e.code
	}
	if e.description != "" {
		msg += ": " + e.description
	}
	return msg
}

// Texas answers are small; a limit keeps a confused endpoint from filling
// memory.
const maxAnswer = 1 << 20

// post sends body as JSON to endpoint and decodes a 2xx answer into out. Its
// errors never include body, which holds a token when introspecting.
func post(ctx context.Context, hc *http.Client, endpoint string, body, out any) error {
	b, err := json.Marshal(body)
	if err != nil {
		return fmt.Errorf("encode request: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(b))
	if err != nil {
		return fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")

	resp, err := hc.Do(req)
	if err != nil {
		return err // a *url.Error: method, endpoint and cause, nothing more
	}
	defer resp.Body.Close()
	r := io.LimitReader(resp.Body, maxAnswer)

	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		te := &texasError{status: resp.StatusCode}
		var answer struct {
			Error       string `json:"error"`
			Description string `json:"error_description"`
		}
		if json.NewDecoder(r).Decode(&answer) == nil {
			te.code, te.description = truncate(answer.Error), truncate(answer.Description)
		}
		return te
	}
	if err := json.NewDecoder(r).Decode(out); err != nil {
		return fmt.Errorf("decode answer: %w", err)
	}
	return nil
}

func truncate(s string) string {
	const limit = 200
	if len(s) > limit {
		return s[:limit] + "…"
	}
	return s
}

// endpointFromEnv reads and checks the endpoint URL in the variable name.
func endpointFromEnv(getenv func(string) string, name string) (string, error) {
	v := getenv(name)
	if v == "" {
		return "", fmt.Errorf("%s is not set", name)
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("%s: %q is not an http(s) URL", name, v)
	}
	return v, nil
}
