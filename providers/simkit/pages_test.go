package simkit

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/conformance/simctl"
)

// smsPay is a provider with its own ways, as UddoktaPay has them: the page
// on its own host at a token, a fee on top, a submission matched against
// the provider's records (trx ids starting GOOD complete, even a payment
// left waiting, PEND leave it waiting, others are refused), no cancelled or
// expired status, and a return posted back with the payment's id.
type smsPay struct {
	*Server
	tokens map[string]string // token → id
}

func newSMSPay(t *testing.T) *smsPay {
	t.Helper()
	sp := &smsPay{tokens: map[string]string{}}
	sp.Server = NewServer(Spec{
		Name: "SMSPay", APIPrefix: "/api", API: http.NotFoundHandler(), PagePath: "/pay/",
		Methods: []MethodOption{{Method: mfspay.MethodNagad, Value: "nagad", Label: "Nagad"}},
		Open:    "open", Pending: "", Paid: "done", Failed: "failed",
		Announce: func(*Server, Payment) {},
		PageHooks: PageHooks{
			PagesHost: true,
			Resolve: func(handle string) (string, bool) {
				id, ok := sp.tokens[handle]
				return id, ok
			},
			Submit: func(id string, payer Payer) (Payment, error) {
				return sp.Store.Update(id, func(p *Payment) error {
					good := strings.HasPrefix(payer.TrxID, "GOOD")
					switch {
					case p.Status != "open" && (p.Status != "waiting" || !good):
						return ErrNotOpen
					case good:
						p.Status = "done"
					case strings.HasPrefix(payer.TrxID, "PEND"):
						p.Status = "waiting"
					default:
						return &Refusal{Message: "No such transaction."}
					}
					p.TrxID = payer.TrxID
					return nil
				})
			},
			Charge: func(p Payment) mfspay.Amount { return p.Amount + mfspay.Taka(2) },
			ReturnForm: func(p Payment, outcome string) url.Values {
				if outcome == OutcomeCancelled {
					return nil
				}
				return url.Values{"payment": {p.ID}}
			},
		},
	}, Options{})
	t.Cleanup(sp.Close)
	for _, id := range []string{"a", "b", "c"} {
		_, err := sp.Insert(Payment{ID: id, InvoiceID: "INV-" + id, Amount: mfspay.Taka(10),
			SuccessURL: "https://shop.example/back?x=1", CancelURL: "https://shop.example/cancel"}, true)
		require.NoError(t, err)
		sp.tokens["tok-"+id] = id
	}
	return sp
}

var noRedirects = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// fetch gets raw, or posts form to it without following redirects, and
// returns the status and body.
func fetch(t *testing.T, raw string, form url.Values) (int, string) {
	t.Helper()
	var resp *http.Response
	var err error
	if form == nil {
		resp, err = http.Get(raw)
	} else {
		resp, err = noRedirects.PostForm(raw, form)
	}
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b)
}

func pay(trx string) url.Values {
	return url.Values{"action": {ActionPay}, "method": {"nagad"}, "sender": {"01712345678"}, "trx_id": {trx}}
}

