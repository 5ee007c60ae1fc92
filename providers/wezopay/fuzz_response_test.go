package wezopay_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"testing"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/providers/internal/drivertest"
	"github.com/mfspay/mfspay/providers/kit"
	"github.com/mfspay/mfspay/providers/wezopay"
)

func fzStatus(b uint8) int { return drivertest.Statuses[int(b)%len(drivertest.Statuses)] }

// fzAnswer is one canned answer of the fuzzed provider.
type fzAnswer = drivertest.Answer

// fzProvider is a WezoPay that answers creates and verifies (or lists)
// with whatever the fuzzer chose, and a gateway talking to it.
type fzProvider struct {
	*drivertest.Provider
	gw mfspay.Gateway
}

func newFzProvider(f *testing.F) *fzProvider {
	p := &fzProvider{Provider: drivertest.NewProvider(f)}
	var err error
	p.gw, err = wezopay.New(wezopay.Config{BaseURL: p.URL + "/api/v1", APIKey: fzAPIKey, Resilience: drivertest.OneAttempt})
	if err != nil {
		f.Fatal(err)
	}
	return p
}

// set makes create the answer to a create and lookup to every read, with
// the real API key where the fuzzer wrote fzKeyPlaceholder.
func (p *fzProvider) set(create, lookup fzAnswer) {
	for method, a := range map[string]fzAnswer{http.MethodPost: create, http.MethodGet: lookup} {
		a.Body = bytes.ReplaceAll(a.Body, []byte(fzKeyPlaceholder), []byte(fzAPIKey))
		p.Set(method, a)
	}
}

// The fuzzed merchant's one create request.
const (
	fzInvoice = "INV-FUZZ-1"
	fzToken   = "pay_fuzz123"
)

var fzAmountDue = mfspay.Poisha(25050)

func fzCreateRequest() mfspay.CreatePaymentRequest {
	return mfspay.CreatePaymentRequest{
		InvoiceID: fzInvoice, Amount: fzAmountDue,
		Customer:   mfspay.Customer{Name: "Rahim Khan"},
		SuccessURL: "https://shop.example/ok", CancelURL: "https://shop.example/cancel",
	}
}

// Seed answers: the documented shapes, their near misses, and what proxies
// and broken servers send.
const (
	fzCreated    = `{"success":true,"data":{"token":"pay_fuzz123","payment_url":"https://wezopay.com/p/pay_fuzz123","expires_at":"2026-06-08T12:30:00Z"}}`
	fzFoundPaid  = `{"success":true,"data":{"token":"pay_fuzz123","invoice_id":"INV-FUZZ-1","status":"paid","amount":250.50,"trx_id":"8N2K3TEST12","paid_at":"2026-06-08T11:45:00Z","method":"bkash","sender":"01711111111"}}`
	fzFoundOther = `{"success":true,"data":{"token":"pay_fuzz123","invoice_id":"INV-FUZZ-1","status":"pending","amount":"250.49","trx_id":null,"paid_at":null}}`
	fzNotFound   = `{"success":false,"error":"Payment not found"}`
	fzDuplicate  = `{"success":false,"error":"invoice_id already exists"}`
	fzFieldErrs  = `{"success":false,"error":"The given data was invalid.","errors":{"{{KEY}}":["is not allowed"],"amount":"must be positive"}}`
	fzEcho       = `{"success":false,"error":"key {{KEY}} rejected"}`
	fzHTML       = `<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>`
	fzList       = `{"success":true,"data":[` + `{"token":"pay_fuzz123","invoice_id":"INV-FUZZ-1","status":"paid","amount":250.50}` + `,{"token":"pay_2","invoice_id":"INV-2","status":"refunded","amount":"1"}],"meta":{"page":1,"per_page":20,"total":2,"last_page":1}}`
)

