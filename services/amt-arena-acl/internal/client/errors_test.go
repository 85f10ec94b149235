package client_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/navikt/kafkapg/pkg/nais"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/client"
)

// The token client of pkg/nais is the token source in production.
var _ client.TokenSource = (*nais.TokenClient)(nil)

func TestError(t *testing.T) {
	t.Parallel()

	for _, tc := range []struct {
		name      string
		err       *client.Error
		retryable bool
		timeout   bool
		notFound  bool
	}{
		{"transport", &client.Error{Err: errors.New("connection refused")}, true, false, false},
		{"own timeout", &client.Error{Err: fmt.Errorf("no answer within 1s: %w", context.DeadlineExceeded)}, true, true, false},
		{"caller cancelled", &client.Error{Err: fmt.Errorf("given up: %w", context.Canceled)}, false, false, false},
		{"500", &client.Error{Status: 500, Err: errors.New("answered 500")}, true, false, false},
		{"503", &client.Error{Status: 503, Err: errors.New("answered 503")}, true, false, false},
		{"429", &client.Error{Status: 429, Err: errors.New("answered 429")}, true, false, false},
		{"408", &client.Error{Status: 408, Err: errors.New("answered 408")}, true, false, false},
		{"401", &client.Error{Status: 401, Err: errors.New("answered 401")}, false, false, false},
		{"400", &client.Error{Status: 400, Err: errors.New("answered 400")}, false, false, false},
		{"404 not found", &client.Error{Status: 404, Err: client.ErrNotFound}, false, false, true},
		{"bad answer", &client.Error{Status: 200, Err: errors.New("unexpected answer: id is missing")}, false, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.err.Peer, tc.err.Op = "peer", "do something"
			wrapped := fmt.Errorf("handler: %w", tc.err)
			require.Equal(t, tc.retryable, tc.err.Retryable())
			require.Equal(t, tc.retryable, client.IsRetryable(wrapped))
			require.Equal(t, tc.timeout, tc.err.Timeout())
			require.Equal(t, tc.notFound, errors.Is(wrapped, client.ErrNotFound))
			require.Equal(t, "peer: do something: "+tc.err.Err.Error(), tc.err.Error())
		})
	}

	require.False(t, client.IsRetryable(errors.New("not a client error")))
	require.False(t, client.IsRetryable(nil))
}
