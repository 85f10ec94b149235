// Package mulighetsrommet is the client of mulighetsrommet-api, the
// programme catalogue: it translates an Arena gjennomføring id into
// Mulighetsrommet's UUID and tells what kind of gjennomføring that is, and
// fetches the v1 view of a gjennomføring, with its status and dates.
package mulighetsrommet

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

// Paths of the calls; the id goes at the end.
const (
	IDPath              = "/api/v1/tiltaksgjennomforinger/id/"
	GjennomforingPath   = "/api/v2/tiltaksgjennomforinger/"
	GjennomforingV1Path = "/api/v1/tiltaksgjennomforinger/"
)

// Client calls mulighetsrommet-api. It is safe for concurrent use.
type Client struct {
	call *rest.Caller
}

// New returns a Client for cfg that gets its tokens for cfg.Scope from
// tokens.
func New(cfg client.Config, tokens client.TokenSource, opts ...client.Option) (*Client, error) {
	c, err := rest.New(client.PeerMulighetsrommet, cfg, tokens, opts)
	if err != nil {
		return nil, err
	}
	return &Client{call: c}, nil
}

// GjennomforingID returns Mulighetsrommet's UUID (lower case) of the Arena
// gjennomføring arenaID (GET /api/v1/tiltaksgjennomforinger/id/{arenaID},
// answer {"id": "<uuid>"}; other fields are ignored).
//
// A 404 means Mulighetsrommet has not taken the gjennomføring in yet: the
// error wraps client.ErrNotFound. The deltaker and hist handlers store the
// message for retry with the note "Venter på at gjennomføring med id=…
// skal bli håndtert av Mulighetsrommet"; the gjennomføring handler ignores
// this and every other failure of the call. Every other failure, an answer
// without a UUID id included, is an *client.Error.
func (c *Client) GjennomforingID(ctx context.Context, arenaID int64) (string, error) {
	var id string
	err := c.call.Do(ctx, rest.Request{
		Op:       fmt.Sprintf("look up gjennomføring id of Arena id %d", arenaID),
		Method:   http.MethodGet,
		Path:     IDPath + strconv.FormatInt(arenaID, 10),
		NotFound: true,
	}, func(body []byte) error {
		var answer struct {
			ID *string `json:"id"`
		}
		if err := json.Unmarshal(body, &answer); err != nil {
			return err
		}
		if answer.ID == nil {
			return errors.New("id is missing or null")
		}
		var err error
		if id, err = rest.ParseUUID(*answer.ID); err != nil {
			return fmt.Errorf("id: %w", err)
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	return id, nil
}

// Gjennomforing is what the service uses of a gjennomføring in
// Mulighetsrommet.
type Gjennomforing struct {
	// ID is Mulighetsrommet's UUID, lower case.
	ID string
	// Tiltakskode is Mulighetsrommet's programme code.
	Tiltakskode Tiltakskode
	// ArenaKode is the Arena code Tiltakskode stands for (see ArenaKode).
	ArenaKode string
	// Virksomhetsnummer is the arrangør's organisation number.
	Virksomhetsnummer string
	// Oppstart tells continuous intake from common start.
	Oppstart Oppstart
}

// IsEnkeltplass reports whether the gjennomføring is a single-seat one
// (ArenaKode ENKELAMO, ENKFAGYRKE or HOYEREUTD): its deltakere go to the
// enkeltplass topic and follow the kurs status rules.
func (g Gjennomforing) IsEnkeltplass() bool { return IsEnkeltplassKode(g.ArenaKode) }

// IsKurs reports whether the gjennomføring has a common start (oppstart
// FELLES).
func (g Gjennomforing) IsKurs() bool { return g.Oppstart == OppstartFelles }

// KreverGodkjenningsloep reports whether the kurs status rules apply to its
// deltakere: for a kurs and for an enkeltplass.
func (g Gjennomforing) KreverGodkjenningsloep() bool { return g.IsKurs() || g.IsEnkeltplass() }

// Gjennomforing fetches the gjennomføring id (GET
// /api/v2/tiltaksgjennomforinger/{id}, answer {"id", "tiltakskode",
// "arrangor": {"organisasjonsnummer"}, "oppstart", …}).
//
// The answer is read strictly: id, tiltakskode, arrangor.organisasjonsnummer
// and oppstart must all be there and not null, tiltakskode and oppstart must
// be values this package knows, and tiltakskode must have an Arena code
// (TILPASSET_JOBBSTOTTE has none). Fields beyond those are ignored, whatever
// they hold. Mulighetsrommet's v2 answer has no status and no sluttDato.
//
// A 404 is not special: like every other failure it is an *client.Error,
// and the message is retried. An id that is not a UUID is an error before
// any call is made.
func (c *Client) Gjennomforing(ctx context.Context, id string) (Gjennomforing, error) {
	uuid, err := rest.ParseUUID(id)
	if err != nil {
		return Gjennomforing{}, &client.Error{Peer: client.PeerMulighetsrommet, Op: "get gjennomføring", Err: fmt.Errorf("id %q: %w", id, err)}
	}
	var g Gjennomforing
	err = c.call.Do(ctx, rest.Request{
		Op:     "get gjennomføring " + uuid,
		Method: http.MethodGet,
		Path:   GjennomforingPath + url.PathEscape(uuid),
	}, func(body []byte) error {
		var err error
		g, err = decodeGjennomforing(body)
		return err
	})
	if err != nil {
		return Gjennomforing{}, err
	}
	return g, nil
}

func decodeGjennomforing(body []byte) (Gjennomforing, error) {
	var answer struct {
		ID          *string `json:"id"`
		Tiltakskode *string `json:"tiltakskode"`
		Arrangor    *struct {
			Organisasjonsnummer *string `json:"organisasjonsnummer"`
		} `json:"arrangor"`
		Oppstart *string `json:"oppstart"`
	}
	if err := json.Unmarshal(body, &answer); err != nil {
		return Gjennomforing{}, err
	}
	switch {
	case answer.ID == nil:
		return Gjennomforing{}, errors.New("id is missing or null")
	case answer.Tiltakskode == nil:
		return Gjennomforing{}, errors.New("tiltakskode is missing or null")
	case answer.Arrangor == nil:
		return Gjennomforing{}, errors.New("arrangor is missing or null")
	case answer.Arrangor.Organisasjonsnummer == nil:
		return Gjennomforing{}, errors.New("arrangor.organisasjonsnummer is missing or null")
	case answer.Oppstart == nil:
		return Gjennomforing{}, errors.New("oppstart is missing or null")
	}
	id, err := rest.ParseUUID(*answer.ID)
	if err != nil {
		return Gjennomforing{}, fmt.Errorf("id: %w", err)
	}
	kode := Tiltakskode(*answer.Tiltakskode)
	arenaKode, err := ArenaKode(kode)
	if err != nil {
		return Gjennomforing{}, err
	}
	oppstart := Oppstart(*answer.Oppstart)
	if oppstart != OppstartLopende && oppstart != OppstartFelles {
		return Gjennomforing{}, fmt.Errorf("unknown oppstart %q", *answer.Oppstart)
	}
	return Gjennomforing{
		ID:                id,
		Tiltakskode:       kode,
		ArenaKode:         arenaKode,
		Virksomhetsnummer: *answer.Arrangor.Organisasjonsnummer,
		Oppstart:          oppstart,
	}, nil
}
