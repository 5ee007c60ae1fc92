package robustness_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/conformance/simctl"
	"github.com/mfspay/mfspay/providers/bkash"
	"github.com/mfspay/mfspay/providers/bkash/bkashtest"
	"github.com/mfspay/mfspay/providers/eazzpay"
	"github.com/mfspay/mfspay/providers/eazzpay/eazzpaytest"
	"github.com/mfspay/mfspay/providers/uddoktapay"
	"github.com/mfspay/mfspay/providers/uddoktapay/uddoktapaytest"
	"github.com/mfspay/mfspay/providers/wezopay"
	"github.com/mfspay/mfspay/providers/wezopay/wezopaytest"
)

// The resilience settings of every row: quick backoff, three attempts per
// call, a Retry-After of 1s honoured and one of 5s handed to the caller,
// and a breaker that opens on the first failure, so that its state after
// one call says whether that call counted as the provider failing.
const (
	maxAttempts    = 3
	attemptTimeout = 500 * time.Millisecond
	maxRetryAfter  = 2 * time.Second
)

func resilience() mfspay.Resilience {
	return mfspay.Resilience{
		Retry: mfspay.RetryPolicy{
			MaxAttempts:    maxAttempts,
			MinBackoff:     time.Millisecond,
			MaxBackoff:     5 * time.Millisecond,
			MaxRetryAfter:  maxRetryAfter,
			AttemptTimeout: attemptTimeout,
		},
		Breaker: mfspay.BreakerSettings{FailureThreshold: 1, OpenTimeout: time.Hour, HalfOpenProbes: 1},
	}
}

// adapter starts a simulator and opens a gateway on it from its settings,
// as plugins and the conformance suite do.
type adapter struct {
	start func(t *testing.T) simctl.Controller
	open  func(settings map[string]string, r mfspay.Resilience) (mfspay.Gateway, error)
	// paymentID, for a provider whose create answers no payment id, is the
	// id the customer's return or the notification would tell.
	paymentID func(sim simctl.Controller, co *mfspay.Checkout) string
}

var adapters = map[string]adapter{
	wezopay.ProviderName: {
		start: func(t *testing.T) simctl.Controller {
			s := wezopaytest.NewServer()
			t.Cleanup(s.Close)
			return s
		},
		open: wezopay.FromSettings,
	},
	eazzpay.ProviderName: {
		start: func(t *testing.T) simctl.Controller {
			s := eazzpaytest.NewServer()
			t.Cleanup(s.Close)
			return s
		},
		open: eazzpay.FromSettings,
	},
	uddoktapay.ProviderName: {
		start: func(t *testing.T) simctl.Controller {
			s := uddoktapaytest.NewServer()
			t.Cleanup(s.Close)
			return s
		},
		open: uddoktapay.FromSettings,
		paymentID: func(sim simctl.Controller, co *mfspay.Checkout) string {
			p, _ := sim.(*uddoktapaytest.Server).PaymentByInvoice(co.InvoiceID)
			return p.ID
		},
	},
	bkash.ProviderName: {
		start: func(t *testing.T) simctl.Controller {
			s := bkashtest.NewServer()
			t.Cleanup(s.Close)
			return s
		},
		// bKash calls need a token. It is granted here, before the fault, by
		// looking up a payment nobody has (ErrNotFound, which the breaker
		// counts as an answer), so that the fault meets the operation itself.
		open: func(settings map[string]string, r mfspay.Resilience) (mfspay.Gateway, error) {
			gw, err := bkash.FromSettings(settings, r)
			if err != nil {
				return nil, err
			}
			_, err = gw.VerifyPayment(context.Background(), mfspay.PaymentRef{PaymentID: "TR0011NOBODY01762072142166"})
			if !errors.Is(err, mfspay.ErrNotFound) {
				return nil, fmt.Errorf("granting the token: %w", err)
			}
			return gw, nil
		},
	},
}

