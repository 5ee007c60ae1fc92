package eazzpay_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/providers/eazzpay"
	"github.com/mfspay/mfspay/providers/internal/drivertest"
)

// Secrets of the fuzzed merchant: the client secret and one accepted while
// it is rotated. Neither may ever show in an error.
const (
	fzSecret    = "esk_fuzz_current_6a0d91"
	fzOldSecret = "esk_fuzz_previous_27bc4e"
)

// How a fuzzed notification carries its secret.
const (
	hdrCurrent  = iota // the client secret
	hdrPrevious        // the accepted rotating secret
	hdrFuzzed          // whatever the fuzzer wrote
	hdrAbsent          // no header
	hdrRepeated        // the real secret and the fuzzed value: two headers
	hdrLowerKey        // the real secret under a non-canonical key, as a proxy might pass it
	hdrNearMiss        // the real secret with a trailing byte
	hdrPadded          // the real secret with surrounding spaces
	hdrModes
)

// FuzzParseWebhook drives ParseWebhook with arbitrary bodies, queries and
// secret headers. It must never panic; a request without exactly one
// header holding an accepted secret is always ErrInvalidSignature; an
// authentic one either parses or is ErrInvalidRequest; and a parsed event
// is a completed (paid) payment only for an IPN whose status is
// "COMPLETED", or money received only for a listener notification.
func FuzzParseWebhook(f *testing.F) {
	ipn := `{"payment_id":"67adb1d9a7436e9d01c5a1b2","reference":"EZP123456","amount":250.50,"transaction_fee":3.76,` +
		`"total":254.26,"metadata":"{\"invoice_id\":\"INV-1\"}","payment_method":"MOBILE_BANKING",` +
		`"mfs_payment_method":"BKASH","mfs_payment_account_type":"PERSONAL","status":"COMPLETED"}`
	for _, seed := range []struct{ body, query string }{
		{ipn, "invoice_id=INV-1"},
		{ipn, ""},
		{ipn, "invoice_id=INV-2"},
		{strings.Replace(ipn, "COMPLETED", "CANCELED", 1), "invoice_id=INV-1&invoice_id=INV-1"},
		{strings.Replace(ipn, "COMPLETED", "completed", 1), ""},
		{strings.Replace(ipn, "COMPLETED", "COMPLET\\u0045D", 1), ""},
		{strings.Replace(ipn, "250.50", `"250.5"`, 1), ""},
		{strings.Replace(ipn, "250.50", "2.505e2", 1), ""},
		{`{"payment_id":"67adb1d9a7436e9d01c5a1b2","amount":1,"status":"PENDING"}`, ""},
		{`{"payment_id":"67adb1d9a7436e9d01c5a1b2","amount":1,"status":"FAILED","payment_method":"BANK","bank_name":7}`, ""},
		{`{"amount": "100.00", "payment_method": "BKASH", "sender_number": "01311111111", "transaction_id": "TRX12345", "reference": "ORDER123", "date_time": "2023-11-27 12:34:56"}`, ""},
		{`{"amount":"100","payment_method":"NAGAD","sender_number":"017","transaction_id":"TRX1","date_time":"2023-02-30 25:00:00"}`, ""},
		{`{"transaction_id":"TRX12345","payment_id":null,"status":"COMPLETED","amount":1}`, ""},
		{`{} {}`, ""}, {`[]`, ""}, {``, ""}, {`null`, ""},
	} {
		for mode := range uint8(hdrModes) {
			f.Add([]byte(seed.body), fzSecret+"\x00", seed.query, mode)
		}
	}

	gw, err := eazzpay.New(eazzpay.Config{
		BaseURL:         "http://127.0.0.1:9/api/v1", // notifications need no traffic
		ClientSecret:    fzSecret,
		AcceptedSecrets: []string{fzOldSecret},
	})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte, header, rawQuery string, mode uint8) {
		query, _ := url.ParseQuery(rawQuery)
		req := mfspay.WebhookRequest{Header: fzHeader(header, mode%hdrModes), Query: query, Body: body}
		authentic := fzAuthentic(req.Header)

		ev := drivertest.ParseWebhook(t, gw, req, authentic, fzSecret, fzOldSecret)
		if ev == nil {
			return
		}
		fzCheckEvent(t, gw, body, query, ev)
	})
}

