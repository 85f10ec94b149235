// Package ords is the client of amt-arena-ords-proxy, which looks up Arena
// data the CDC messages lack: the fødselsnummer (fnr) of an Arena person.
//
// An fnr is personal data. This package never logs one and never puts one
// in an error; callers must not log it either.
package ords

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/client"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/client/internal/rest"
)

// FnrPath is the path of the fnr lookup; the Arena person id goes in the
// query parameter personId.
const FnrPath = "/api/ords/fnr"

// Client calls amt-arena-ords-proxy. It is safe for concurrent use.
type Client struct {
	call *rest.Caller
}

// New returns a Client for cfg that gets its tokens for cfg.Scope from
// tokens.
func New(cfg client.Config, tokens client.TokenSource, opts ...client.Option) (*Client, error) {
	c, err := rest.New(client.PeerORDS, cfg, tokens, opts)
	if err != nil {
		return nil, err
	}
	return &Client{call: c}, nil
}

// Fnr returns the fødselsnummer of the Arena person personID
// (GET /api/ords/fnr?personId=…, answer {"fnr": "…"}).
//
// A 404 means Arena has no personal identifier for the person: the error
// wraps client.ErrNotFound, and the message is INVALID ("Arena mangler
// personlig ident for personId=…"). Every other failure, an answer without
// an fnr included, is an *client.Error: the message is retried.
func (c *Client) Fnr(ctx context.Context, personID int64) (string, error) {
	var fnr string
	err := c.call.Do(ctx, rest.Request{
		Op:       fmt.Sprintf("get fnr for Arena personId %d", personID),
		Method:   http.MethodGet,
		Path:     FnrPath,
		Query:    url.Values{"personId": {strconv.FormatInt(personID, 10)}},
		NotFound: true,
	}, func(body []byte) error {
		var answer struct {
			Fnr *string `json:"fnr"`
		}
		// The body holds an fnr: the error must not quote it, and
		// encoding/json's errors may quote parts of the input.
		if json.Unmarshal(body, &answer) != nil {
			return errNotFnrAnswer
		}
		if answer.Fnr == nil || *answer.Fnr == "" {
			return errNoFnr
		}
		fnr = *answer.Fnr
		return nil
	})
	if err != nil {
		return "", err
	}
	return fnr, nil
}

var (
	errNotFnrAnswer = errors.New(`not a JSON object {"fnr": string}`)
	errNoFnr        = errors.New("fnr is missing, null or empty")
)
