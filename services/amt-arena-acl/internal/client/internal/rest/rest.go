// Package rest makes the JSON calls of the peer clients: token, timeout,
// headers, status handling and error classification, done once.
package rest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/client"
)

// MaxAnswer bounds the body read from a peer. The answers are small; a
// larger one breaks the contract.
const MaxAnswer = 4 << 20

// Caller calls one peer.
type Caller struct {
	peer       string
	base       string
	scope      string
	timeout    time.Duration
	consumerID string
	tokens     client.TokenSource
	hc         *http.Client
}

// New returns a Caller for peer, or an error naming peer if cfg is invalid
// or tokens is nil.
func New(peer string, cfg client.Config, tokens client.TokenSource, opts []client.Option) (*Caller, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", peer, err)
	}
	if tokens == nil {
		return nil, fmt.Errorf("%s: no token source", peer)
	}
	var o client.Options
	for _, opt := range opts {
		opt(&o)
	}
	if o.HTTPClient == nil {
		o.HTTPClient = client.NewHTTPClient()
	}
	cfg = cfg.WithDefaults()
	return &Caller{
		peer:       peer,
		base:       cfg.URL,
		scope:      cfg.Scope,
		timeout:    cfg.Timeout,
		consumerID: cfg.ConsumerID,
		tokens:     tokens,
		hc:         o.HTTPClient,
	}, nil
}

// Request is one call.
type Request struct {
	// Op says what is being done, for errors. No personal data.
	Op     string
	Method string
	// Path is appended to the base URL; its variable parts must already be
	// escaped.
	Path  string
	Query url.Values
	// Body, when not nil, is sent as JSON.
	Body any
	// NotFound makes a 404 an error wrapping client.ErrNotFound instead of
	// an unexpected status.
	NotFound bool
}

// Do makes the call and hands a 2xx answer's body to decode. An error from
// decode is a broken contract; it must not quote the body when the body may
// hold personal data. Every error Do returns is a *client.Error.
func (c *Caller) Do(ctx context.Context, r Request, decode func(body []byte) error) error {
	callCtx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()

	fail := func(status int, err error) error {
		return &client.Error{Peer: c.peer, Op: r.Op, Status: status, Err: err}
	}
	// noAnswer is fail for the errors a context may be behind.
	noAnswer := func(err error) error { return fail(0, c.cause(ctx, callCtx, err)) }

	token, err := c.tokens.Token(callCtx, c.scope)
	if err != nil {
		return noAnswer(fmt.Errorf("get token: %w", err))
	}

	var body io.Reader
	if r.Body != nil {
		b, err := json.Marshal(r.Body)
		if err != nil {
			return fail(0, fmt.Errorf("encode request: %w", err))
		}
		body = bytes.NewReader(b)
	}
	target := c.base + r.Path
	if len(r.Query) > 0 {
		target += "?" + r.Query.Encode()
	}
	req, err := http.NewRequestWithContext(callCtx, r.Method, target, body)
	if err != nil {
		return fail(0, fmt.Errorf("build request: %w", err))
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Nav-Consumer-Id", c.consumerID)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}

	resp, err := c.hc.Do(req)
	if err != nil {
		// A *url.Error repeats method and URL; Op already says what the
		// call was for.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return noAnswer(err)
	}
	defer func() {
		// Drain a little so the connection can be reused.
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		_ = resp.Body.Close()
	}()

	switch {
	case resp.StatusCode == http.StatusNotFound && r.NotFound:
		return fail(resp.StatusCode, client.ErrNotFound)
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		return fail(resp.StatusCode, fmt.Errorf("answered %d %s", resp.StatusCode, http.StatusText(resp.StatusCode)))
	}

	answer, err := io.ReadAll(io.LimitReader(resp.Body, MaxAnswer+1))
	if err != nil {
		// The answer broke off: as good as no answer.
		return noAnswer(fmt.Errorf("read answer: %w", err))
	}
	if len(answer) > MaxAnswer {
		return fail(resp.StatusCode, fmt.Errorf("unexpected answer: larger than %d bytes", MaxAnswer))
	}
	if err := decode(answer); err != nil {
		return fail(resp.StatusCode, fmt.Errorf("unexpected answer: %w", err))
	}
	return nil
}

// cause rewrites err when a context ended the call: the caller's own
// cancellation or deadline, or the call's timeout.
func (c *Caller) cause(ctx, callCtx context.Context, err error) error {
	switch {
	case ctx.Err() != nil:
		return fmt.Errorf("given up by the caller: %w", ctx.Err())
	case errors.Is(callCtx.Err(), context.DeadlineExceeded):
		return fmt.Errorf("no answer within %s: %w", c.timeout, context.DeadlineExceeded)
	}
	return err
}
