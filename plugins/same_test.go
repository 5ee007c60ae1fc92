package plugins

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/conformance/simctl"
)

// testRetry keeps retries fast; a Retry-After over MaxRetryAfter is not
// waited for, so rate limiting surfaces at once.
var testRetry = mfspay.RetryPolicy{MaxAttempts: 2, MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond,
	MaxRetryAfter: time.Second, AttemptTimeout: 2 * time.Second}

// pair is one provider reached in process and through the plugin protocol,
// both against the same simulated provider.
type pair struct {
	direct mfspay.Gateway
	remote *Client
	sim    simctl.Controller
	// factory builds an in-process gateway, e.g. with bad credentials.
	factory  func(map[string]string, mfspay.Resilience) (mfspay.Gateway, error)
	settings simctl.Settings
}

var invoiceSeq atomic.Int64

func newInvoice(tag string) string {
	return fmt.Sprintf("INV-%s-%d-%d", tag, time.Now().UnixNano()%1e9, invoiceSeq.Add(1))
}

func createRequest(invoice string) mfspay.CreatePaymentRequest {
	return mfspay.CreatePaymentRequest{
		InvoiceID:  invoice,
		Amount:     mfspay.Poisha(25050),
		Customer:   mfspay.Customer{Name: "Rahim Khan", Email: "rahim@example.com", Phone: "01712345678"},
		SuccessURL: "https://shop.example/success",
		CancelURL:  "https://shop.example/cancel",
		WebhookURL: webhookURL,
		ReturnURL:  "https://shop.example/return",
		Metadata:   map[string]string{"order_ref": "ORD-123"},
	}
}

