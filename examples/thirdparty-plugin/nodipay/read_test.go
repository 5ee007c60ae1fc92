package nodipay_test

import (
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/conformance/simctl"
	"github.com/mfspay/mfspay/examples/thirdparty-plugin/nodipay"
)

func TestStatusTableIsExact(t *testing.T) {
	for raw, want := range map[string]mfspay.Status{
		"open": mfspay.StatusPending, "succeeded": mfspay.StatusPaid, "declined": mfspay.StatusFailed,
		"abandoned": mfspay.StatusCancelled, "lapsed": mfspay.StatusExpired,
		// Near misses and other providers' words are not NodiPay's.
		"Succeeded": mfspay.StatusUnknown, "SUCCEEDED": mfspay.StatusUnknown, "paid": mfspay.StatusUnknown,
		"success": mfspay.StatusUnknown, "succeeded ": mfspay.StatusUnknown, "refunded": mfspay.StatusUnknown,
		"": mfspay.StatusUnknown,
	} {
		assert.Equal(t, want, nodipay.MapStatus(raw), "%q", raw)
	}
}

func TestVerifyAfterEachOutcome(t *testing.T) {
	e := newEnv(t)
	payer := simctl.Payer{Method: mfspay.MethodNagad, Sender: "01812345678", TrxID: "NGD123XYZ"}
	for _, tc := range []struct {
		name string
		act  func(id string) error
		want mfspay.Status
	}{
		{"pending", func(string) error { return nil }, mfspay.StatusPending},
		{"paid", func(id string) error { return e.sim.Pay(e.ctx, id, payer) }, mfspay.StatusPaid},
		{"declined", func(id string) error { return e.sim.Decline(e.ctx, id) }, mfspay.StatusFailed},
		{"cancelled", func(id string) error { return e.sim.Cancel(e.ctx, id) }, mfspay.StatusCancelled},
		{"expired", func(id string) error { return e.sim.Expire(e.ctx, id) }, mfspay.StatusExpired},
	} {
		t.Run(tc.name, func(t *testing.T) {
			inv := "INV-V-" + tc.name
			co := e.create(t, inv, mustAmount(t, "79.10"))
			require.NoError(t, tc.act(co.PaymentID))
			for _, ref := range []mfspay.PaymentRef{{PaymentID: co.PaymentID}, {InvoiceID: inv}} {
				p, err := e.gw.VerifyPayment(e.ctx, ref)
				require.NoError(t, err)
				assert.Equal(t, tc.want, p.Status)
				assert.Equal(t, mustAmount(t, "79.10"), p.Amount)
				assert.Equal(t, co.PaymentID, p.PaymentID)
				assert.Equal(t, inv, p.InvoiceID)
				assert.Equal(t, nodipay.ProviderName, p.Provider)
				if tc.want == mfspay.StatusPaid {
					assert.Equal(t, payer.TrxID, p.TrxID)
					assert.Equal(t, payer.Method, p.Method)
					assert.Equal(t, payer.Sender, p.Sender)
					assert.WithinDuration(t, time.Now(), p.PaidAt, time.Minute)
				} else {
					assert.Empty(t, p.TrxID)
					assert.Equal(t, mfspay.MethodUnknown, p.Method)
					assert.True(t, p.PaidAt.IsZero())
				}
			}
		})
	}
}

func TestVerifyUnknownIsNotFound(t *testing.T) {
	e := newEnv(t)
	for _, ref := range []mfspay.PaymentRef{{PaymentID: "pay_00000000000000000000"}, {InvoiceID: "INV-NONE"}} {
		_, err := e.gw.VerifyPayment(e.ctx, ref)
		assert.ErrorIs(t, err, mfspay.ErrNotFound, "%+v", ref)
	}
}

