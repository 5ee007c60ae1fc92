package mfspay_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/providers/kit"
)

// script plays back results in order and counts calls; running past the end
// fails the test.
type script struct {
	t       *testing.T
	name    string
	results []result
	calls   int
}

type result struct {
	co  *mfspay.Checkout
	err error
}

func (s *script) call(context.Context) (*mfspay.Checkout, error) {
	s.calls++
	if s.calls > len(s.results) {
		s.t.Errorf("%s called %d times, scripted %d", s.name, s.calls, len(s.results))
		return nil, errors.New("unscripted call")
	}
	r := s.results[s.calls-1]
	return r.co, r.err
}

func created(id string) result {
	return result{co: &mfspay.Checkout{PaymentID: id, InvoiceID: "INV-1"}}
}

func fails(kind error) result {
	return result{err: &mfspay.Error{Kind: kind, Provider: "fake", Op: mfspay.OpCreate, HTTPStatus: 502}}
}

func TestReconcileCreate(t *testing.T) {
	tests := []struct {
		name     string
		attempts int
		creates  []result
		lookups  []result
		wantID   string // empty: an error of wantKind
		wantKind error
	}{
		{"created at once", 3, []result{created("pay_1")}, nil, "pay_1", nil},
		{"found after an ambiguous create", 3,
			[]result{fails(mfspay.ErrOutcomeUnknown)}, []result{created("pay_1")}, "pay_1", nil},
		{"not found: created again", 3,
			[]result{fails(mfspay.ErrOutcomeUnknown), created("pay_2")}, []result{fails(mfspay.ErrNotFound)}, "pay_2", nil},
		{"duplicate on the repeat: looked up again", 3,
			[]result{fails(mfspay.ErrOutcomeUnknown), fails(mfspay.ErrDuplicate)},
			[]result{fails(mfspay.ErrNotFound), created("pay_1")}, "pay_1", nil},
		{"lookup fails", 3,
			[]result{fails(mfspay.ErrOutcomeUnknown)}, []result{fails(mfspay.ErrUnavailable)}, "", mfspay.ErrOutcomeUnknown},
		{"lookup rate limited", 3,
			[]result{fails(mfspay.ErrOutcomeUnknown)}, []result{fails(mfspay.ErrRateLimited)}, "", mfspay.ErrOutcomeUnknown},
		{"lookup answers nothing", 3,
			[]result{fails(mfspay.ErrOutcomeUnknown)}, []result{{}}, "", mfspay.ErrOutcomeUnknown},
		{"invoice taken by another payment", 3,
			[]result{fails(mfspay.ErrOutcomeUnknown)}, []result{fails(mfspay.ErrDuplicate)}, "", mfspay.ErrDuplicate},
		{"attempts run out", 2,
			[]result{fails(mfspay.ErrOutcomeUnknown), fails(mfspay.ErrOutcomeUnknown)},
			[]result{fails(mfspay.ErrNotFound), fails(mfspay.ErrNotFound)}, "", mfspay.ErrOutcomeUnknown},
		{"zero attempts means one", 0,
			[]result{fails(mfspay.ErrOutcomeUnknown)}, []result{fails(mfspay.ErrNotFound)}, "", mfspay.ErrOutcomeUnknown},
		{"ambiguity wrapped in another error", 3,
			[]result{{err: fmt.Errorf("adapter: %w", mfspay.ErrOutcomeUnknown)}}, []result{created("pay_1")}, "pay_1", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			creates := &script{t: t, name: "create", results: tt.creates}
			lookups := &script{t: t, name: "lookup", results: tt.lookups}
			co, err := kit.ReconcileCreate(context.Background(), tt.attempts, creates.call, lookups.call)
			assert.Equal(t, len(tt.creates), creates.calls, "creates")
			assert.Equal(t, len(tt.lookups), lookups.calls, "lookups")
			if tt.wantID != "" {
				require.NoError(t, err)
				assert.Equal(t, tt.wantID, co.PaymentID)
				return
			}
			require.Error(t, err)
			assert.Nil(t, co)
			assert.ErrorIs(t, err, tt.wantKind)
			assert.Equal(t, tt.wantKind, mfspay.KindOf(err))
		})
	}
}

func TestReconcileCreateKeepsTheCreateError(t *testing.T) {
	creates := &script{t: t, name: "create", results: []result{fails(mfspay.ErrOutcomeUnknown)}}
	lookups := &script{t: t, name: "lookup", results: []result{fails(mfspay.ErrUnavailable)}}
	_, err := kit.ReconcileCreate(context.Background(), 3, creates.call, lookups.call)
	var e *mfspay.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, mfspay.ErrOutcomeUnknown, e.Kind)
	assert.Equal(t, "fake", e.Provider)
	assert.Equal(t, mfspay.OpCreate, e.Op)
	assert.Equal(t, 502, e.HTTPStatus)
	assert.Contains(t, e.Message, "lookup")
}

func TestReconcileCreateReturnsOtherErrorsAsIs(t *testing.T) {
	for _, kind := range []error{
		mfspay.ErrInvalidRequest, mfspay.ErrUnauthorized, mfspay.ErrForbidden, mfspay.ErrDuplicate,
		mfspay.ErrRateLimited, mfspay.ErrUnavailable, mfspay.ErrCircuitOpen, mfspay.ErrUnsupported,
	} {
		t.Run(kind.Error(), func(t *testing.T) {
			want := fails(kind).err
			creates := &script{t: t, name: "create", results: []result{{err: want}}}
			lookups := &script{t: t, name: "lookup"}
			co, err := kit.ReconcileCreate(context.Background(), 3, creates.call, lookups.call)
			assert.Nil(t, co)
			assert.Same(t, want, err)
			assert.Zero(t, lookups.calls)
		})
	}
}

func TestReconcileCreateStopsWhenCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	ambiguous := &mfspay.Error{Kind: mfspay.ErrOutcomeUnknown, Err: context.Canceled}
	creates := &script{t: t, name: "create", results: []result{{err: ambiguous}}}
	lookups := &script{t: t, name: "lookup"}
	cancel()
	_, err := kit.ReconcileCreate(ctx, 3, func(ctx context.Context) (*mfspay.Checkout, error) {
		return creates.call(ctx)
	}, lookups.call)
	assert.ErrorIs(t, err, context.Canceled)
	assert.ErrorIs(t, err, mfspay.ErrOutcomeUnknown)
	assert.Equal(t, 1, creates.calls)
	assert.Zero(t, lookups.calls, "no lookup on a cancelled context")
}