// checkSameBehaviour runs every operation both ways and requires the same
// results and the same errors, field for field.
func checkSameBehaviour(t *testing.T, p pair) {
	ctx := context.Background()
	caps := p.direct.Capabilities()
	require.Equal(t, caps, p.remote.Capabilities(), "capabilities")
	require.Equal(t, p.direct.Provider(), p.remote.Provider(), "provider")

	// Create: each way makes its own payment; they must look alike.
	coD, err := p.direct.CreatePayment(ctx, createRequest(newInvoice("direct")))
	require.NoError(t, err)
	invoice := newInvoice("remote")
	coR, err := p.remote.CreatePayment(ctx, createRequest(invoice))
	require.NoError(t, err)
	assert.Equal(t, invoice, coR.InvoiceID)
	assert.Equal(t, coD.Provider, coR.Provider)
	assert.Equal(t, coD.Status, coR.Status)
	// A provider whose create answers no payment id (UddoktaPay) tells it
	// with the customer's return; the simulator is told which payment by
	// its redirect URL meanwhile.
	assert.True(t, coR.PaymentID != "" || caps.Return != mfspay.ReturnNone, "no payment id, and no return to tell it")
	handle := coR.PaymentID
	if handle == "" {
		handle = coR.RedirectURL
	}
	assert.Equal(t, coD.ExpiresAt.IsZero(), coR.ExpiresAt.IsZero())
	assert.Equal(t, hostOf(t, coD.RedirectURL), hostOf(t, coR.RedirectURL))
	n, err := p.sim.PaymentCount(ctx, invoice)
	require.NoError(t, err)
	assert.Equal(t, 1, n, "one create, one payment")

	t.Run("invalid create", func(t *testing.T) {
		bad := createRequest(newInvoice("bad"))
		bad.Amount = 0
		_, errD := p.direct.CreatePayment(ctx, bad)
		_, errR := p.remote.CreatePayment(ctx, bad)
		sameError(t, errD, errR, mfspay.ErrInvalidRequest)
	})

	require.NoError(t, p.sim.Pay(ctx, handle, simctl.Payer{Method: mfspay.MethodBKash, Sender: "01712345678", TrxID: "8N2K3TEST12"}))
	paymentID := coR.PaymentID
	if paymentID == "" {
		rets, err := p.sim.Returns(ctx, handle)
		require.NoError(t, err)
		require.NotEmpty(t, rets, "paying sends the customer back")
		evD, errD := p.direct.CompleteReturn(ctx, rets[0])
		require.NoError(t, errD)
		evR, errR := p.remote.CompleteReturn(ctx, rets[0])
		require.NoError(t, errR)
		assert.Equal(t, utcEvent(evD), utcEvent(evR))
		paymentID = evR.Payment.PaymentID
	}

	t.Run("return", func(t *testing.T) {
		rets, err := p.sim.Returns(ctx, handle)
		require.NoError(t, err)
		if caps.Return == mfspay.ReturnNone {
			_, errD := p.direct.CompleteReturn(ctx, mfspay.ReturnRequest{})
			_, errR := p.remote.CompleteReturn(ctx, mfspay.ReturnRequest{})
			sameError(t, errD, errR, mfspay.ErrUnsupported)
			return
		}
		require.NotEmpty(t, rets, "paying produces the customer's return")
		// The plugin completes the return (an execute, where the provider
		// needs one); the in-process gateway then finds it done.
		evR, err := p.remote.CompleteReturn(ctx, rets[len(rets)-1])
		require.NoError(t, err)
		evD, err := p.direct.CompleteReturn(ctx, rets[len(rets)-1])
		require.NoError(t, err)
		assert.Equal(t, mfspay.EventPaymentCompleted, evR.Type)
		assert.Equal(t, []any{evD.ID, evD.Type, evD.Payment.Status, evD.Payment.Amount, evD.Payment.TrxID},
			[]any{evR.ID, evR.Type, evR.Payment.Status, evR.Payment.Amount, evR.Payment.TrxID})
		bad := mfspay.ReturnRequest{Method: "GET", Query: url.Values{"status": {"nonsense"}}}
		_, errD := p.direct.CompleteReturn(ctx, bad)
		_, errR := p.remote.CompleteReturn(ctx, bad)
		sameError(t, errD, errR, mfspay.ErrInvalidRequest)
	})

	t.Run("verify", func(t *testing.T) {
		for _, ref := range []mfspay.PaymentRef{
			{InvoiceID: invoice}, {PaymentID: paymentID}, {InvoiceID: coD.InvoiceID},
			{InvoiceID: "INV-nobody-has-this"}, {PaymentID: "pay_nobody_has_this"}, {},
		} {
			pD, errD := p.direct.VerifyPayment(ctx, ref)
			pR, errR := p.remote.VerifyPayment(ctx, ref)
			if errD != nil {
				sameError(t, errD, errR, nil)
				continue
			}
			require.NoError(t, errR, "%+v", ref)
			assert.Equal(t, utcPayment(*pD), utcPayment(*pR), "%+v", ref)
		}
		if caps.VerifyByInvoice {
			pay, err := p.remote.VerifyPayment(ctx, mfspay.PaymentRef{InvoiceID: invoice})
			require.NoError(t, err)
			assert.Equal(t, mfspay.StatusPaid, pay.Status)
			assert.Equal(t, mfspay.Poisha(25050), pay.Amount)
			_, err = p.remote.VerifyPayment(ctx, mfspay.PaymentRef{InvoiceID: "INV-nobody-has-this"})
			assert.ErrorIs(t, err, mfspay.ErrNotFound)
		} else {
			_, err := p.remote.VerifyPayment(ctx, mfspay.PaymentRef{InvoiceID: invoice})
			assert.ErrorIs(t, err, mfspay.ErrUnsupported)
		}
	})

	t.Run("list", func(t *testing.T) {
		for _, q := range []mfspay.ListQuery{{}, {Status: mfspay.StatusPaid}, {Page: 2, PerPage: 1}, {PerPage: -1}} {
			pgD, errD := p.direct.ListPayments(ctx, q)
			pgR, errR := p.remote.ListPayments(ctx, q)
			if errD != nil {
				sameError(t, errD, errR, nil)
				continue
			}
			require.NoError(t, errR, "%+v", q)
			assert.Equal(t, utcPage(pgD), utcPage(pgR), "%+v", q)
		}
		if !caps.List {
			_, err := p.remote.ListPayments(ctx, mfspay.ListQuery{})
			assert.ErrorIs(t, err, mfspay.ErrUnsupported)
		}
	})

	t.Run("webhook", func(t *testing.T) {
		notes, err := p.sim.Notifications(ctx, handle)
		require.NoError(t, err)
		require.NotEmpty(t, notes, "paying sends a notification")
		completed := 0
		for _, note := range notes {
			evD, errD := p.direct.ParseWebhook(ctx, note)
			evR, errR := p.remote.ParseWebhook(ctx, note)
			if errD != nil {
				sameError(t, errD, errR, nil)
				continue
			}
			require.NoError(t, errR)
			assert.Equal(t, utcEvent(evD), utcEvent(evR))
			// bKash's notifications report money received, not payments.
			if (evR.Type == mfspay.EventPaymentCompleted || evR.Type == mfspay.EventTransactionReceived) &&
				evR.Payment.Status == mfspay.StatusPaid {
				completed++
			}
		}
		assert.NotZero(t, completed, "the payment's completion parses")
		forged := forge(notes[len(notes)-1], p.settings.Secrets)
		_, errD := p.direct.ParseWebhook(ctx, forged)
		_, errR := p.remote.ParseWebhook(ctx, forged)
		sameError(t, errD, errR, mfspay.ErrInvalidSignature)
	})

	t.Run("unauthorized", func(t *testing.T) {
		bad, err := p.factory(p.settings.BadCredentials, mfspay.Resilience{Retry: testRetry})
		require.NoError(t, err)
		require.NoError(t, p.remote.Configure(ctx, p.settings.BadCredentials))
		defer func() { require.NoError(t, p.remote.Configure(ctx, p.settings.Values)) }()
		_, errD := bad.CreatePayment(ctx, createRequest(newInvoice("unauth")))
		_, errR := p.remote.CreatePayment(ctx, createRequest(newInvoice("unauth")))
		sameError(t, errD, errR, mfspay.ErrUnauthorized)
	})

	t.Run("rate limited", func(t *testing.T) {
		fault := simctl.Fault{Status: 429, RetryAfter: 30 * time.Second}
		require.NoError(t, p.sim.Fail(ctx, fault))
		_, errD := p.direct.CreatePayment(ctx, createRequest(newInvoice("limited")))
		require.NoError(t, p.sim.Fail(ctx, fault))
		_, errR := p.remote.CreatePayment(ctx, createRequest(newInvoice("limited")))
		sameError(t, errD, errR, mfspay.ErrRateLimited)
		var e *mfspay.Error
		require.ErrorAs(t, errR, &e)
		assert.Equal(t, 30*time.Second, e.RetryAfter)
		assert.Equal(t, 429, e.HTTPStatus)
	})
}