// The faults, by name. Each is built for an adapter and an operation (the
// success status and the failure body differ); the row adds
// AfterProcessing.
const (
	f500         = "500"
	f500Lasting  = "500 on every request"
	f502HTML     = "502 HTML page"
	f503Short    = "503 Retry-After 1s"
	f503Long     = "503 Retry-After 5s (over the cap)"
	f429         = "429"
	fSlow        = "slower than the attempt timeout"
	fResetMid    = "connection reset mid-body"
	fTruncated   = "truncated JSON"
	fSaysFailure = "2xx whose body says failure"
	fHTML200     = "2xx HTML page"
	fPlainJSON   = "2xx text/plain, JSON-ish"
)

const (
	htmlPage  = `<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>`
	portal    = `<!DOCTYPE html><html><body><h1>Scheduled maintenance</h1><p>Back soon.</p></body></html>`
	jsonish   = `{success: true, data: {token: 'pay_x', payment_url: 'https://example.com/p/pay_x'}}`
	truncated = `{"success":true,"code":201,"data":{"token":"pay_4f1c`
)

// failureBody is a 2xx answer in the provider's own format saying the
// request failed.
var failureBody = map[string]string{
	wezopay.ProviderName: `{"success":false,"error":"Payment gateway error"}`,
	eazzpay.ProviderName: `{"code":500,"message":"Payment initiation failed"}`,
	// Both of UddoktaPay's envelopes say failure with a message and no
	// code; create's is {"status": false, …}, and verify reads it too.
	uddoktapay.ProviderName: `{"status":false,"message":"Something went wrong"}`,
	bkash.ProviderName:      `{"statusCode":"2003","statusMessage":"Process failed"}`,
}

func fault(name, provider, op string) simctl.Fault {
	ok := http.StatusOK
	if op == mfspay.OpCreate {
		ok = http.StatusCreated
	}
	switch name {
	case f500:
		return simctl.Fault{Status: 500}
	case f500Lasting:
		return simctl.Fault{Status: 500, Count: 10}
	case f502HTML:
		return simctl.Fault{Status: 502, ContentType: "text/html", Body: htmlPage}
	case f503Short:
		return simctl.Fault{Status: 503, RetryAfter: time.Second}
	case f503Long:
		return simctl.Fault{Status: 503, RetryAfter: 5 * time.Second}
	case f429:
		return simctl.Fault{Status: 429}
	case fSlow:
		// The simulator gives up on the request when the client does, so
		// the long delay costs one attempt timeout, not 10s.
		return simctl.Fault{Delay: 10 * time.Second}
	case fResetMid:
		return simctl.Fault{ResetMidBody: true}
	case fTruncated:
		return simctl.Fault{Status: ok, Body: truncated}
	case fSaysFailure:
		return simctl.Fault{Status: ok, Body: failureBody[provider]}
	case fHTML200:
		return simctl.Fault{Status: ok, ContentType: "text/html; charset=utf-8", Body: portal}
	case fPlainJSON:
		return simctl.Fault{Status: ok, ContentType: "text/plain", Body: jsonish}
	}
	panic("unknown fault " + name)
}

// row is one cell of the matrix and what must come of it.
type row struct {
	provider string
	op       string
	fault    string
	after    bool // the provider acts on the request before failing
	// kind is the error kind, nil when the call succeeds.
	kind error
	// attempts is how many API requests the provider saw during the call.
	attempts int
	// payments is how many payments the provider holds for the row's
	// invoice afterwards: never more than one.
	payments int
	breaker  mfspay.BreakerState
}

const (
	wz, ez, ud, bk = wezopay.ProviderName, eazzpay.ProviderName, uddoktapay.ProviderName, bkash.ProviderName
	create, verify = mfspay.OpCreate, mfspay.OpVerify
	list           = mfspay.OpList
	before, after  = false, true
	closed, open   = mfspay.BreakerClosed, mfspay.BreakerOpen
)

var (
	unknown     = mfspay.ErrOutcomeUnknown
	unavailable = mfspay.ErrUnavailable
)

