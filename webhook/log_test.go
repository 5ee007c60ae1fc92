package webhook_test

import (
	"bufio"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/providers/kit"
	"github.com/mfspay/mfspay/webhook"
)

// leakyGateway fails parsing with an error whose message quotes the secret
// and the body, as a careless adapter might.
type leakyGateway struct{ *fakeGateway }

func (g leakyGateway) ParseWebhook(_ context.Context, req mfspay.WebhookRequest) (*mfspay.Event, error) {
	return nil, &mfspay.Error{Kind: mfspay.ErrInvalidSignature, Provider: g.name, Op: "webhook",
		Message: "expected " + fakeSecret + " got " + req.Header.Get(fakeSigHeader) + " for " + string(req.Body)}
}

func TestLogsCarryNoSecretSignatureOrBody(t *testing.T) {
	var logs logBuffer
	var rec recorder
	rec.fail.Store(1)
	gw := newFake("fake")
	gw.setPayment(mfspay.Payment{PaymentID: "pay_INV-L", InvoiceID: "INV-L", Status: mfspay.StatusPending})
	h := webhook.New(rec.callback, webhook.Route(gw), webhook.Route(leakyGateway{newFake("leaky")}),
		webhook.WithLogger(logs.logger()), webhook.Confirm())
	mux := http.NewServeMux()
	mux.Handle("/webhooks/{provider}", h)

	body := paidBody("evt_log", "INV-L", mfspay.Taka(77)).bytes(t)
	pendingBody := fakeBody{ID: "evt_log2", Type: "payment.pending", PaymentID: "pay_INV-L", InvoiceID: "INV-L",
		Status: "pending", Amount: mfspay.Taka(77)}.bytes(t)
	sig := kit.SignHMACSHA256(body, fakeSecret)
	requests := []*http.Request{
		signedRequest("/webhooks/fake", body),        // claim ahead of provider: 503
		signedRequest("/webhooks/fake", pendingBody), // callback fails: 500
		signedRequest("/webhooks/fake", pendingBody), // delivered
		signedRequest("/webhooks/fake", pendingBody), // duplicate
		signedRequest("/webhooks/leaky", body),       // 401 with a leaky error
		signedRequest("/webhooks/fake", []byte(`{"id": "`+fakeSecret)),
	}
	bad := signedRequest("/webhooks/fake", body)
	bad.Header.Set(fakeSigHeader, strings.Repeat("a", 64))
	requests = append(requests, bad)
	for _, r := range requests {
		do(mux, r)
	}

	out := logs.String()
	for _, leak := range []string{fakeSecret, sig, strings.Repeat("a", 64), `invoice_id`, "77.00", "pay_INV-L"} {
		assert.NotContains(t, out, leak)
	}
	lines := 0
	kinds := map[string]int{}
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		var line map[string]any
		require.NoError(t, json.Unmarshal(sc.Bytes(), &line), sc.Text())
		lines++
		kinds[line["outcome"].(string)]++
		assert.Contains(t, line, "status")
		for k := range line {
			assert.NotContains(t, []string{"body", "header", "headers", "signature", "secret"}, k)
		}
	}
	assert.Equal(t, len(requests), lines, "one line per request")
	assert.Equal(t, map[string]int{
		"claim-ahead-of-provider": 1, "callback-failed": 1, "delivered": 1, "duplicate": 1,
		"bad-signature": 2, "malformed": 1,
	}, kinds)
	assert.Contains(t, out, `"event_id":"evt_log2"`)
	assert.Contains(t, out, `"provider":"fake"`)
	assert.Contains(t, out, `"error_kind":"invalid signature"`)
}

func TestQuietByDefault(t *testing.T) {
	// Without WithLogger nothing may reach slog's default logger either.
	var logs logBuffer
	old := slog.Default()
	slog.SetDefault(logs.logger())
	defer slog.SetDefault(old)

	var rec recorder
	rec.fail.Store(1)
	h := webhook.New(rec.callback, webhook.Route(newFake("fake")))
	do(h, signedRequest("/", paidBody("evt_q", "INV-Q", 1).bytes(t)))
	do(h, signedRequest("/", []byte("junk")))
	assert.Empty(t, logs.String())
}

func TestStoreErrorIsLoggedForTheMerchant(t *testing.T) {
	var logs logBuffer
	var rec recorder
	h := webhook.New(rec.callback, webhook.Route(newFake("fake")), webhook.WithStore(failingStore{}),
		webhook.WithLogger(logs.logger()))
	code, _ := do(h, signedRequest("/", paidBody("evt_s", "INV", 1).bytes(t)))
	assert.Equal(t, 503, code)
	assert.Contains(t, logs.String(), errStoreDown.Error(), "the merchant's own store error is worth logging")
}