// forge tampers with a notification so that neither an HMAC over the body
// nor a shared secret in a header or the query authenticates it.
func forge(n mfspay.WebhookRequest, secrets []string) mfspay.WebhookRequest {
	out := mfspay.WebhookRequest{Header: n.Header.Clone(), Query: url.Values{}, Body: append([]byte(nil), n.Body...)}
	out.Body = append(out.Body, ' ')
	if i := bytes.IndexAny(out.Body, "0123456789"); i >= 0 {
		out.Body[i] = '0' + (out.Body[i]-'0'+1)%10
	}
	replace := func(vals []string) []string {
		out := make([]string, len(vals))
		for i, v := range vals {
			out[i] = v
			for _, s := range secrets {
				if s != "" && strings.Contains(v, s) {
					out[i] = "forged"
				}
			}
		}
		return out
	}
	for k, vs := range out.Header {
		out.Header[k] = replace(vs)
	}
	for k, vs := range n.Query {
		out.Query[k] = replace(vs)
	}
	return out
}

// sameError requires two errors alike in every field; kind, when not nil,
// is what both must be.
func sameError(t *testing.T, want, got error, kind error) {
	t.Helper()
	require.Error(t, want, "in-process call succeeded")
	require.Error(t, got, "plugin call succeeded where the in-process one failed with %v", want)
	var we, ge *mfspay.Error
	require.ErrorAs(t, want, &we)
	require.ErrorAs(t, got, &ge)
	if kind != nil {
		assert.ErrorIs(t, want, kind)
		assert.ErrorIs(t, got, kind)
	}
	assert.Equal(t, we.Kind, ge.Kind)
	assert.Equal(t, we.Provider, ge.Provider)
	assert.Equal(t, we.Op, ge.Op)
	assert.Equal(t, we.HTTPStatus, ge.HTTPStatus)
	assert.Equal(t, we.Code, ge.Code)
	assert.Equal(t, we.Message, ge.Message)
	assert.Equal(t, we.Field, ge.Field)
	assert.Equal(t, we.RetryAfter, ge.RetryAfter)
	assert.Equal(t, want.Error(), got.Error())
}

func hostOf(t *testing.T, raw string) string {
	u, err := url.Parse(raw)
	require.NoError(t, err)
	return u.Host
}

// The protocol carries instants; these put both sides in UTC to compare.
func utcPayment(p mfspay.Payment) mfspay.Payment {
	if !p.PaidAt.IsZero() {
		p.PaidAt = p.PaidAt.UTC()
	}
	return p
}

func utcPage(pg *mfspay.PaymentPage) *mfspay.PaymentPage {
	out := *pg
	out.Payments = nil
	for _, p := range pg.Payments {
		out.Payments = append(out.Payments, utcPayment(p))
	}
	return &out
}

func utcEvent(e *mfspay.Event) *mfspay.Event {
	out := *e
	out.Payment = utcPayment(e.Payment)
	return &out
}