var fzSeedBodies = []string{fzCreated, fzFoundPaid, fzFoundOther, fzNotFound, fzDuplicate, fzFieldErrs, fzEcho, fzHTML, fzList,
	`{"success":true}`, `{"success":"true","data":{}}`, `{"success":true,"data":{"token":"pay_1","payment_url":"javascript:alert(1)"}}`,
	`{"success":true,"data":{"token":"pay_fuzz123","invoice_id":"INV-FUZZ-1","status":"paid","amount":2.505e2}}`,
	`{"success":true,"data":{"token":"pay_fuzz123","invoice_id":"INV-OTHER","status":"paid","amount":250.50}}`,
	`{"success":true,"data":`, ``, `null`}

// FuzzCreateResponse serves fuzzed answers to a create and to the lookup
// by invoice that follows an ambiguous one. It must never panic; every
// error is an *mfspay.Error whose kind fits the answer (a create that
// reached WezoPay is never ErrUnavailable: only ErrOutcomeUnknown,
// ErrDuplicate, or the kind of a 4xx answer); a checkout is returned only
// from a complete success answer or from a lookup that found this invoice
// for this amount; and it is paid only when that lookup said "paid".
func FuzzCreateResponse(f *testing.F) {
	for i, body := range fzSeedBodies {
		for _, s := range []uint8{0, 1, 4, 6, 8, 10, 12, 13} {
			f.Add(s, "application/json", []byte(body), uint8(i), []byte(fzSeedBodies[(i+int(s))%len(fzSeedBodies)]))
		}
	}
	f.Add(uint8(12), "application/json", []byte(`{"success":false,"error":"Server error"}`), uint8(10), []byte(fzDuplicate))
	f.Add(uint8(12), "application/json", []byte(`{"success":false,"error":"Server error"}`), uint8(9), []byte(fzDuplicate))
	f.Add(uint8(13), "text/html", []byte(fzHTML), uint8(0), []byte(fzFoundPaid))
	f.Add(uint8(10), "application/json", []byte(`{"success":false,"errors":{"{{KEY}}":["bad"]}}`), uint8(0), []byte(fzNotFound))

	p := newFzProvider(f)
	gw := p.gw
	f.Fuzz(func(t *testing.T, status uint8, contentType string, body []byte, lookupStatus uint8, lookupBody []byte) {
		create := fzAnswer{Status: fzStatus(status), ContentType: contentType, Body: body}
		lookup := fzAnswer{Status: fzStatus(lookupStatus), ContentType: "application/json", Body: lookupBody}
		p.set(create, lookup)
		co, err := gw.CreatePayment(context.Background(), fzCreateRequest())
		if err != nil {
			fzCheckError(t, err, mfspay.OpCreate)
			fzCheckCreateKind(t, err, create, lookup)
			return
		}
		if co == nil || co.Provider != wezopay.ProviderName || co.InvoiceID != fzInvoice || !co.Status.Valid() {
			t.Fatalf("malformed checkout %+v", co)
		}
		if u, err := url.Parse(co.RedirectURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			t.Fatalf("checkout redirects to %q", co.RedirectURL)
		}
		created, fromCreate := fzCreatedToken(create)
		found, fromLookup := fzFound(lookup)
		switch {
		case fromCreate && co.PaymentID == created && co.Status == mfspay.StatusPending:
		case fromLookup && co.PaymentID == found.token && co.Status == found.status:
		default:
			t.Fatalf("checkout %+v comes from neither the create answer (%q, %v) nor the lookup (%+v, %v)",
				co, created, fromCreate, found, fromLookup)
		}
	})
}

// fzCheckCreateKind: the kind a failed create may have given the answers.
func fzCheckCreateKind(t *testing.T, err error, create, lookup fzAnswer) {
	t.Helper()
	kind := mfspay.KindOf(err)
	s := create.Status
	if s == http.StatusTooManyRequests && create.WireSafe() {
		if kind != mfspay.ErrRateLimited {
			t.Fatalf("429 gave %v", err)
		}
		return
	}
	if !create.WireSafe() {
		s = 0 // no answer came through
	}
	if s >= 400 && s < 500 && (kind == kit.KindForStatus(s) || kind == mfspay.ErrDuplicate) {
		return
	}
	switch kind {
	case mfspay.ErrOutcomeUnknown:
		return
	case mfspay.ErrDuplicate:
		// Only WezoPay saying so on the create, or a lookup that found the
		// invoice for another amount, may call the invoice taken.
		found, ok := fzFound(lookup)
		if bytes.Contains(bytes.ToLower(create.Body), []byte("already")) || ok && found.amount != fzAmountDue {
			return
		}
	}
	t.Fatalf("create answered %d (%q), lookup %d (%q): kind %v (%v)", s, create.Body, lookup.Status, lookup.Body, kind, err)
}

