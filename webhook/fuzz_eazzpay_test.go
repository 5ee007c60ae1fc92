package webhook_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/providers/eazzpay"
	"github.com/mfspay/mfspay/webhook"
)

// Secrets of the fuzzed EazzPay merchant: the current key and one being
// rotated out, both accepted on notifications.
const (
	fuzzEazzSecret    = "sk_eazz_fuzz_current_7f3a"
	fuzzEazzOldSecret = "sk_eazz_fuzz_previous_91c2"
)

// fuzzSecretMode says how a fuzzed request carries its credential.
const (
	modeCurrent  = iota // the real, current secret or signature
	modePrevious        // the real secret or signature being rotated out
	modeFuzzed          // whatever the fuzzer wrote
	modeAbsent          // no credential header at all
	modeRepeated        // the real one and the fuzzed one, twice the header
	modeCount
)

// fuzzExpected is what the fuzzed merchant expects for its one invoice.
var fuzzExpected = map[string]mfspay.Amount{"INV-1001": mfspay.Taka(100)}

// fuzzRig is a handler wired as a merchant would wire it, and what its
// callback saw. Its callback fails the first time it sees an amount whose
// poisha leave 3 modulo 7, so that release and re-delivery are fuzzed too.
type fuzzRig struct {
	h      http.Handler
	mu     sync.Mutex
	failed bool
	events []mfspay.Event
}

func newFuzzRig(gw mfspay.Gateway) *fuzzRig {
	rig := &fuzzRig{}
	rig.h = webhook.New(func(_ context.Context, e *mfspay.Event) error {
		rig.mu.Lock()
		defer rig.mu.Unlock()
		if e.Payment.Amount%7 == 3 && !rig.failed {
			rig.failed = true
			return io.ErrUnexpectedEOF
		}
		rig.events = append(rig.events, *e)
		return nil
	},
		webhook.Route(gw),
		webhook.Confirm(),
		webhook.ExpectAmount(func(_ context.Context, _, invoiceID string) (mfspay.Amount, bool, error) {
			a, ok := fuzzExpected[invoiceID]
			return a, ok, nil
		}),
		webhook.OnAmountMismatch(func(context.Context, webhook.AmountMismatch) error { return nil }),
		webhook.MaxBodyBytes(8<<10),
		webhook.WithStore(webhook.NewMemoryStore(webhook.MaxEntries(8))),
		webhook.WithLogger(slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelDebug}))),
	)
	return rig
}

// deliverTwice sends the request build makes twice, as a provider retrying
// (or an attacker replaying) would, to a fresh handler so that every input
// reproduces on its own. It returns both answers and every delivered event.
func deliverTwice(gw mfspay.Gateway, build func() *http.Request) ([2]int, []mfspay.Event) {
	rig := newFuzzRig(gw)
	var codes [2]int
	for i := range codes {
		w := httptest.NewRecorder()
		rig.h.ServeHTTP(w, build())
		codes[i] = w.Code
	}
	rig.mu.Lock()
	defer rig.mu.Unlock()
	return codes, rig.events
}

// fuzzRequest builds the POST the fuzzer described.
func fuzzRequest(body []byte, contentType, rawQuery string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
	r.URL.RawQuery = rawQuery
	if contentType != "" {
		r.Header["Content-Type"] = []string{contentType}
	}
	return r
}

// allowedCodes are the only answers the handler may give.
var allowedCodes = map[int]bool{200: true, 400: true, 401: true, 413: true, 415: true, 500: true, 503: true}