// matrix is every adapter × operation × fault. Reading it:
//
//   - WezoPay creates: a create is sent once; whenever its outcome is
//     unknown the invoice is looked up. Before processing the lookup finds
//     nothing and the create is sent again (create, lookup, create: 3
//     requests); after processing it finds the payment (create, lookup: 2).
//     Only when the lookup fails too is the answer ErrOutcomeUnknown.
//   - EazzPay creates: EazzPay has no lookup, so every ambiguous answer is
//     ErrOutcomeUnknown after exactly one request, whether or not a payment
//     was made; EazzPay offers no verify or list, which are ErrUnsupported
//     without any traffic whatever the provider's state.
//   - Reads retry 5xx, 429, timeouts and cut-off bodies up to 3 attempts;
//     a Retry-After beyond the 2s cap is handed back rather than waited
//     for; a complete 2xx body that is not a usable answer is
//     ErrUnavailable at once (a retry would read the same).
//   - 429 is retried for creates too: it says the provider did not act.
//     A provider that acted and then answered 429 is covered for WezoPay
//     only, by its unique invoice ids: the retry meets "already exists",
//     which answering a retry is ambiguous, so the invoice is looked up and
//     the one payment returned. EazzPay has no such check, so that row is
//     absent: its guarantee rests on 429 meaning what HTTP says it means.
//   - UddoktaPay creates are EazzPay's case (no lookup, one request,
//     ErrOutcomeUnknown whenever ambiguous; no 429-after-processing row),
//     except that a 2xx {"status": false} is the panel refusing the
//     request, ErrInvalidRequest, which leaves the breaker closed.
//     Creating again after ErrOutcomeUnknown is money-safe there: an
//     unpaid charge costs nothing. Its verify is a read like WezoPay's,
//     except that a 2xx error envelope is verify's "no such invoice",
//     ErrNotFound; it has no list.
//   - bKash creates: like EazzPay's, with no lookup by invoice, every
//     ambiguous answer (2003 "Process failed" included) is
//     ErrOutcomeUnknown after exactly one request; creating again is
//     money-safe there, since nothing is debited without an execute. bKash
//     reads (the payment/status query, a POST) retry like WezoPay's; bKash
//     has no list (ErrUnsupported without traffic). Its rows run with the
//     token already granted. A 429 after bKash acted is out of scope, as
//     for EazzPay: bKash has no unique invoice to catch the retry.
//   - The breaker (threshold 1) opens on ErrUnavailable and
//     ErrOutcomeUnknown and stays closed on success and ErrUnsupported.
var matrix = []row{
	{wz, create, f500, before, nil, 3, 1, closed},
	{wz, create, f500, after, nil, 2, 1, closed},
	{wz, create, f500Lasting, before, unknown, 4, 0, open}, // create, then 3 lookup attempts
	{wz, create, f500Lasting, after, unknown, 4, 1, open},
	{wz, create, f502HTML, before, nil, 3, 1, closed},
	{wz, create, f502HTML, after, nil, 2, 1, closed},
	{wz, create, f503Short, before, nil, 3, 1, closed},
	{wz, create, f503Short, after, nil, 2, 1, closed},
	{wz, create, f503Long, before, nil, 3, 1, closed},
	{wz, create, f503Long, after, nil, 2, 1, closed},
	{wz, create, f429, before, nil, 2, 1, closed},
	{wz, create, f429, after, nil, 3, 1, closed}, // create, its retry meeting the payment, lookup
	{wz, create, fSlow, before, nil, 3, 1, closed},
	{wz, create, fSlow, after, nil, 2, 1, closed},
	{wz, create, fResetMid, before, nil, 3, 1, closed},
	{wz, create, fResetMid, after, nil, 2, 1, closed},
	{wz, create, fTruncated, before, nil, 3, 1, closed},
	{wz, create, fTruncated, after, nil, 2, 1, closed},
	{wz, create, fSaysFailure, before, nil, 3, 1, closed},
	{wz, create, fSaysFailure, after, nil, 2, 1, closed},
	{wz, create, fHTML200, before, nil, 3, 1, closed},
	{wz, create, fHTML200, after, nil, 2, 1, closed},
	{wz, create, fPlainJSON, before, nil, 3, 1, closed},
	{wz, create, fPlainJSON, after, nil, 2, 1, closed},

	{wz, verify, f500, before, nil, 2, 1, closed},
	{wz, verify, f500Lasting, before, unavailable, 3, 1, open},
	{wz, verify, f502HTML, before, nil, 2, 1, closed},
	{wz, verify, f503Short, before, nil, 2, 1, closed},
	{wz, verify, f503Long, before, unavailable, 1, 1, open},
	{wz, verify, f429, before, nil, 2, 1, closed},
	{wz, verify, fSlow, before, nil, 2, 1, closed},
	{wz, verify, fResetMid, before, nil, 2, 1, closed},
	{wz, verify, fTruncated, before, unavailable, 1, 1, open},
	{wz, verify, fSaysFailure, before, unavailable, 1, 1, open},
	{wz, verify, fHTML200, before, unavailable, 1, 1, open},
	{wz, verify, fPlainJSON, before, unavailable, 1, 1, open},

	{wz, list, f500, before, nil, 2, 1, closed},
	{wz, list, f500Lasting, before, unavailable, 3, 1, open},
	{wz, list, f502HTML, before, nil, 2, 1, closed},
	{wz, list, f503Short, before, nil, 2, 1, closed},
	{wz, list, f503Long, before, unavailable, 1, 1, open},
	{wz, list, f429, before, nil, 2, 1, closed},
	{wz, list, fSlow, before, nil, 2, 1, closed},
	{wz, list, fResetMid, before, nil, 2, 1, closed},
	{wz, list, fTruncated, before, unavailable, 1, 1, open},
	{wz, list, fSaysFailure, before, unavailable, 1, 1, open},
	{wz, list, fHTML200, before, unavailable, 1, 1, open},
	{wz, list, fPlainJSON, before, unavailable, 1, 1, open},

	{ez, create, f500, before, unknown, 1, 0, open},
	{ez, create, f500, after, unknown, 1, 1, open},
	{ez, create, f500Lasting, before, unknown, 1, 0, open},
	{ez, create, f500Lasting, after, unknown, 1, 1, open},
	{ez, create, f502HTML, before, unknown, 1, 0, open},
	{ez, create, f502HTML, after, unknown, 1, 1, open},
	{ez, create, f503Short, before, unknown, 1, 0, open},
	{ez, create, f503Short, after, unknown, 1, 1, open},
	{ez, create, f503Long, before, unknown, 1, 0, open},
	{ez, create, f503Long, after, unknown, 1, 1, open},
	{ez, create, f429, before, nil, 2, 1, closed},
	{ez, create, fSlow, before, unknown, 1, 0, open},
	{ez, create, fSlow, after, unknown, 1, 1, open},
	{ez, create, fResetMid, before, unknown, 1, 0, open},
	{ez, create, fResetMid, after, unknown, 1, 1, open},
	{ez, create, fTruncated, before, unknown, 1, 0, open},
	{ez, create, fTruncated, after, unknown, 1, 1, open},
	{ez, create, fSaysFailure, before, unknown, 1, 0, open},
	{ez, create, fSaysFailure, after, unknown, 1, 1, open},
	{ez, create, fHTML200, before, unknown, 1, 0, open},
	{ez, create, fHTML200, after, unknown, 1, 1, open},
	{ez, create, fPlainJSON, before, unknown, 1, 0, open},
	{ez, create, fPlainJSON, after, unknown, 1, 1, open},

	{ud, create, f500, before, unknown, 1, 0, open},
	{ud, create, f500, after, unknown, 1, 1, open},
	{ud, create, f500Lasting, before, unknown, 1, 0, open},
	{ud, create, f500Lasting, after, unknown, 1, 1, open},
	{ud, create, f502HTML, before, unknown, 1, 0, open},
	{ud, create, f502HTML, after, unknown, 1, 1, open},
	{ud, create, f503Short, before, unknown, 1, 0, open},
	{ud, create, f503Short, after, unknown, 1, 1, open},
	{ud, create, f503Long, before, unknown, 1, 0, open},
	{ud, create, f503Long, after, unknown, 1, 1, open},
	{ud, create, f429, before, nil, 2, 1, closed},
	{ud, create, fSlow, before, unknown, 1, 0, open},
	{ud, create, fSlow, after, unknown, 1, 1, open},
	{ud, create, fResetMid, before, unknown, 1, 0, open},
	{ud, create, fResetMid, after, unknown, 1, 1, open},
	{ud, create, fTruncated, before, unknown, 1, 0, open},
	{ud, create, fTruncated, after, unknown, 1, 1, open},
	{ud, create, fSaysFailure, before, mfspay.ErrInvalidRequest, 1, 0, closed},
	{ud, create, fSaysFailure, after, mfspay.ErrInvalidRequest, 1, 1, closed},
	{ud, create, fHTML200, before, unknown, 1, 0, open},
	{ud, create, fHTML200, after, unknown, 1, 1, open},
	{ud, create, fPlainJSON, before, unknown, 1, 0, open},
	{ud, create, fPlainJSON, after, unknown, 1, 1, open},

	{ud, verify, f500, before, nil, 2, 1, closed},
	{ud, verify, f500Lasting, before, unavailable, 3, 1, open},
	{ud, verify, f502HTML, before, nil, 2, 1, closed},
	{ud, verify, f503Short, before, nil, 2, 1, closed},
	{ud, verify, f503Long, before, unavailable, 1, 1, open},
	{ud, verify, f429, before, nil, 2, 1, closed},
	{ud, verify, fSlow, before, nil, 2, 1, closed},
	{ud, verify, fResetMid, before, nil, 2, 1, closed},
	{ud, verify, fTruncated, before, unavailable, 1, 1, open},
	{ud, verify, fSaysFailure, before, mfspay.ErrNotFound, 1, 1, closed},
	{ud, verify, fHTML200, before, unavailable, 1, 1, open},
	{ud, verify, fPlainJSON, before, unavailable, 1, 1, open},

	{bk, create, f500, before, unknown, 1, 0, open},
	{bk, create, f500, after, unknown, 1, 1, open},
	{bk, create, f500Lasting, before, unknown, 1, 0, open},
	{bk, create, f500Lasting, after, unknown, 1, 1, open},
	{bk, create, f502HTML, before, unknown, 1, 0, open},
	{bk, create, f502HTML, after, unknown, 1, 1, open},
	{bk, create, f503Short, before, unknown, 1, 0, open},
	{bk, create, f503Short, after, unknown, 1, 1, open},
	{bk, create, f503Long, before, unknown, 1, 0, open},
	{bk, create, f503Long, after, unknown, 1, 1, open},
	{bk, create, f429, before, nil, 2, 1, closed},
	{bk, create, fSlow, before, unknown, 1, 0, open},
	{bk, create, fSlow, after, unknown, 1, 1, open},
	{bk, create, fResetMid, before, unknown, 1, 0, open},
	{bk, create, fResetMid, after, unknown, 1, 1, open},
	{bk, create, fTruncated, before, unknown, 1, 0, open},
	{bk, create, fTruncated, after, unknown, 1, 1, open},
	{bk, create, fSaysFailure, before, unknown, 1, 0, open},
	{bk, create, fSaysFailure, after, unknown, 1, 1, open},
	{bk, create, fHTML200, before, unknown, 1, 0, open},
	{bk, create, fHTML200, after, unknown, 1, 1, open},
	{bk, create, fPlainJSON, before, unknown, 1, 0, open},
	{bk, create, fPlainJSON, after, unknown, 1, 1, open},

	{bk, verify, f500, before, nil, 2, 1, closed},
	{bk, verify, f500Lasting, before, unavailable, 3, 1, open},
	{bk, verify, f502HTML, before, nil, 2, 1, closed},
	{bk, verify, f503Short, before, nil, 2, 1, closed},
	{bk, verify, f503Long, before, unavailable, 1, 1, open},
	{bk, verify, f429, before, nil, 2, 1, closed},
	{bk, verify, fSlow, before, nil, 2, 1, closed},
	{bk, verify, fResetMid, before, nil, 2, 1, closed},
	{bk, verify, fTruncated, before, unavailable, 1, 1, open},
	{bk, verify, fSaysFailure, before, unavailable, 1, 1, open},
	{bk, verify, fHTML200, before, unavailable, 1, 1, open},
	{bk, verify, fPlainJSON, before, unavailable, 1, 1, open},
}