// fzEnvelope reads an answer's envelope as encoding/json reads any
// struct: the first JSON value of the body, member names matched without
// regard to case. It reports whether the answer is a usable 2xx success.
func fzEnvelope(a fzAnswer) (data, meta json.RawMessage, ok bool) {
	if a.Status < 200 || a.Status > 299 || !a.WireSafe() {
		return nil, nil, false
	}
	var env struct {
		Success json.RawMessage `json:"success"`
		Data    json.RawMessage `json:"data"`
		Meta    json.RawMessage `json:"meta"`
	}
	if json.NewDecoder(bytes.NewReader(a.Body)).Decode(&env) != nil || string(bytes.TrimSpace(env.Success)) != "true" {
		return nil, nil, false
	}
	return env.Data, env.Meta, true
}

// fzCreatedToken is the oracle for a complete create answer: 2xx,
// "success": true, a token and an absolute http(s) payment_url.
func fzCreatedToken(a fzAnswer) (string, bool) {
	raw, _, ok := fzEnvelope(a)
	if !ok {
		return "", false
	}
	data, ok := fzRead(raw)
	if !ok {
		return "", false
	}
	token, payURL := data.Token, data.PaymentURL
	u, err := url.Parse(payURL)
	if token == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", false
	}
	return token, true
}

// fzPayment is what an answer says about one payment.
type fzPayment struct {
	token, invoice string
	status         mfspay.Status
	amount         mfspay.Amount
}

// fzStatusTable is WezoPay's documented status list, written out here.
var fzStatusTable = map[string]mfspay.Status{
	"pending": mfspay.StatusPending, "paid": mfspay.StatusPaid, "failed": mfspay.StatusFailed,
	"cancelled": mfspay.StatusCancelled, "expired": mfspay.StatusExpired,
}

// fzReadPayment is the oracle for one verify-shaped object.
func fzReadPayment(raw json.RawMessage) (fzPayment, bool) {
	data, ok := fzRead(raw)
	if !ok {
		return fzPayment{}, false
	}
	p := fzPayment{token: data.Token, invoice: data.InvoiceID}
	rawStatus := data.Status
	st, known := fzStatusTable[rawStatus]
	if !known {
		st = mfspay.StatusUnknown
	}
	p.status = st
	amount, ok := drivertest.Amount(data.Amount)
	p.amount = amount
	return p, ok && p.token != "" && p.invoice != "" && rawStatus != ""
}

// fzFound is the oracle for a successful verify answer.
func fzFound(a fzAnswer) (fzPayment, bool) {
	data, _, ok := fzEnvelope(a)
	if !ok {
		return fzPayment{}, false
	}
	return fzReadPayment(data)
}

// fzCheckReadKind: the kind a failed read may have given its answer. No
// answer is ever ErrDuplicate or ErrOutcomeUnknown unless its status
// says conflict.
func fzCheckReadKind(t *testing.T, err error, a fzAnswer) {
	t.Helper()
	kind := mfspay.KindOf(err)
	want := kit.KindForStatus(a.Status)
	if want == nil || !a.WireSafe() { // an unusable 2xx, an unexpected status, a broken answer
		want = mfspay.ErrUnavailable
	}
	if kind != want {
		t.Fatalf("read answered %d (%q): kind %v, want %v (%v)", a.Status, a.Body, kind, want, err)
	}
}

