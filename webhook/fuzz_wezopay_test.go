package webhook_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/conformance/simctl"
	"github.com/mfspay/mfspay/providers/wezopay"
	"github.com/mfspay/mfspay/providers/wezopay/wezopaytest"
)

// Webhook secrets of the fuzzed WezoPay merchant: the current one and one
// being rotated out.
const (
	fuzzWezoSecret    = "whsec_wezo_fuzz_current_5d1e"
	fuzzWezoOldSecret = "whsec_wezo_fuzz_previous_0b7c"
)

// Placeholders a fuzzed body may hold; they are replaced by the tokens of
// the simulator's payments before signing, so that seeds and mutations can
// reach confirmation with a payment the provider knows.
const (
	paidPlaceholder    = "{{PAID}}"
	pendingPlaceholder = "{{PENDING}}"
)

// FuzzHandlerWezoPay drives the handler, with confirmation and the amount
// check on, through the real WezoPay adapter and simulator. It must never
// panic, never answer 2xx to a body without a valid signature, and never
// deliver a completed payment the provider does not confirm.
func FuzzHandlerWezoPay(f *testing.F) {
	full := `{"event":"payment.completed","token":"` + paidPlaceholder + `","invoice_id":"INV-1001","status":"paid",` +
		`"amount":100.00,"trx_id":"8N2K3TEST12","paid_at":"2026-06-08T11:45:00Z"}`
	forged := `{"event":"payment.completed","token":"` + pendingPlaceholder + `","invoice_id":"INV-1002","status":"paid",` +
		`"amount":50.00,"trx_id":"FORGED1234","paid_at":"2026-06-08T11:45:00Z"}`
	pending := `{"event":"payment.pending","token":"` + pendingPlaceholder + `","invoice_id":"INV-1002","status":"pending",` +
		`"amount":50.00,"trx_id":null,"paid_at":null}`
	f.Add([]byte(full), "", "application/json", "", uint8(modeCurrent))
	f.Add([]byte(full), "", "application/json; charset=utf-8", "", uint8(modePrevious))
	f.Add([]byte(forged), "", "application/json", "", uint8(modeCurrent))
	f.Add([]byte(pending), "", "application/json", "", uint8(modeCurrent))
	f.Add([]byte(full), strings.Repeat("0", 64), "application/json", "", uint8(modeFuzzed))
	f.Add([]byte(full), "", "", "", uint8(modeAbsent))
	f.Add([]byte(full), "deadbeef", "application/json", "x=1", uint8(modeRepeated))
	f.Add([]byte(`{"event":"payment.completed"}`), "", "text/plain", "", uint8(modeCurrent))

	sim := wezopaytest.NewServer(wezopaytest.WithWebhookSecret(fuzzWezoSecret), wezopaytest.WithDelivery(1, time.Millisecond))
	f.Cleanup(sim.Close)
	settings := sim.SettingsMap()
	settings[wezopay.SettingWebhookSecrets] = fuzzWezoSecret + "," + fuzzWezoOldSecret
	gw, err := wezopay.FromSettings(settings, fastResilience)
	if err != nil {
		f.Fatal(err)
	}
	paidToken := fuzzWezoPayment(f, sim, gw, "INV-1001", mfspay.Taka(100), true)
	pendingToken := fuzzWezoPayment(f, sim, gw, "INV-1002", mfspay.Taka(50), false)

	f.Fuzz(func(t *testing.T, body []byte, sig, contentType, rawQuery string, mode uint8) {
		body = bytes.ReplaceAll(body, []byte(paidPlaceholder), []byte(paidToken))
		body = bytes.ReplaceAll(body, []byte(pendingPlaceholder), []byte(pendingToken))
		build := func() *http.Request {
			r := fuzzRequest(body, contentType, rawQuery)
			switch mode % modeCount {
			case modeCurrent:
				r.Header.Set(wezopay.SignatureHeader, signFuzz(body, fuzzWezoSecret))
			case modePrevious:
				r.Header.Set(wezopay.SignatureHeader, signFuzz(body, fuzzWezoOldSecret))
			case modeFuzzed:
				r.Header.Set(wezopay.SignatureHeader, sig)
			case modeRepeated:
				r.Header.Add(wezopay.SignatureHeader, sig)
				r.Header.Add(wezopay.SignatureHeader, signFuzz(body, fuzzWezoSecret))
			}
			return r
		}
		authentic := fuzzWezoAuthentic(body, build().Header.Get(wezopay.SignatureHeader))

		codes, got := deliverTwice(gw, build)
		checkFuzzAnswers(t, gw, authentic, codes, got)
		for _, e := range got {
			if e.Type == mfspay.EventPaymentCompleted && e.Payment.PaymentID != paidToken {
				t.Fatalf("payment %q delivered as completed, but the provider never saw it paid", e.Payment.PaymentID)
			}
		}
	})
}

// fuzzWezoAuthentic is the oracle, written apart from the adapter: the
// first signature header, spaces trimmed, is hex of the body's HMAC-SHA256
// under one of the merchant's secrets.
func fuzzWezoAuthentic(body []byte, header string) bool {
	got, err := hex.DecodeString(strings.TrimSpace(header))
	if err != nil {
		return false
	}
	for _, secret := range []string{fuzzWezoSecret, fuzzWezoOldSecret} {
		m := hmac.New(sha256.New, []byte(secret))
		m.Write(body)
		if hmac.Equal(got, m.Sum(nil)) {
			return true
		}
	}
	return false
}

func signFuzz(body []byte, secret string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// fuzzWezoPayment creates a payment on the simulator, paid or not, and
// returns its token.
func fuzzWezoPayment(f *testing.F, sim *wezopaytest.Server, gw mfspay.Gateway, invoice string, amount mfspay.Amount, paid bool) string {
	ctx := context.Background()
	co, err := gw.CreatePayment(ctx, mfspay.CreatePaymentRequest{
		InvoiceID: invoice, Amount: amount, Customer: mfspay.Customer{Name: "Fuzz"},
		SuccessURL: "https://shop.example/ok", CancelURL: "https://shop.example/cart",
		WebhookURL: "http://127.0.0.1:9/unused",
	})
	if err != nil {
		f.Fatal(err)
	}
	if paid {
		if err := sim.Pay(ctx, co.PaymentID, simctl.Payer{TrxID: "8N2K3TEST12"}); err != nil {
			f.Fatal(err)
		}
	}
	return co.PaymentID
}