// unsupportedRows: EazzPay's verify and list, and UddoktaPay's and bKash's list, under
// every fault.
func unsupportedRows() []row {
	var rows []row
	for _, c := range []struct{ provider, op string }{{ez, verify}, {ez, list}, {ud, list}, {bk, list}} {
		for _, f := range []string{f500, f500Lasting, f502HTML, f503Short, f503Long, f429, fSlow,
			fResetMid, fTruncated, fSaysFailure, fHTML200, fPlainJSON} {
			rows = append(rows, row{c.provider, c.op, f, before, mfspay.ErrUnsupported, 0, 0, closed})
		}
	}
	return rows
}

func TestFaultMatrix(t *testing.T) {
	for _, r := range append(matrix, unsupportedRows()...) {
		phase := "before processing"
		if r.after {
			phase = "after processing"
		}
		t.Run(fmt.Sprintf("%s/%s/%s/%s", r.provider, r.op, r.fault, phase), func(t *testing.T) {
			t.Parallel()
			runRow(t, r)
		})
	}
}

// TestFaultMatrixIsComplete keeps the table honest: every adapter,
// operation and fault has a row, creates both before and after processing,
// except the one combination the matrix documents as out of scope.
func TestFaultMatrixIsComplete(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range append(matrix, unsupportedRows()...) {
		key := fmt.Sprintf("%s/%s/%s/%v", r.provider, r.op, r.fault, r.after)
		require.False(t, seen[key], "duplicate row %s", key)
		seen[key] = true
	}
	for provider := range adapters {
		for _, op := range []string{create, verify, list} {
			for _, f := range []string{f500, f500Lasting, f502HTML, f503Short, f503Long, f429, fSlow,
				fResetMid, fTruncated, fSaysFailure, fHTML200, fPlainJSON} {
				assert.True(t, seen[fmt.Sprintf("%s/%s/%s/false", provider, op, f)], "%s %s %s before", provider, op, f)
				if op == create && !((provider == ez || provider == ud || provider == bk) && f == f429) {
					assert.True(t, seen[fmt.Sprintf("%s/%s/%s/true", provider, op, f)], "%s %s %s after", provider, op, f)
				}
			}
		}
	}
}