// fzHeader builds the notification headers the mode describes.
func fzHeader(fuzzed string, mode uint8) http.Header {
	h := http.Header{"Content-Type": {"application/json"}}
	switch mode {
	case hdrCurrent:
		h.Set(eazzpay.SecretHeader, fzSecret)
	case hdrPrevious:
		h.Set(eazzpay.SecretHeader, fzOldSecret)
	case hdrFuzzed:
		h.Set(eazzpay.SecretHeader, fuzzed)
	case hdrRepeated:
		h.Add(eazzpay.SecretHeader, fzSecret)
		h.Add(eazzpay.SecretHeader, fuzzed)
	case hdrLowerKey:
		h[eazzpay.SecretHeader] = []string{fzSecret}
	case hdrNearMiss:
		h.Set(eazzpay.SecretHeader, fzSecret+fuzzed[:min(len(fuzzed), 1)])
	case hdrPadded:
		h.Set(eazzpay.SecretHeader, " "+fzSecret+" ")
	}
	return h
}

// fzAuthentic is the oracle, written apart from the adapter: across every
// spelling of the header name there is exactly one value, and it is one of
// the accepted secrets byte for byte.
func fzAuthentic(h http.Header) bool {
	var values []string
	for k, v := range h {
		if strings.EqualFold(k, eazzpay.SecretHeader) {
			values = append(values, v...)
		}
	}
	return len(values) == 1 && (values[0] == fzSecret || values[0] == fzOldSecret)
}

// fzIPNStatuses is EazzPay's documented IPN status list, written out here.
var fzIPNStatuses = map[string]struct {
	typ    mfspay.EventType
	status mfspay.Status
}{
	"COMPLETED": {mfspay.EventPaymentCompleted, mfspay.StatusPaid},
	"PENDING":   {mfspay.EventPaymentPending, mfspay.StatusPending},
	"FAILED":    {mfspay.EventPaymentFailed, mfspay.StatusFailed},
	"CANCELED":  {mfspay.EventPaymentCancelled, mfspay.StatusCancelled},
}

// fzCheckEvent compares a parsed event with what the body says, read by
// the oracle on its own.
func fzCheckEvent(t *testing.T, gw mfspay.Gateway, body []byte, query url.Values, ev *mfspay.Event) {
	t.Helper()
	// The members, by exact name as the driver reads them (it refuses a
	// member given twice, so which of two wins does not matter here).
	var obj map[string]json.RawMessage
	if json.Unmarshal(body, &obj) != nil || obj == nil {
		t.Fatalf("a body that is not one JSON object parsed: %q", body)
	}
	text := func(name string) (s string) { _ = json.Unmarshal(obj[name], &s); return s }
	if ev.Provider != eazzpay.ProviderName || ev.Payment.Provider != eazzpay.ProviderName || !gw.Capabilities().Supports(ev.Type) {
		t.Fatalf("malformed event %+v", ev)
	}
	if amount, ok := drivertest.Amount(obj["amount"]); !ok || amount < 0 || amount != ev.Payment.Amount {
		t.Fatalf("event amount %v, body says %s", ev.Payment.Amount, obj["amount"])
	}
	if _, isIPN := obj["payment_id"]; isIPN {
		id, status := text("payment_id"), text("status")
		want, known := fzIPNStatuses[status]
		if !known || ev.Type != want.typ || ev.Payment.Status != want.status {
			t.Fatalf("IPN status %q became %s/%s", status, ev.Type, ev.Payment.Status)
		}
		if ev.Payment.PaymentID != id || ev.ID != "eazzpay:ipn:"+id+":"+status {
			t.Fatalf("IPN for %q/%q became event %q about %q", id, status, ev.ID, ev.Payment.PaymentID)
		}
		if q := query.Get("invoice_id"); q != "" && ev.Payment.InvoiceID != q {
			t.Fatalf("IPN sent for invoice %q names %q", q, ev.Payment.InvoiceID)
		}
		return
	}
	trx := text("transaction_id")
	if ev.Type != mfspay.EventTransactionReceived || trx == "" || ev.ID != "eazzpay:trx:"+trx ||
		ev.Payment.TrxID != trx || ev.Payment.PaymentID != "" || ev.Payment.Status != mfspay.StatusPaid ||
		ev.Payment.Amount <= 0 {
		t.Fatalf("listener notification (transaction %q) became %+v", trx, ev)
	}
}

// fzCheckError asserts the shape every error must have, secrets included.
func fzCheckError(t *testing.T, err error, op string) {
	drivertest.Error(t, err, eazzpay.ProviderName, op, fzSecret, fzOldSecret)
}
