// Package amttiltak is the client of amt-tiltak, asked for a person's
// deltakelser when a historised Arena deltaker is matched.
//
// The request carries the person's fødselsnummer (fnr), which is personal
// data: this package never logs it and never puts it in an error.
package amttiltak

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/client"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/client/internal/rest"
)

// DeltakelserPath is the path of the deltakelser lookup (POST).
const DeltakelserPath = "/api/external/deltakelser"

// Client calls amt-tiltak. It is safe for concurrent use.
type Client struct {
	call *rest.Caller
}

// New returns a Client for cfg that gets its tokens for cfg.Scope from
// tokens.
func New(cfg client.Config, tokens client.TokenSource, opts ...client.Option) (*Client, error) {
	c, err := rest.New(client.PeerAmtTiltak, cfg, tokens, opts)
	if err != nil {
		return nil, err
	}
	return &Client{call: c}, nil
}

// DeltakerStatus is a deltaker's status in amt-tiltak.
type DeltakerStatus string

// The statuses amt-tiltak is known to send. Deltakelser lets other values
// through unchanged: the handlers only ask whether a status is
// FEILREGISTRERT.
const (
	StatusUtkastTilPamelding   DeltakerStatus = "UTKAST_TIL_PAMELDING"
	StatusAvbruttUtkast        DeltakerStatus = "AVBRUTT_UTKAST"
	StatusVenterPaOppstart     DeltakerStatus = "VENTER_PA_OPPSTART"
	StatusDeltar               DeltakerStatus = "DELTAR"
	StatusHarSluttet           DeltakerStatus = "HAR_SLUTTET"
	StatusFullfort             DeltakerStatus = "FULLFORT"
	StatusIkkeAktuell          DeltakerStatus = "IKKE_AKTUELL"
	StatusFeilregistrert       DeltakerStatus = "FEILREGISTRERT"
	StatusSoktInn              DeltakerStatus = "SOKT_INN"
	StatusVurderes             DeltakerStatus = "VURDERES"
	StatusVenteliste           DeltakerStatus = "VENTELISTE"
	StatusAvbrutt              DeltakerStatus = "AVBRUTT"
	StatusPabegyntRegistrering DeltakerStatus = "PABEGYNT_REGISTRERING"
)

// Deltakelse is one of a person's deltakelser in amt-tiltak.
type Deltakelse struct {
	// ID is the deltaker's AMT UUID, lower case: the id this service gave
	// the Arena deltaker.
	ID string
	// GjennomforingID is the gjennomføring's UUID, lower case.
	GjennomforingID string
	// StartDato and SluttDato are dates (midnight UTC), nil when unset.
	StartDato *time.Time
	SluttDato *time.Time
	Status    DeltakerStatus
}

// Deltakelser returns the deltakelser amt-tiltak has for the person with
// fødselsnummer personIdent (POST /api/external/deltakelser, body
// {"personIdent": "…"}, answer [{"id", "gjennomforing": {"id"},
// "startDato", "sluttDato", "status"}, …]). A person without any has an
// empty list.
//
// id, gjennomforing.id and status are required; unknown fields are ignored.
// No status is special here, 404 included: every failure is an
// *client.Error and the message is retried.
func (c *Client) Deltakelser(ctx context.Context, personIdent string) ([]Deltakelse, error) {
	if personIdent == "" {
		return nil, &client.Error{Peer: client.PeerAmtTiltak, Op: "get deltakelser", Err: errors.New("empty personIdent")}
	}
	var out []Deltakelse
	err := c.call.Do(ctx, rest.Request{
		Op:     "get deltakelser",
		Method: http.MethodPost,
		Path:   DeltakelserPath,
		Body:   map[string]string{"personIdent": personIdent},
	}, func(body []byte) error {
		var err error
		out, err = decodeDeltakelser(body)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

type deltakelseJSON struct {
	ID            *string `json:"id"`
	Gjennomforing *struct {
		ID *string `json:"id"`
	} `json:"gjennomforing"`
	StartDato *string `json:"startDato"`
	SluttDato *string `json:"sluttDato"`
	Status    *string `json:"status"`
}

func decodeDeltakelser(body []byte) ([]Deltakelse, error) {
	var answer []deltakelseJSON
	if err := json.Unmarshal(body, &answer); err != nil {
		return nil, err
	}
	if answer == nil {
		return nil, errors.New("null instead of a list")
	}
	out := make([]Deltakelse, 0, len(answer))
	for i, d := range answer {
		switch {
		case d.ID == nil:
			return nil, fmt.Errorf("deltakelse %d: id is missing or null", i)
		case d.Gjennomforing == nil || d.Gjennomforing.ID == nil:
			return nil, fmt.Errorf("deltakelse %d: gjennomforing.id is missing or null", i)
		case d.Status == nil || *d.Status == "":
			return nil, fmt.Errorf("deltakelse %d: status is missing, null or empty", i)
		}
		id, err := rest.ParseUUID(*d.ID)
		if err != nil {
			return nil, fmt.Errorf("deltakelse %d: id: %w", i, err)
		}
		gid, err := rest.ParseUUID(*d.Gjennomforing.ID)
		if err != nil {
			return nil, fmt.Errorf("deltakelse %d: gjennomforing.id: %w", i, err)
		}
		start, err := parseDate(d.StartDato)
		if err != nil {
			return nil, fmt.Errorf("deltakelse %d: startDato: %w", i, err)
		}
		slutt, err := parseDate(d.SluttDato)
		if err != nil {
			return nil, fmt.Errorf("deltakelse %d: sluttDato: %w", i, err)
		}
		out = append(out, Deltakelse{
			ID:              id,
			GjennomforingID: gid,
			StartDato:       start,
			SluttDato:       slutt,
			Status:          DeltakerStatus(*d.Status),
		})
	}
	return out, nil
}

func parseDate(s *string) (*time.Time, error) {
	if s == nil {
		return nil, nil
	}
	t, err := time.Parse(time.DateOnly, *s)
	if err != nil {
		return nil, errors.New("not a date yyyy-mm-dd")
	}
	return &t, nil
}

// Find returns the deltakelse with the AMT UUID id, and false if there is
// none.
func Find(deltakelser []Deltakelse, id string) (Deltakelse, bool) {
	for _, d := range deltakelser {
		if strings.EqualFold(d.ID, id) {
			return d, true
		}
	}
	return Deltakelse{}, false
}