var invoiceSeq atomic.Int64

// runRow sets up one simulator and gateway, injects the fault, makes the
// call and checks everything the row promises.
func runRow(t *testing.T, r row) {
	ctx := context.Background()
	ad := adapters[r.provider]
	sim := ad.start(t)
	settings, err := sim.Settings(ctx)
	require.NoError(t, err)
	gw, err := ad.open(settings.Values, resilience())
	require.NoError(t, err)
	caps := gw.Capabilities()

	req := mfspay.CreatePaymentRequest{
		InvoiceID:  fmt.Sprintf("INV-FM-%d", invoiceSeq.Add(1)),
		Amount:     mfspay.Poisha(125050),
		Customer:   mfspay.Customer{Name: "Rahim Khan", Email: "rahim@example.com", Phone: "01712345678"},
		SuccessURL: "https://shop.example/ok",
		CancelURL:  "https://shop.example/cancel",
		WebhookURL: "http://127.0.0.1:9/hook", // never delivered: nothing is paid
		ReturnURL:  "https://shop.example/return",
	}
	supported := r.op == create || r.op == verify && caps.VerifyByPaymentID || r.op == list && caps.List
	var existing *mfspay.Checkout
	if r.op != create && supported {
		existing, err = gw.CreatePayment(ctx, req) // what the read will find
		require.NoError(t, err)
		if existing.PaymentID == "" && ad.paymentID != nil {
			existing.PaymentID = ad.paymentID(sim, existing)
		}
	}

	f := fault(r.fault, r.provider, r.op)
	f.AfterProcessing = r.after
	require.NoError(t, sim.Fail(ctx, f))
	start := requests(t, sim)

	call := func() (any, error) {
		switch r.op {
		case create:
			return gw.CreatePayment(ctx, req)
		case verify:
			id := "pay_unsupported"
			if existing != nil {
				id = existing.PaymentID
			}
			return gw.VerifyPayment(ctx, mfspay.PaymentRef{PaymentID: id})
		default:
			return gw.ListPayments(ctx, mfspay.ListQuery{})
		}
	}
	got, err := call()

	assert.Equal(t, r.attempts, requests(t, sim)-start, "API requests the provider saw")
	payments, perr := sim.PaymentCount(ctx, req.InvoiceID)
	require.NoError(t, perr)
	assert.LessOrEqual(t, payments, 1, "never two payments for one create")
	assert.Equal(t, r.payments, payments, "payments the provider holds for the invoice")
	state, hasBreaker := mfspay.BreakerStateOf(gw)
	require.True(t, hasBreaker)
	assert.Equal(t, r.breaker, state, "breaker state")

	if r.kind == nil {
		require.NoError(t, err)
		checkResult(t, gw, r.op, req, existing, got, ad.paymentID == nil)
	} else {
		require.ErrorIs(t, err, r.kind)
		checkError(t, err, r.provider, f, settings.Secrets)
	}

	if state == open {
		// Open means no traffic at all until the probe is due.
		n := requests(t, sim)
		_, err := call()
		assert.ErrorIs(t, err, mfspay.ErrCircuitOpen)
		assert.Equal(t, n, requests(t, sim), "an open breaker lets nothing through")
	}
}