func TestVerifyRejectsBadRefsWithoutTraffic(t *testing.T) {
	e := newEnv(t)
	for _, ref := range []mfspay.PaymentRef{{}, {InvoiceID: "A", PaymentID: "B"}, {PaymentID: "pay_1/../x"}, {InvoiceID: "INV 1"}} {
		_, err := e.gw.VerifyPayment(e.ctx, ref)
		assert.ErrorIs(t, err, mfspay.ErrInvalidRequest, "%+v", ref)
	}
	assert.Zero(t, e.requests(t))
}

// TestVerifyUnlistedStatusIsUnknown: a status NodiPay may add later is
// never read as paid, even with a transaction id.
func TestVerifyUnlistedStatusIsUnknown(t *testing.T) {
	gw := stub(t, func(w http.ResponseWriter, _ *http.Request) {
		io.WriteString(w, paymentJSON(`"status":"settled","trx_id":"T1","paid_at":"2025-01-02T15:10:00Z"`))
	})
	p, err := gw.VerifyPayment(t.Context(), mfspay.PaymentRef{PaymentID: "pay_0123456789abcdef0123"})
	require.NoError(t, err)
	assert.Equal(t, mfspay.StatusUnknown, p.Status)
}

// TestVerifyMalformedAnswersAreUnavailable: an answer that is not what
// NodiPay promises is never half-read into a Payment.
func TestVerifyMalformedAnswersAreUnavailable(t *testing.T) {
	for name, body := range map[string]string{
		"fractional amount":  paymentJSON(`"amount":250.5`),
		"exponent amount":    paymentJSON(`"amount":2.505e4`),
		"string amount":      paymentJSON(`"amount":"25050"`),
		"negative amount":    paymentJSON(`"amount":-25050`),
		"zero amount":        paymentJSON(`"amount":0`),
		"overflowing amount": paymentJSON(`"amount":99999999999999999999`),
		"other currency":     paymentJSON(`"currency":"USD"`),
		"no id":              paymentJSON(`"id":""`),
		"another payment":    paymentJSON(`"id":"pay_ffffffffffffffffffff"`),
		"no status":          paymentJSON(`"status":""`),
		"no invoice":         paymentJSON(`"invoice_id":""`),
		"bad time":           paymentJSON(`"paid_at":"yesterday"`),
		"not json":           `<html>ok</html>`,
		"array":              `[]`,
	} {
		t.Run(name, func(t *testing.T) {
			gw := stub(t, func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, body) })
			p, err := gw.VerifyPayment(t.Context(), mfspay.PaymentRef{PaymentID: "pay_0123456789abcdef0123"})
			require.ErrorIs(t, err, mfspay.ErrUnavailable)
			assert.Nil(t, p)
		})
	}
}

func TestReadsRetryTransientFailures(t *testing.T) {
	e := newEnv(t)
	co := e.create(t, "INV-1", mfspay.Taka(10))
	for _, f := range []simctl.Fault{
		{Status: 502, ContentType: "text/html", Body: "<html>Bad Gateway</html>", Count: 2},
		{Reset: true, Count: 2},
		{ResetMidBody: true},
		{Status: 429},
	} {
		require.NoError(t, e.sim.Fail(e.ctx, f))
		before := e.requests(t)
		p, err := e.gw.VerifyPayment(e.ctx, mfspay.PaymentRef{PaymentID: co.PaymentID})
		require.NoError(t, err, "%+v", f)
		assert.Equal(t, co.PaymentID, p.PaymentID)
		assert.Equal(t, before+max(f.Count, 1)+1, e.requests(t), "%+v", f)
	}
}

func TestListPaginatesNewestFirst(t *testing.T) {
	e := newEnv(t)
	var ids []string
	for i := range 5 {
		ids = append(ids, e.create(t, "INV-L"+string(rune('0'+i)), mfspay.Taka(int64(10+i))).PaymentID)
	}
	var got []string
	for page := 1; ; page++ {
		pg, err := e.gw.ListPayments(e.ctx, mfspay.ListQuery{Page: page, PerPage: 2})
		require.NoError(t, err)
		assert.Equal(t, page, pg.Page)
		assert.Equal(t, 2, pg.PerPage)
		assert.Equal(t, 5, pg.Total)
		for _, p := range pg.Payments {
			got = append(got, p.PaymentID)
		}
		if !pg.HasMore {
			break
		}
	}
	assert.Equal(t, []string{ids[4], ids[3], ids[2], ids[1], ids[0]}, got)

	pg, err := e.gw.ListPayments(e.ctx, mfspay.ListQuery{Page: 9, PerPage: 2})
	require.NoError(t, err)
	assert.Empty(t, pg.Payments)
	assert.False(t, pg.HasMore)
}