// FuzzVerifyResponse serves fuzzed answers to a verify. It must never
// panic; every error is an *mfspay.Error of the kind the status code
// implies (ErrUnavailable for an unusable 2xx); and a payment is returned
// only from a success answer about the payment asked for, with exactly
// the answer's status (paid only when it says "paid") and amount.
func FuzzVerifyResponse(f *testing.F) {
	for i, body := range fzSeedBodies {
		for _, s := range []uint8{0, 4, 8, 10, 12, 13} {
			f.Add(s, "application/json", []byte(body), i%2 == 0)
		}
	}
	f.Add(uint8(10), "application/json", []byte(fzDuplicate), false)
	f.Add(uint8(0), "application/json", []byte(fzDuplicate), true)

	p := newFzProvider(f)
	gw := p.gw
	f.Fuzz(func(t *testing.T, status uint8, contentType string, body []byte, byToken bool) {
		a := fzAnswer{Status: fzStatus(status), ContentType: contentType, Body: body}
		p.set(fzAnswer{}, a)
		ref := mfspay.PaymentRef{InvoiceID: fzInvoice}
		if byToken {
			ref = mfspay.PaymentRef{PaymentID: fzToken}
		}
		got, err := gw.VerifyPayment(context.Background(), ref)
		if err != nil {
			fzCheckError(t, err, mfspay.OpVerify)
			fzCheckReadKind(t, err, a)
			return
		}
		want, ok := fzFound(a)
		if !ok || byToken && want.token != fzToken || !byToken && want.invoice != fzInvoice {
			t.Fatalf("verify of %+v succeeded on answer %d %q: %+v", ref, a.Status, a.Body, got)
		}
		fzCheckPayment(t, *got, want)
	})
}

// fzCheckPayment compares a returned payment with the oracle's reading.
func fzCheckPayment(t *testing.T, got mfspay.Payment, want fzPayment) {
	t.Helper()
	if got.Provider != wezopay.ProviderName || got.PaymentID != want.token || got.InvoiceID != want.invoice ||
		got.Status != want.status || got.Amount != want.amount || got.Amount < 0 {
		t.Fatalf("payment %+v, but the answer says %+v", got, want)
	}
}

// FuzzListResponse serves fuzzed answers to a list. It must never panic;
// errors are as for verify; and a page is returned only from a success
// answer with a list and consistent meta, each payment exactly as the
// answer states it.
func FuzzListResponse(f *testing.F) {
	for _, body := range fzSeedBodies {
		for _, s := range []uint8{0, 4, 8, 12, 13} {
			f.Add(s, "application/json", []byte(body))
		}
	}
	f.Add(uint8(0), "application/json", []byte(`{"success":true,"data":[],"meta":{"page":1,"per_page":1,"total":0,"last_page":0}}`))
	f.Add(uint8(0), "application/json", []byte(`{"success":true,"data":[{}],"meta":{"page":1,"per_page":0,"total":-1,"last_page":1}}`))

	p := newFzProvider(f)
	gw := p.gw
	f.Fuzz(func(t *testing.T, status uint8, contentType string, body []byte) {
		a := fzAnswer{Status: fzStatus(status), ContentType: contentType, Body: body}
		p.set(fzAnswer{}, a)
		page, err := gw.ListPayments(context.Background(), mfspay.ListQuery{})
		if err != nil {
			fzCheckError(t, err, mfspay.OpList)
			fzCheckReadKind(t, err, a)
			return
		}
		data, _, ok := fzEnvelope(a)
		var items []json.RawMessage
		if !ok || json.Unmarshal(data, &items) != nil {
			t.Fatalf("list succeeded on answer %d %q", a.Status, a.Body)
		}
		if len(page.Payments) != len(items) || page.Page < 1 || page.PerPage < len(items) || page.Total < 0 {
			t.Fatalf("page %+v from %d items", page, len(items))
		}
		for i, item := range items {
			want, ok := fzReadPayment(item)
			if !ok {
				t.Fatalf("item %d (%s) is incomplete but the page has it: %+v", i, item, page.Payments[i])
			}
			fzCheckPayment(t, page.Payments[i], want)
		}
	})
}