// checkFuzzAnswers asserts the properties every fuzzed request must keep.
func checkFuzzAnswers(t *testing.T, gw mfspay.Gateway, authentic bool, codes [2]int, got []mfspay.Event) {
	t.Helper()
	for _, code := range codes {
		if !allowedCodes[code] {
			t.Fatalf("unexpected status %d", code)
		}
		if !authentic && code >= 200 && code < 300 {
			t.Fatalf("an unauthenticated notification was answered %d", code)
		}
	}
	if !authentic && len(got) > 0 {
		t.Fatalf("an unauthenticated notification reached the callback: %+v", got)
	}
	if len(got) > 1 {
		t.Fatalf("one notification sent twice was delivered %d times", len(got))
	}
	if codes[0] == 200 && codes[1] != 200 {
		t.Fatalf("an accepted notification was answered %d when repeated", codes[1])
	}
	for _, e := range got {
		if e.ID == "" || e.Provider != gw.Provider() || !gw.Capabilities().Supports(e.Type) {
			t.Fatalf("delivered a malformed event: %+v", e)
		}
		if e.Type == mfspay.EventPaymentCompleted {
			want, known := fuzzExpected[e.Payment.InvoiceID]
			if !known || want != e.Payment.Amount {
				t.Fatalf("a completed payment for %q of %s was delivered despite the amount check",
					e.Payment.InvoiceID, e.Payment.Amount)
			}
		}
		if e.Payment.Amount < 0 {
			t.Fatalf("negative amount delivered: %+v", e)
		}
	}
}

func newFuzzEazzPay(t testing.TB) mfspay.Gateway {
	gw, err := eazzpay.New(eazzpay.Config{
		BaseURL:         "http://127.0.0.1:9/api/v1", // never called: EazzPay cannot verify
		ClientSecret:    fuzzEazzSecret,
		AcceptedSecrets: []string{fuzzEazzOldSecret},
	})
	if err != nil {
		t.Fatal(err)
	}
	return gw
}

// FuzzHandlerEazzPay drives the handler with the real EazzPay adapter: IPN
// and webhook-listener bodies, authenticated or not. It must never panic,
// never answer 2xx to a notification without a valid secret header, and
// never deliver a completed payment the amount check should have stopped.
func FuzzHandlerEazzPay(f *testing.F) {
	ipn := `{"payment_id":"67adb1d9a7436e9d01c5a1b2","reference":"REF123456","amount":100.00,` +
		`"transaction_fee":1.50,"total":101.50,"metadata":"{\"invoice_id\":\"INV-1001\"}",` +
		`"payment_method":"MOBILE_BANKING","mfs_payment_method":"BKASH","mfs_payment_account_type":"PERSONAL",` +
		`"status":"COMPLETED"}`
	listener := `{"amount":"100.00","payment_method":"BKASH","sender_number":"01311111111",` +
		`"transaction_id":"TRX12345","reference":"ORDER123","date_time":"2023-11-27 12:34:56"}`
	f.Add([]byte(ipn), "", "application/json", "invoice_id=INV-1001", uint8(modeCurrent))
	f.Add([]byte(ipn), "", "application/json", "", uint8(modePrevious))
	f.Add([]byte(ipn), fuzzEazzSecret+"x", "application/json", "invoice_id=INV-1001", uint8(modeFuzzed))
	f.Add([]byte(listener), "", "application/json; charset=utf-8", "", uint8(modeCurrent))
	f.Add([]byte(listener), "", "application/json", "", uint8(modeAbsent))
	f.Add([]byte(listener), "wrong", "application/json", "", uint8(modeRepeated))
	f.Add([]byte(`{"payment_id":1}`), "", "text/plain", "", uint8(modeCurrent))

	gw := newFuzzEazzPay(f)
	f.Fuzz(func(t *testing.T, body []byte, header, contentType, rawQuery string, mode uint8) {
		build := func() *http.Request {
			r := fuzzRequest(body, contentType, rawQuery)
			switch mode % modeCount {
			case modeCurrent:
				r.Header.Set(eazzpay.SecretHeader, fuzzEazzSecret)
			case modePrevious:
				r.Header.Set(eazzpay.SecretHeader, fuzzEazzOldSecret)
			case modeFuzzed:
				r.Header.Set(eazzpay.SecretHeader, header)
			case modeRepeated:
				r.Header.Add(eazzpay.SecretHeader, fuzzEazzSecret)
				r.Header.Add(eazzpay.SecretHeader, header)
			}
			return r
		}
		// The oracle, written apart from the adapter: exactly one header
		// whose value is one of the configured secrets.
		values := build().Header.Values(eazzpay.SecretHeader)
		authentic := len(values) == 1 && (values[0] == fuzzEazzSecret || values[0] == fuzzEazzOldSecret)

		codes, got := deliverTwice(gw, build)
		checkFuzzAnswers(t, gw, authentic, codes, got)
	})
}
