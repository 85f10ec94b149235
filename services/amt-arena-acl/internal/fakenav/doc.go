// Package fakenav has fakes of the NAV services amt-arena-acl talks to over
// HTTP, as real HTTP handlers: the NAIS token sidecar Texas (token and
// introspection endpoints), amt-arena-ords-proxy, mulighetsrommet-api and
// amt-tiltak. Tests and the local stack run them on real ports; StartStack
// starts all four at once and says how to reach them.
//
// Each fake keeps its data in memory, to be seeded while it runs (ORDS.SetFnr,
// ORDS.AddArbeidsgiver, Mulighetsrommet.AddGjennomforing,
// AmtTiltak.SetDeltakelser), counts the
// calls to it, and can be told to fail or to hang the next calls (see
// Faults). The peers demand a bearer token that this Texas issued for their
// scope, as the real services demand one from Entra ID (see Guard). Apart
// from a hang that was asked for, every fake answers at once.
package fakenav
