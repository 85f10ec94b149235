package nais

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"sync"
	"time"
)

const (
	// DefaultTokenTimeout bounds one token request. Without a cached token
	// Texas has to ask the identity provider, a round trip out of the
	// cluster, before it can answer.
	DefaultTokenTimeout = 10 * time.Second

	// refreshMargin is how long before expiry a cached token is replaced,
	// so that a token handed out is still valid when it reaches the other
	// service. For short-lived tokens the margin shrinks to half the
	// lifetime, so such tokens are still cached for a while.
	refreshMargin = time.Minute
)

// TokenClient gets machine-to-machine tokens through Texas's token endpoint
// (NAIS_TOKEN_ENDPOINT), with the client-credentials grant. Tokens are cached
// per target until shortly before they expire, and concurrent callers asking
// for the same target share one request. A TokenClient is safe for
// concurrent use; make one per process.
type TokenClient struct {
	endpoint string
	cfg      clientConfig

	mu       sync.Mutex
	cache    map[string]cachedToken
	inflight map[string]*tokenCall
}

type cachedToken struct {
	token     string
	refreshAt time.Time // after this, fetch a new one
	expiresAt time.Time // until this, it may still stand in when a fetch fails
}

// tokenCall is one request to Texas that any number of callers wait for.
type tokenCall struct {
	done  chan struct{} // closed when token or err is set
	token string
	err   error
}

// NewTokenClient returns a client for the Texas token endpoint at endpoint.
func NewTokenClient(endpoint string, opts ...ClientOption) *TokenClient {
	return &TokenClient{
		endpoint: endpoint,
		cfg:      newClientConfig(DefaultTokenTimeout, opts),
		cache:    map[string]cachedToken{},
		inflight: map[string]*tokenCall{},
	}
}

// TokenClientFromEnv returns a TokenClient for the endpoint in
// NAIS_TOKEN_ENDPOINT.
func TokenClientFromEnv(opts ...ClientOption) (*TokenClient, error) {
	endpoint, err := endpointFromEnv(os.Getenv, "NAIS_TOKEN_ENDPOINT")
	if err != nil {
		return nil, err
	}
	return NewTokenClient(endpoint, opts...), nil
}

// Token returns a token for target, such as
// "api://prod-gcp.teamx.other-app/.default" for Entra ID. The token is a
// credential: do not log it.
//
// A cached token is returned while it has more than a minute left (or half
// its lifetime, if that is less). After that Token asks Texas; if that fails
// while the cached token is still valid, the cached token is returned.
func (c *TokenClient) Token(ctx context.Context, target string) (string, error) {
	if target == "" {
		return "", errors.New("nais: get token: empty target")
	}

	c.mu.Lock()
	cached, ok := c.cache[target]
	if ok && c.cfg.now().Before(cached.refreshAt) {
		c.mu.Unlock()
		return cached.token, nil
	}
	call, ok := c.inflight[target]
	if !ok {
		call = &tokenCall{done: make(chan struct{})}
		c.inflight[target] = call
		// The request runs on its own, detached from this caller's
		// cancellation, so a caller giving up does not fail the others
		// waiting for the same token. It keeps ctx's values (for tracing)
		// and is bounded by the client's timeout.
		go c.fetch(context.WithoutCancel(ctx), target, call)
	}
	c.mu.Unlock()

	select {
	case <-call.done:
	case <-ctx.Done():
		return "", fmt.Errorf("nais: get token for %q: %w", target, context.Cause(ctx))
	}
	if call.err == nil {
		return call.token, nil
	}

	c.mu.Lock()
	cached, ok = c.cache[target]
	c.mu.Unlock()
	if ok && c.cfg.now().Before(cached.expiresAt) {
		return cached.token, nil
	}
	return "", call.err
}

func (c *TokenClient) fetch(ctx context.Context, target string, call *tokenCall) {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.timeout)
	defer cancel()

	// Expiry is counted from before the request, so time spent waiting for
	// the answer is not taken for token lifetime.
	start := c.cfg.now()
	var answer struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int64  `json:"expires_in"`
	}
	err := post(ctx, c.cfg.httpClient, c.endpoint, map[string]string{
		"identity_provider": c.cfg.provider,
		"target":            target,
	}, &answer)
	if err == nil && answer.AccessToken == "" {
		err = errors.New("answer has no access_token")
	}

	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.inflight, target)
	if err != nil {
		call.err = fmt.Errorf("nais: get token for %q: %w", target, err)
	} else {
		call.token = answer.AccessToken
		lifetime := time.Duration(answer.ExpiresIn) * time.Second
		c.cache[target] = cachedToken{
			token:     answer.AccessToken,
			refreshAt: start.Add(lifetime - min(refreshMargin, lifetime/2)),
			expiresAt: start.Add(lifetime),
		}
	}
	close(call.done)
}

// Transport returns a RoundTripper that sends each request through base (nil
// means http.DefaultTransport) with "Authorization: Bearer <token for
// target>":
//
//	client := &http.Client{Transport: tokens.Transport(target, nil), Timeout: 10 * time.Second}
func (c *TokenClient) Transport(target string, base http.RoundTripper) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	return &bearerTransport{tokens: c, target: target, base: base}
}

type bearerTransport struct {
	tokens *TokenClient
	target string
	base   http.RoundTripper
}

func (t *bearerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	token, err := t.tokens.Token(req.Context(), t.target)
	if err != nil {
		// A RoundTripper must close the body, even when it fails.
		if req.Body != nil {
			_ = req.Body.Close()
		}
		return nil, err
	}
	// A RoundTripper must not modify the request it is given.
	r := req.Clone(req.Context())
	r.Header.Set("Authorization", "Bearer "+token)
	return t.base.RoundTrip(r)
}