func TestListFiltersByStatus(t *testing.T) {
	e := newEnv(t)
	paid := e.create(t, "INV-P", mfspay.Taka(10))
	require.NoError(t, e.sim.Pay(e.ctx, paid.PaymentID, simctl.Payer{}))
	e.create(t, "INV-O", mfspay.Taka(11))
	pg, err := e.gw.ListPayments(e.ctx, mfspay.ListQuery{Status: mfspay.StatusPaid})
	require.NoError(t, err)
	require.Len(t, pg.Payments, 1)
	assert.Equal(t, paid.PaymentID, pg.Payments[0].PaymentID)
	assert.Equal(t, mfspay.StatusPaid, pg.Payments[0].Status)
	assert.Equal(t, mfspay.DefaultPerPage, pg.PerPage)
}

func TestListSendsWireStatusAndDefaults(t *testing.T) {
	var query string
	gw := stub(t, func(w http.ResponseWriter, r *http.Request) {
		query = r.URL.RawQuery
		io.WriteString(w, `{"data":[],"page":1,"per_page":20,"total":0,"has_more":false}`)
	})
	for status, wire := range map[mfspay.Status]string{
		mfspay.StatusPending: "open", mfspay.StatusPaid: "succeeded", mfspay.StatusFailed: "declined",
		mfspay.StatusCancelled: "abandoned", mfspay.StatusExpired: "lapsed",
	} {
		_, err := gw.ListPayments(t.Context(), mfspay.ListQuery{Status: status})
		require.NoError(t, err)
		assert.Equal(t, "page=1&per_page=20&status="+wire, query)
	}
}

func TestListRejectsBadQueriesWithoutTraffic(t *testing.T) {
	e := newEnv(t)
	for _, q := range []mfspay.ListQuery{{PerPage: 101}, {Page: -1}, {PerPage: -1}, {Status: "refunded"}, {Status: mfspay.StatusUnknown}} {
		_, err := e.gw.ListPayments(e.ctx, q)
		assert.ErrorIs(t, err, mfspay.ErrInvalidRequest, "%+v", q)
	}
	assert.Zero(t, e.requests(t))
}

func TestListMalformedAnswersAreUnavailable(t *testing.T) {
	for name, body := range map[string]string{
		"no data":        `{"page":1,"per_page":2,"total":0,"has_more":false}`,
		"other page":     `{"data":[],"page":2,"per_page":2,"total":0,"has_more":false}`,
		"other per_page": `{"data":[],"page":1,"per_page":3,"total":0,"has_more":false}`,
		"too many":       `{"data":[` + paymentJSON("") + `,` + paymentJSON("") + `,` + paymentJSON("") + `],"page":1,"per_page":2,"total":3,"has_more":true}`,
		"wrong status":   `{"data":[` + paymentJSON(`"status":"succeeded"`) + `],"page":1,"per_page":2,"total":1,"has_more":false}`,
		"bad payment":    `{"data":[` + paymentJSON(`"amount":1.5`) + `],"page":1,"per_page":2,"total":1,"has_more":false}`,
		"negative total": `{"data":[],"page":1,"per_page":2,"total":-1,"has_more":false}`,
	} {
		t.Run(name, func(t *testing.T) {
			gw := stub(t, func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, body) })
			_, err := gw.ListPayments(t.Context(), mfspay.ListQuery{PerPage: 2, Status: mfspay.StatusPending})
			assert.ErrorIs(t, err, mfspay.ErrUnavailable)
		})
	}
}
