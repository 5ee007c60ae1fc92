package mfspay_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/providers/kit"
)

func TestErrorFormat(t *testing.T) {
	tests := []struct {
		name string
		err  *mfspay.Error
		want string
	}{
		{"empty", &mfspay.Error{}, "error"},
		{"kind only", &mfspay.Error{Kind: mfspay.ErrNotFound}, "not found"},
		{"provider only", &mfspay.Error{Kind: mfspay.ErrNotFound, Provider: "wezopay"}, "wezopay: not found"},
		{"op only", &mfspay.Error{Kind: mfspay.ErrNotFound, Op: "verify"}, "verify: not found"},
		{"provider and op", &mfspay.Error{Kind: mfspay.ErrNotFound, Provider: "wezopay", Op: "verify"},
			"wezopay verify: not found"},
		{"field and message", kit.Invalid("wezopay", "create", "amount", "must be greater than zero"),
			"wezopay create: invalid request: amount: must be greater than zero"},
		{"status only", &mfspay.Error{Kind: mfspay.ErrUnavailable, HTTPStatus: 503}, "unavailable (HTTP 503)"},
		{"code only", &mfspay.Error{Kind: mfspay.ErrDuplicate, Code: "dup"}, "duplicate (code dup)"},
		{"everything", &mfspay.Error{
			Kind: mfspay.ErrRateLimited, Provider: "eazzpay", Op: "list", HTTPStatus: 429, Code: "slow_down",
			Message: "too many requests", RetryAfter: 2 * time.Second, Err: io.ErrUnexpectedEOF,
		}, "eazzpay list: rate limited: too many requests (HTTP 429, code slow_down) retry after 2s: unexpected EOF"},
		{"cause without kind", &mfspay.Error{Op: "verify", Err: io.EOF}, "verify: error: EOF"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.err.Error()
			assert.Equal(t, tt.want, got)
			assert.NotContains(t, got, "  ")
			assert.NotContains(t, got, ": :")
			assert.NotContains(t, got, "()")
			assert.False(t, strings.HasPrefix(got, ":") || strings.HasPrefix(got, " "), got)
		})
	}
}

func TestErrorIsEveryKind(t *testing.T) {
	cause := errors.New("connection refused")
	for _, kind := range mfspay.Kinds {
		t.Run(kind.Error(), func(t *testing.T) {
			err := error(&mfspay.Error{Kind: kind, Provider: "wezopay", Op: "verify", Err: cause})
			wrapped := fmt.Errorf("checkout: %w", err)
			for _, e := range []error{err, wrapped} {
				assert.ErrorIs(t, e, kind)
				assert.ErrorIs(t, e, cause, "the cause is reachable too")
				for _, other := range mfspay.Kinds {
					if other != kind {
						assert.NotErrorIs(t, e, other)
					}
				}
				var got *mfspay.Error
				require.ErrorAs(t, e, &got)
				assert.Equal(t, "wezopay", got.Provider)
				assert.Equal(t, kind, mfspay.KindOf(e))
			}
			// Without a cause, only the kind matches.
			bare := &mfspay.Error{Kind: kind}
			assert.ErrorIs(t, bare, kind)
			assert.NotErrorIs(t, bare, cause)
		})
	}
}

func TestErrorAsReachesCause(t *testing.T) {
	type tempErr struct{ error }
	cause := tempErr{errors.New("dial tcp: refused")}
	err := fmt.Errorf("outer: %w", &mfspay.Error{Kind: mfspay.ErrUnavailable, Err: cause})
	var got tempErr
	require.ErrorAs(t, err, &got)
	assert.Equal(t, cause, got)

	ctxErr := &mfspay.Error{Kind: mfspay.ErrUnavailable, Err: context.Canceled}
	assert.ErrorIs(t, ctxErr, context.Canceled)
	assert.ErrorIs(t, ctxErr, mfspay.ErrUnavailable)
}

func TestKindOf(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want error
	}{
		{"nil", nil, nil},
		{"plain", errors.New("boom"), nil},
		{"sentinel", mfspay.ErrNotFound, mfspay.ErrNotFound},
		{"wrapped sentinel", fmt.Errorf("x: %w", mfspay.ErrDuplicate), mfspay.ErrDuplicate},
		{"*Error", &mfspay.Error{Kind: mfspay.ErrForbidden}, mfspay.ErrForbidden},
		{"*Error without kind wrapping a kind", &mfspay.Error{Err: mfspay.ErrRateLimited}, mfspay.ErrRateLimited},
		{"*Error without kind", &mfspay.Error{Err: io.EOF}, nil},
		{"context", context.Canceled, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, mfspay.KindOf(tt.err))
		})
	}
}

