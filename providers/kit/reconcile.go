package kit

import (
	"context"
	"errors"

	"github.com/mfspay/mfspay"
)

// ReconcileCreate makes a create safe to repeat for providers that can look
// a payment up by invoice id. It calls create; when the outcome is unknown
// (the request may have reached the provider), it asks lookup before trying
// again: a payment that exists is returned instead of creating a second one,
// ErrNotFound allows one more create, and anything else leaves the outcome
// unknown. A duplicate-invoice answer on the repeat is resolved the same way,
// as the HTTP client already resolves one that answers a retry within a
// create (HTTPResponse.DuplicateKind makes it ErrOutcomeUnknown): whatever
// layer repeated the create, the earlier try may have made the payment now
// reported as taken. lookup returns the existing checkout for the invoice,
// an ErrNotFound, or an ErrDuplicate when the invoice belongs to a payment
// that does not match the request (another amount).
func ReconcileCreate(ctx context.Context, attempts int,
	create func(context.Context) (*mfspay.Checkout, error),
	lookup func(context.Context) (*mfspay.Checkout, error),
) (*mfspay.Checkout, error) {
	if attempts < 1 {
		attempts = 1
	}
	var lastErr error
	for i := 0; i < attempts; i++ {
		co, err := create(ctx)
		if err == nil {
			return co, nil
		}
		retried := i > 0
		if !errors.Is(err, mfspay.ErrOutcomeUnknown) && !(retried && errors.Is(err, mfspay.ErrDuplicate)) {
			return nil, err
		}
		lastErr = err
		if ctx.Err() != nil {
			return nil, err
		}
		found, lerr := lookup(ctx)
		if lerr == nil && found == nil { // a lookup that answers nothing settles nothing.
			lerr = errors.New("lookup returned no checkout")
		}
		switch {
		case lerr == nil:
			return found, nil
		case errors.Is(lerr, mfspay.ErrNotFound):
			continue // it never happened: creating again is safe.
		case errors.Is(lerr, mfspay.ErrDuplicate):
			return nil, lerr
		default:
			return nil, outcomeUnknown(err, lerr)
		}
	}
	return nil, outcomeUnknown(lastErr, nil)
}

// outcomeUnknown keeps the create's error as the cause and says why the
// outcome could not be settled.
func outcomeUnknown(createErr, lookupErr error) error {
	var e *mfspay.Error
	if !errors.As(createErr, &e) {
		return &mfspay.Error{Kind: mfspay.ErrOutcomeUnknown, Err: createErr}
	}
	out := *e
	out.Kind = mfspay.ErrOutcomeUnknown
	if lookupErr != nil {
		out.Message = "the create may have happened and the lookup by invoice failed too"
	} else {
		out.Message = "the create may have happened; verify by invoice before trying again"
	}
	return &out
}

// ExplainOutcomeUnknown returns err, when it is an ErrOutcomeUnknown, with
// why in front of its message (the provider's words kept after it in
// parentheses): for a provider that cannot be asked by invoice, what the
// caller should do about a create that may have happened. Any other error
// is returned as it is.
func ExplainOutcomeUnknown(err error, why string) error {
	var e *mfspay.Error
	if !errors.As(err, &e) || e.Kind != mfspay.ErrOutcomeUnknown {
		return err
	}
	out := *e
	out.Message = why
	if e.Message != "" {
		out.Message += " (" + e.Message + ")"
	}
	return &out
}
