package uddoktapay_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/conformance/simctl"
	"github.com/mfspay/mfspay/providers/uddoktapay"
	"github.com/mfspay/mfspay/webhook"
)

// merchant is a shop receiving UddoktaPay's IPNs through webhook.Handler
// with confirmation on, recording what reaches its callback.
type merchant struct {
	*httptest.Server
	mu     sync.Mutex
	events []*mfspay.Event
}

func newMerchant(t *testing.T, gw mfspay.Gateway) *merchant {
	m := &merchant{}
	h := webhook.New(func(_ context.Context, ev *mfspay.Event) error {
		m.mu.Lock()
		defer m.mu.Unlock()
		m.events = append(m.events, ev)
		return nil
	}, webhook.Route(gw), webhook.Confirm())
	m.Server = httptest.NewServer(h)
	t.Cleanup(m.Close)
	return m
}

func (m *merchant) delivered() []*mfspay.Event {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]*mfspay.Event(nil), m.events...)
}

// post sends an IPN to the merchant as the panel would.
func (m *merchant) post(t *testing.T, key, body string) int {
	req, err := http.NewRequest(http.MethodPost, m.URL, bytes.NewReader([]byte(body)))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set(uddoktapay.KeyHeader, key)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	return resp.StatusCode
}

func TestWebhookHandlerRefusesIPNsWithoutTheKey(t *testing.T) {
	s := newStack(t)
	m := newMerchant(t, s.gw)
	_, co := s.create(t)
	id := s.pay(t, co, false)
	body := answer(id, "COMPLETED", `"250.50"`)
	assert.Equal(t, http.StatusUnauthorized, m.post(t, "", body), "missing key")
	assert.Equal(t, http.StatusUnauthorized, m.post(t, "0123456789abcdef0123456789abcdef01234567", body), "wrong key")
	assert.Empty(t, m.delivered())
	assert.Equal(t, http.StatusOK, m.post(t, s.key, body))
	require.Len(t, m.delivered(), 1)
	assert.Equal(t, mfspay.EventPaymentCompleted, m.delivered()[0].Type)
}

func TestWebhookHandlerNeverDeliversAForgedCompletion(t *testing.T) {
	s := newStack(t)
	m := newMerchant(t, s.gw)
	_, co := s.create(t)
	id := s.pay(t, co, true)

	// Someone holding the key claims the pending payment is completed.
	assert.Equal(t, http.StatusOK, m.post(t, s.key, answer(id, "COMPLETED", `"250.50"`)))
	got := m.delivered()
	require.Len(t, got, 1)
	assert.Equal(t, mfspay.EventPaymentPending, got[0].Type)
	assert.Equal(t, mfspay.StatusPending, got[0].Payment.Status)
	for _, ev := range got {
		assert.NotEqual(t, mfspay.EventPaymentCompleted, ev.Type, "a completion the panel does not confirm")
	}
}

func TestPanelIPNsReachTheMerchantOnce(t *testing.T) {
	s := newStack(t)
	m := newMerchant(t, s.gw)
	req := request()
	req.WebhookURL = m.URL
	co, err := s.gw.CreatePayment(bg, req)
	require.NoError(t, err)
	require.NoError(t, s.sim.Pay(bg, co.RedirectURL, simctl.Payer{Pending: true, TrxID: "PEND1234"}))
	require.NoError(t, s.sim.WaitDeliveries(bg))
	id := s.invoiceID(t, co)
	require.NoError(t, s.sim.Approve(bg, id))
	require.NoError(t, s.sim.WaitDeliveries(bg))
	require.NoError(t, s.sim.ResendIPN(bg, id))
	require.NoError(t, s.sim.WaitDeliveries(bg))

	var types []mfspay.EventType
	for _, ev := range m.delivered() {
		types = append(types, ev.Type)
	}
	assert.Equal(t, []mfspay.EventType{mfspay.EventPaymentPending, mfspay.EventPaymentCompleted}, types,
		"pending, then completed; the resent IPN is a duplicate")
	deliveries := s.sim.Deliveries()
	require.Len(t, deliveries, 3)
	for _, d := range deliveries {
		assert.True(t, d.Delivered, "%s", d.Body)
	}
}
