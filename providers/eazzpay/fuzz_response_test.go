package eazzpay_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"testing"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/providers/eazzpay"
	"github.com/mfspay/mfspay/providers/internal/drivertest"
	"github.com/mfspay/mfspay/providers/kit"
)

// fzSecretPlaceholder in a fuzzed answer becomes the client secret, so that
// the fuzzer can try to smuggle it into an error.
const fzSecretPlaceholder = "{{SECRET}}"

// FuzzCreateResponse serves a fuzzed answer to an initiate. It must never
// panic; every error is an *mfspay.Error whose kind fits the answer (the
// request reached EazzPay, so only a 4xx answer may say anything but
// ErrOutcomeUnknown, and never ErrUnavailable); and a checkout is returned
// only from a 2xx answer that holds its payment id and an absolute http(s)
// checkout URL, pending, never paid.
func FuzzCreateResponse(f *testing.F) {
	for i, body := range []string{
		createdBody,
		`{"code":201,"data":{"payment_id":"67adb1d9a7436e9d01c5f00d","eazzpay_url":"javascript:alert(1)"}}`,
		`{"code":201,"data":{"payment_id":"bad id","eazzpay_url":"https://pay.eazzpay.com/checkout/x"}}`,
		`{"code":201,"data":{"payment_id":12,"eazzpay_url":"https://pay.eazzpay.com/checkout/x"}}`,
		`{"code":201,"DATA":{"Payment_ID":"67adb1d9a7436e9d01c5f00d","EAZZPAY_URL":"https://pay.eazzpay.com/c/\u0067"}}`,
		`{"code":500,"message":"Payment initiation failed"}`,
		`{"code":422,"message":"The amount must be a number.","errors":{"amount":["{{SECRET}}"]}}`,
		`{"code":401,"message":"invalid client secret {{SECRET}}"}`,
		`<html><body><h1>502 Bad Gateway</h1>{{SECRET}}</body></html>`,
		`{"code":201,"data":{"payment_id":"67ad`, ``, `null`, `{"data":null}`,
	} {
		for _, s := range []uint8{0, 1, 4, 5, 6, 8, 11, 12, 13} {
			f.Add(s+uint8(i), "application/json", []byte(body))
		}
	}

	p := drivertest.NewProvider(f)
	gw, err := eazzpay.New(eazzpay.Config{BaseURL: p.URL + "/api/v1", ClientSecret: fzSecret, Resilience: drivertest.OneAttempt})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, status uint8, contentType string, body []byte) {
		code := drivertest.Statuses[int(status)%len(drivertest.Statuses)]
		body = bytes.ReplaceAll(body, []byte(fzSecretPlaceholder), []byte(fzSecret))
		answer := drivertest.Answer{Status: code, ContentType: contentType, Body: body}
		p.Set(http.MethodPost, answer)

		co, err := gw.CreatePayment(context.Background(), validRequest())
		if err != nil {
			fzCheckError(t, err, mfspay.OpCreate)
			want := mfspay.ErrOutcomeUnknown
			if code >= 400 && code < 500 && answer.WireSafe() {
				want = kit.KindForStatus(code)
			}
			if k := mfspay.KindOf(err); k != want {
				t.Fatalf("answer %d %q gave kind %v, want %v (%v)", code, body, k, want, err)
			}
			return
		}
		u, perr := url.Parse(co.RedirectURL)
		if code < 200 || code > 299 || !answer.WireSafe() || perr != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
			(mfspay.PaymentRef{PaymentID: co.PaymentID}).Validate() != nil ||
			co.Provider != eazzpay.ProviderName || co.InvoiceID != validRequest().InvoiceID || co.Status != mfspay.StatusPending {
			t.Fatalf("answer %d %q gave checkout %+v", code, body, co)
		}
		strs := fzStrings(body)
		if !strs[co.PaymentID] || !strs[co.RedirectURL] {
			t.Fatalf("checkout %+v holds values the answer %q does not", co, body)
		}
	})
}

// fzStrings is every string (keys and values, unescaped) in a JSON text,
// read token by token, so a value can be traced to the answer whatever
// its key's spelling or escapes.
func fzStrings(body []byte) map[string]bool {
	out := map[string]bool{}
	dec := json.NewDecoder(bytes.NewReader(body))
	for {
		tok, err := dec.Token()
		if err != nil {
			return out
		}
		if s, ok := tok.(string); ok {
			out[s] = true
		}
	}
}
