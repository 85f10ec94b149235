// Package ords is the client of amt-arena-ords-proxy, which looks up Arena
// data the CDC messages lack: the fødselsnummer (fnr) of an Arena person and
// the organisation numbers of an Arena arbeidsgiver.
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

// Paths of the two lookups. The Arena id goes in a query parameter:
// personId for the fnr, arbeidsgiverId for the arbeidsgiver.
const (
	FnrPath          = "/api/ords/fnr"
	ArbeidsgiverPath = "/api/ords/arbeidsgiver"
)

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

// Arbeidsgiver is an Arena arbeidsgiver's organisation numbers.
type Arbeidsgiver struct {
	// Virksomhetsnummer is the organisation number of the business unit
	// (virksomhet) Arena knows as the arbeidsgiver.
	Virksomhetsnummer string
	// OrganisasjonsnummerMorselskap is the organisation number of the legal
	// entity the virksomhet belongs to.
	OrganisasjonsnummerMorselskap string
}

// Arbeidsgiver returns the organisation numbers of the Arena arbeidsgiver
// arbeidsgiverID (GET /api/ords/arbeidsgiver?arbeidsgiverId=…, answer
// {"virksomhetsnummer": "…", "organisasjonsnummerMorselskap": "…"}; other
// fields are ignored).
//
// Both fields are required and must be strings; virksomhetsnummer must not
// be empty. A 404 means Arena has no such arbeidsgiver: the error wraps
// client.ErrNotFound. Every other failure, an answer missing a field
// included, is an *client.Error.
//
// An arbeidsgiver may be a sole proprietorship, whose organisation number
// leads to a person: like Fnr, the errors never quote the answer.
func (c *Client) Arbeidsgiver(ctx context.Context, arbeidsgiverID int64) (Arbeidsgiver, error) {
	var a Arbeidsgiver
	err := c.call.Do(ctx, rest.Request{
		Op:       fmt.Sprintf("get Arena arbeidsgiverId %d", arbeidsgiverID),
		Method:   http.MethodGet,
		Path:     ArbeidsgiverPath,
		Query:    url.Values{"arbeidsgiverId": {strconv.FormatInt(arbeidsgiverID, 10)}},
		NotFound: true,
	}, func(body []byte) error {
		var answer struct {
			Virksomhetsnummer             *string `json:"virksomhetsnummer"`
			OrganisasjonsnummerMorselskap *string `json:"organisasjonsnummerMorselskap"`
		}
		if json.Unmarshal(body, &answer) != nil {
			return errNotArbeidsgiverAnswer
		}
		switch {
		case answer.Virksomhetsnummer == nil || *answer.Virksomhetsnummer == "":
			return errNoVirksomhetsnummer
		case answer.OrganisasjonsnummerMorselskap == nil:
			return errNoMorselskap
		}
		a = Arbeidsgiver{
			Virksomhetsnummer:             *answer.Virksomhetsnummer,
			OrganisasjonsnummerMorselskap: *answer.OrganisasjonsnummerMorselskap,
		}
		return nil
	})
	if err != nil {
		return Arbeidsgiver{}, err
	}
	return a, nil
}

var (
	errNotFnrAnswer = errors.New(`not a JSON object {"fnr": string}`)
	errNoFnr        = errors.New("fnr is missing, null or empty")

	errNotArbeidsgiverAnswer = errors.New(`not a JSON object {"virksomhetsnummer": string, "organisasjonsnummerMorselskap": string}`)
	errNoVirksomhetsnummer   = errors.New("virksomhetsnummer is missing, null or empty")
	errNoMorselskap          = errors.New("organisasjonsnummerMorselskap is missing or null")
)
