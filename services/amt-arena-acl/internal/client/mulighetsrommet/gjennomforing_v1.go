package mulighetsrommet

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/client"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/client/internal/rest"
)

// Status is a gjennomføring's status in Mulighetsrommet's v1 answer.
type Status string

// The statuses of the v1 answer.
const (
	StatusGjennomfores Status = "GJENNOMFORES"
	StatusAvbrutt      Status = "AVBRUTT"
	StatusAvlyst       Status = "AVLYST"
	StatusAvsluttet    Status = "AVSLUTTET"
)

// Tiltakstype is the kind of programme in Mulighetsrommet's v1 answer.
type Tiltakstype struct {
	// ID is Mulighetsrommet's UUID of the tiltakstype, lower case; "" when
	// missing or null.
	ID string
	// Navn is its name; "" when missing or null.
	Navn string
	// ArenaKode is its Arena tiltakskode, such as "INDOPPFAG".
	ArenaKode string
}

// GjennomforingV1 is a gjennomføring as Mulighetsrommet's v1 answer has it.
type GjennomforingV1 struct {
	// ID is Mulighetsrommet's UUID, lower case.
	ID          string
	Tiltakstype Tiltakstype
	// Navn is its name; "" when missing or null.
	Navn string
	// StartDato and SluttDato are dates (midnight UTC), nil when missing or
	// null.
	StartDato *time.Time
	SluttDato *time.Time
	// Status is "" when missing or null.
	Status Status
	// Virksomhetsnummer is the arrangør's organisation number.
	Virksomhetsnummer string
	// Oppstart is "" when missing or null.
	Oppstart Oppstart
}

// IsAvsluttet reports whether the gjennomføring is over: AVSLUTTET,
// AVBRUTT or AVLYST.
func (g GjennomforingV1) IsAvsluttet() bool {
	switch g.Status {
	case StatusAvsluttet, StatusAvbrutt, StatusAvlyst:
		return true
	}
	return false
}

// IsKurs reports whether the gjennomføring has a common start (oppstart
// FELLES).
func (g GjennomforingV1) IsKurs() bool { return g.Oppstart == OppstartFelles }

// IsEnkeltplass reports whether the gjennomføring is a single-seat one
// (Arena code ENKELAMO, ENKFAGYRKE or HOYEREUTD).
func (g GjennomforingV1) IsEnkeltplass() bool { return IsEnkeltplassKode(g.Tiltakstype.ArenaKode) }

// GjennomforingV1 fetches the v1 view of the gjennomføring id (GET
// /api/v1/tiltaksgjennomforinger/{id}, answer {"id", "tiltakstype": {"id",
// "navn", "arenaKode"}, "navn", "startDato", "sluttDato", "status",
// "virksomhetsnummer", "oppstart"}; other fields are ignored).
//
// id, tiltakstype.arenaKode and virksomhetsnummer are required; the other
// fields may be missing or null, but a status or oppstart that is there
// must be a value this package knows, and a date must be yyyy-mm-dd.
//
// A 404 means Mulighetsrommet has no such gjennomføring: the error wraps
// client.ErrNotFound. Every other failure is an *client.Error. An id that
// is not a UUID is an error before any call is made.
func (c *Client) GjennomforingV1(ctx context.Context, id string) (GjennomforingV1, error) {
	uuid, err := rest.ParseUUID(id)
	if err != nil {
		return GjennomforingV1{}, &client.Error{Peer: client.PeerMulighetsrommet, Op: "get gjennomføring v1", Err: fmt.Errorf("id %q: %w", id, err)}
	}
	var g GjennomforingV1
	err = c.call.Do(ctx, rest.Request{
		Op:       "get gjennomføring v1 " + uuid,
		Method:   http.MethodGet,
		Path:     GjennomforingV1Path + url.PathEscape(uuid),
		NotFound: true,
	}, func(body []byte) error {
		var err error
		g, err = decodeGjennomforingV1(body)
		return err
	})
	if err != nil {
		return GjennomforingV1{}, err
	}
	return g, nil
}

func decodeGjennomforingV1(body []byte) (GjennomforingV1, error) {
	var answer struct {
		ID          *string `json:"id"`
		Tiltakstype *struct {
			ID        *string `json:"id"`
			Navn      *string `json:"navn"`
			ArenaKode *string `json:"arenaKode"`
		} `json:"tiltakstype"`
		Navn              *string `json:"navn"`
		StartDato         *string `json:"startDato"`
		SluttDato         *string `json:"sluttDato"`
		Status            *string `json:"status"`
		Virksomhetsnummer *string `json:"virksomhetsnummer"`
		Oppstart          *string `json:"oppstart"`
	}
	if err := json.Unmarshal(body, &answer); err != nil {
		return GjennomforingV1{}, err
	}
	switch {
	case answer.ID == nil:
		return GjennomforingV1{}, errors.New("id is missing or null")
	case answer.Tiltakstype == nil:
		return GjennomforingV1{}, errors.New("tiltakstype is missing or null")
	case answer.Tiltakstype.ArenaKode == nil || *answer.Tiltakstype.ArenaKode == "":
		return GjennomforingV1{}, errors.New("tiltakstype.arenaKode is missing, null or empty")
	case answer.Virksomhetsnummer == nil:
		return GjennomforingV1{}, errors.New("virksomhetsnummer is missing or null")
	}
	g := GjennomforingV1{
		Tiltakstype:       Tiltakstype{ArenaKode: *answer.Tiltakstype.ArenaKode, Navn: deref(answer.Tiltakstype.Navn)},
		Navn:              deref(answer.Navn),
		Virksomhetsnummer: *answer.Virksomhetsnummer,
	}
	var err error
	if g.ID, err = rest.ParseUUID(*answer.ID); err != nil {
		return GjennomforingV1{}, fmt.Errorf("id: %w", err)
	}
	if answer.Tiltakstype.ID != nil {
		if g.Tiltakstype.ID, err = rest.ParseUUID(*answer.Tiltakstype.ID); err != nil {
			return GjennomforingV1{}, fmt.Errorf("tiltakstype.id: %w", err)
		}
	}
	if g.StartDato, err = parseDate(answer.StartDato); err != nil {
		return GjennomforingV1{}, fmt.Errorf("startDato: %w", err)
	}
	if g.SluttDato, err = parseDate(answer.SluttDato); err != nil {
		return GjennomforingV1{}, fmt.Errorf("sluttDato: %w", err)
	}
	if answer.Status != nil {
		switch s := Status(*answer.Status); s {
		case StatusGjennomfores, StatusAvbrutt, StatusAvlyst, StatusAvsluttet:
			g.Status = s
		default:
			return GjennomforingV1{}, fmt.Errorf("unknown status %q", *answer.Status)
		}
	}
	if answer.Oppstart != nil {
		switch o := Oppstart(*answer.Oppstart); o {
		case OppstartLopende, OppstartFelles:
			g.Oppstart = o
		default:
			return GjennomforingV1{}, fmt.Errorf("unknown oppstart %q", *answer.Oppstart)
		}
	}
	return g, nil
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

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