func requests(t *testing.T, sim simctl.Controller) int {
	n, err := sim.RequestCount(context.Background())
	require.NoError(t, err)
	return n
}

// checkResult: a successful call returns what the provider holds.
func checkResult(t *testing.T, gw mfspay.Gateway, op string, req mfspay.CreatePaymentRequest,
	existing *mfspay.Checkout, got any, idAtCreate bool) {
	switch op {
	case create:
		co := got.(*mfspay.Checkout)
		if idAtCreate {
			assert.NotEmpty(t, co.PaymentID)
		}
		assert.Equal(t, req.InvoiceID, co.InvoiceID)
		assert.True(t, strings.HasPrefix(co.RedirectURL, "http"), co.RedirectURL)
		assert.Equal(t, mfspay.StatusPending, co.Status)
		if gw.Capabilities().VerifyByInvoice {
			p, err := gw.VerifyPayment(context.Background(), mfspay.PaymentRef{InvoiceID: req.InvoiceID})
			require.NoError(t, err)
			assert.Equal(t, p.PaymentID, co.PaymentID, "the checkout is the payment the provider holds")
		}
	case verify:
		p := got.(*mfspay.Payment)
		assert.Equal(t, existing.PaymentID, p.PaymentID)
		assert.Equal(t, req.Amount, p.Amount)
		assert.Equal(t, mfspay.StatusPending, p.Status)
	case list:
		page := got.(*mfspay.PaymentPage)
		require.Len(t, page.Payments, 1)
		assert.Equal(t, existing.PaymentID, page.Payments[0].PaymentID)
	}
}

// checkError: every error is an *mfspay.Error naming the provider, free of
// secrets, and a Retry-After beyond the cap reaches the caller.
func checkError(t *testing.T, err error, provider string, f simctl.Fault, secrets []string) {
	var me *mfspay.Error
	require.True(t, errors.As(err, &me), "%T is not an *mfspay.Error", err)
	assert.Equal(t, provider, me.Provider)
	for _, s := range secrets {
		if s != "" {
			assert.NotContains(t, fmt.Sprintf("%v %+v", err, err), s)
		}
	}
	if me.HTTPStatus == http.StatusServiceUnavailable && f.RetryAfter > maxRetryAfter {
		assert.Equal(t, f.RetryAfter, me.RetryAfter, "the provider's Retry-After is handed to the caller")
	}
}