func TestKindByNameRoundTrip(t *testing.T) {
	require.Len(t, mfspay.Kinds, 12)
	seen := map[string]bool{}
	for _, kind := range mfspay.Kinds {
		name := kind.Error()
		assert.False(t, seen[name], "kind names must be unique: %q", name)
		seen[name] = true
		assert.Equal(t, kind, mfspay.KindByName(name))
	}
	assert.Nil(t, mfspay.KindByName(""))
	assert.Nil(t, mfspay.KindByName("Not Found"))
	assert.Nil(t, mfspay.KindByName("teapot"))
}

func TestKindForStatus(t *testing.T) {
	tests := []struct {
		status int
		want   error
	}{
		{100, nil},
		{200, nil},
		{201, nil},
		{301, nil},
		{400, mfspay.ErrInvalidRequest},
		{401, mfspay.ErrUnauthorized},
		{403, mfspay.ErrForbidden},
		{404, mfspay.ErrNotFound},
		{405, mfspay.ErrInvalidRequest},
		{409, mfspay.ErrDuplicate},
		{413, mfspay.ErrInvalidRequest},
		{422, mfspay.ErrInvalidRequest},
		{429, mfspay.ErrRateLimited},
		{500, mfspay.ErrUnavailable},
		{501, mfspay.ErrUnavailable},
		{502, mfspay.ErrUnavailable},
		{503, mfspay.ErrUnavailable},
		{504, mfspay.ErrUnavailable},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.status), func(t *testing.T) {
			assert.Equal(t, tt.want, kit.KindForStatus(tt.status))
		})
	}
}

func TestRedact(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		secrets []string
		want    string
	}{
		{"no secrets", "key wpk_live_123 leaked", nil, "key wpk_live_123 leaked"},
		{"empty secret ignored", "abc", []string{""}, "abc"},
		{"one", "bad key wpk_live_123", []string{"wpk_live_123"}, "bad key [REDACTED]"},
		{"every occurrence", "wpk_1 and wpk_1", []string{"wpk_1"}, "[REDACTED] and [REDACTED]"},
		{"several", "key k1 secret s2", []string{"k1", "s2"}, "key [REDACTED] secret [REDACTED]"},
		{"absent", "nothing here", []string{"wpk_live_123"}, "nothing here"},
		{"one inside another", "got abcdef", []string{"abc", "abcdef"}, "got [REDACTED]"},
		{"one inside another, short first", "got abcdef!", []string{"abcdef", "abc"}, "got [REDACTED]!"},
		{"overlapping", "xxabcdefyy", []string{"abcd", "cdef"}, "xx[REDACTED]yy"},
		{"overlapping itself", "aaaaa", []string{"aaa"}, "[REDACTED]"},
		{"unicode", "কী=গোপন;", []string{"গোপন"}, "কী=[REDACTED];"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := kit.Redact(tt.in, tt.secrets...)
			assert.Equal(t, tt.want, got)
			for _, s := range tt.secrets {
				if s != "" {
					assert.NotContains(t, got, s)
				}
			}
		})
	}
}

func TestInvalidAndUnsupported(t *testing.T) {
	e := kit.Invalid("wezopay", "create", "amount", "must be positive")
	assert.ErrorIs(t, e, mfspay.ErrInvalidRequest)
	assert.Equal(t, "amount", e.Field)

	u := kit.Unsupported("eazzpay", "list")
	assert.ErrorIs(t, u, mfspay.ErrUnsupported)
	assert.Equal(t, "eazzpay", u.Provider)
	assert.Equal(t, "list", u.Op)
}

func TestErrorIsAllocatesNothing(t *testing.T) {
	// errors.Is on a gateway error is the hot path of every caller; keep it free.
	err := error(&mfspay.Error{Kind: mfspay.ErrCircuitOpen, Provider: "wezopay", Op: "verify"})
	allocs := testing.AllocsPerRun(100, func() {
		if !errors.Is(err, mfspay.ErrCircuitOpen) || errors.Is(err, mfspay.ErrNotFound) {
			t.Fatal("wrong kind")
		}
	})
	assert.Zero(t, allocs)
}