func TestProviderPageHooks(t *testing.T) {
	s := newSMSPay(t)
	ctx := context.Background()
	page := s.PagesURL() + "/pay/tok-a"
	assert.NotEqual(t, s.URL, s.PagesURL(), "the pages have a host of their own")
	status, _ := fetch(t, s.URL+"/pay/tok-a", nil)
	assert.Equal(t, http.StatusNotFound, status, "and are not on the API's")

	status, html := fetch(t, page, nil)
	assert.Equal(t, http.StatusOK, status)
	assert.Contains(t, html, "12.00", "the charge, fee included")
	assert.Contains(t, html, `action="/pay/tok-a"`, "the form posts back to the page")
	status, _ = fetch(t, s.PagesURL()+"/pay/tok-nobody", nil)
	assert.Equal(t, http.StatusNotFound, status)

	status, html = fetch(t, page, pay("BAD123"))
	assert.Equal(t, http.StatusUnprocessableEntity, status)
	assert.Contains(t, html, "No such transaction.")
	p, _ := s.Payment("a")
	assert.Equal(t, "open", p.Status, "a refusal changes nothing")

	status, html = fetch(t, page, pay("GOOD123"))
	assert.Equal(t, http.StatusOK, status, "a page that posts the return")
	assert.Contains(t, html, `action="https://shop.example/back?x=1"`)
	assert.Contains(t, html, `name="payment" value="a"`)
	p, _ = s.Payment("a")
	assert.Equal(t, "done", p.Status)
	status, _ = fetch(t, page, pay("GOOD456"))
	assert.Equal(t, http.StatusConflict, status, "paid already")

	// Cancel changes nothing and goes back to the cancel URL as it is.
	status, _ = fetch(t, s.PagesURL()+"/pay/tok-b", url.Values{"action": {ActionCancel}})
	assert.Equal(t, http.StatusSeeOther, status)
	p, _ = s.Payment("b")
	assert.Equal(t, "open", p.Status)
	require.NoError(t, s.Cancel(ctx, "tok-b"))
	assert.ErrorIs(t, s.Cancel(ctx, "a"), ErrNotOpen, "only an open payment is cancelled")
	assert.ErrorIs(t, s.Expire(ctx, "b"), mfspay.ErrUnsupported, "nothing expires")

	rets, err := s.Returns(ctx, page)
	require.NoError(t, err)
	assert.Equal(t, []mfspay.ReturnRequest{{Method: http.MethodPost, Query: url.Values{"x": {"1"}},
		Form: url.Values{"payment": {"a"}}}}, rets)
	rets, err = s.Returns(ctx, "tok-b")
	require.NoError(t, err)
	assert.Equal(t, []mfspay.ReturnRequest{{Method: http.MethodGet, Query: url.Values{}},
		{Method: http.MethodGet, Query: url.Values{}}}, rets)

	// Pay goes through Submit too, and records the return.
	require.NoError(t, s.Pay(ctx, "tok-c", simctl.Payer{Method: mfspay.MethodNagad, TrxID: "PEND789"}))
	p, _ = s.Payment("c")
	assert.Equal(t, "waiting", p.Status)
	rets, _ = s.Returns(ctx, "c")
	assert.Len(t, rets, 1)
	status, _ = fetch(t, s.PagesURL()+"/pay/tok-c", pay("GOOD789"))
	assert.Equal(t, http.StatusConflict, status, "the page takes no submission once it shows no form")
	p, _ = s.Payment("c")
	assert.Equal(t, "waiting", p.Status)
	require.NoError(t, s.Pay(ctx, "c", simctl.Payer{Method: mfspay.MethodNagad, TrxID: "GOOD789"}), "the provider's own way")
	p, _ = s.Payment("c")
	assert.Equal(t, "done", p.Status)
}

func TestFindTakesEveryHandle(t *testing.T) {
	s := newSMSPay(t)
	for _, handle := range []string{"a", "tok-a", s.PagesURL() + "/pay/tok-a", s.PagesURL() + "/pay/tok-a?lang=bn", s.PageURL("a")} {
		p, err := s.Find(handle)
		require.NoError(t, err, handle)
		assert.Equal(t, "a", p.ID, handle)
	}
	for _, handle := range []string{"", "nobody", s.URL + "/pay/tok-a", s.PagesURL() + "/pay/"} {
		_, err := s.Find(handle)
		assert.ErrorIs(t, err, ErrPaymentNotFound, handle)
	}
	_, err := s.Notifications(context.Background(), "tok-a")
	assert.NoError(t, err)
}

func TestProviderOwnPageOnItsHost(t *testing.T) {
	s := NewServer(Spec{Name: "OwnPage", APIPrefix: "/api", API: http.NotFoundHandler(), PagePath: "/",
		Open: "open", Paid: "paid", Cancelled: "cancelled", Failed: "failed", Expired: "expired",
		Announce: func(*Server, Payment) {},
		PageHooks: PageHooks{PagesHost: true, Page: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, "own page for "+r.URL.Query().Get("paymentId"))
		})},
	}, Options{})
	status, body := fetch(t, s.PagesURL()+"/?paymentId=a", nil)
	assert.Equal(t, http.StatusOK, status)
	assert.Equal(t, "own page for a", body)
	s.Close()
	_, err := http.Get(s.PagesURL())
	assert.Error(t, err, "Close shuts the pages too")
}

func TestPayerFor(t *testing.T) {
	s := NewServer(returnSpec(), Options{})
	defer s.Close()
	p, err := s.PayerFor(simctl.Payer{})
	require.NoError(t, err)
	assert.Equal(t, "bkash", p.Method, "bKash by default, by the provider's name")
	assert.Equal(t, "01700000000", p.Sender)
	assert.Regexp(t, `^TRX[0-9A-F]{8}$`, p.TrxID)
	_, err = s.PayerFor(simctl.Payer{Method: mfspay.MethodNagad})
	assert.Error(t, err, "not offered")

	spec := returnSpec()
	spec.CheckPayer = func(sender, _ string) string {
		if sender != "01711111111" {
			return "Wrong wallet."
		}
		return ""
	}
	checked := NewServer(spec, Options{})
	defer checked.Close()
	_, err = checked.PayerFor(simctl.Payer{Sender: "01722222222"})
	assert.ErrorContains(t, err, "Wrong wallet.")
}
