package conformance

import (
	"bytes"
	"fmt"
	"maps"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
)

// notificationWait bounds how long the suite waits for a provider to
// produce an expected notification.
const notificationWait = 5 * time.Second

// parsedNotification is a notification and the event the gateway made of it.
type parsedNotification struct {
	req mfspay.WebhookRequest
	ev  *mfspay.Event
}

// awaitNotifications waits until the provider's notifications about co
// include one that gw parses to an event of type want, and returns them all,
// parsed. Every genuine notification must parse.
func (c *check) awaitNotifications(gw *recorded, co *mfspay.Checkout, want mfspay.EventType) []parsedNotification {
	c.Helper()
	return c.awaitNotificationsWhere(gw, co, string(want), func(ps []parsedNotification) bool {
		for _, p := range ps {
			if p.ev.Type == want {
				return true
			}
		}
		return false
	})
}

// awaitNotificationsWhere polls the provider's notifications about co,
// parsing each with gw, until done accepts them or notificationWait passes,
// and returns them parsed. Every genuine notification must parse.
func (c *check) awaitNotificationsWhere(gw *recorded, co *mfspay.Checkout, what string, done func([]parsedNotification) bool) []parsedNotification {
	c.Helper()
	deadline := time.Now().Add(notificationWait)
	for {
		var out []parsedNotification
		for i, n := range c.notifications(co) {
			ev, err := gw.ParseWebhook(c.ctx, cloneRequest(n))
			require.NoError(c, err, "parsing genuine notification %d about %s: %s", i, handle(co), n.Body)
			require.NotNil(c, ev, "ParseWebhook returned neither an event nor an error")
			out = append(out, parsedNotification{req: n, ev: ev})
		}
		if done(out) {
			return out
		}
		if time.Now().After(deadline) || c.ctx.Err() != nil {
			require.Failf(c, "no notification", "after %v the provider's notifications about %s parse to %s, none to %s",
				notificationWait, handle(co), eventTypes(out), what)
		}
		c.sleep(25 * time.Millisecond)
	}
}

// awaitEvent returns the first event of type want about co, parsed by the
// rule's gateway, after checking it and every other event about co.
func (c *check) awaitEvent(co *mfspay.Checkout, amount mfspay.Amount, want mfspay.EventType) *mfspay.Event {
	c.Helper()
	var hit *mfspay.Event
	for _, pn := range c.awaitNotifications(c.gateway(), co, want) {
		c.checkEvent(pn.ev, co, amount, pn.req.Body)
		if hit == nil && pn.ev.Type == want {
			hit = pn.ev
		}
	}
	return hit
}

// checkEvent checks what every event about co must say. Payment events
// carry both ids, so that a receiver can tie them to its order (co's
// payment id, where the provider has named it); every event carries co's
// exact amount.
func (c *check) checkEvent(ev *mfspay.Event, co *mfspay.Checkout, amount mfspay.Amount, body []byte) {
	c.Helper()
	assert.Equal(c, amount, ev.Payment.Amount, "Event.Payment.Amount of %s", body)
	assert.NotEmpty(c, ev.ID, "Event.ID of %s", body)
	assert.Equal(c, c.s.provider, ev.Provider, "Event.Provider of %s", body)
	assert.True(c, c.s.caps.Supports(ev.Type), "event type %q is not among the declared EventTypes", ev.Type)
	if ev.Type != mfspay.EventTransactionReceived {
		want, ok := mfspay.EventTypeFor(ev.Payment.Status)
		assert.True(c, ok && want == ev.Type, "event type %q announces status %q", ev.Type, ev.Payment.Status)
		c.checkNamedPayment(co, ev.Payment.PaymentID, fmt.Sprintf("Event.Payment.PaymentID of %s", body))
		assert.Equal(c, co.InvoiceID, ev.Payment.InvoiceID, "Event.Payment.InvoiceID of %s", body)
	}
	if ev.Type != mfspay.EventPaymentCompleted && ev.Type != mfspay.EventTransactionReceived {
		assert.NotEqual(c, mfspay.StatusPaid, ev.Payment.Status, "a %s event says paid", ev.Type)
	}
}

func eventTypes(ps []parsedNotification) string {
	var b bytes.Buffer
	b.WriteByte('[')
	for i, p := range ps {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprint(&b, p.ev.Type)
	}
	b.WriteByte(']')
	return b.String()
}

// cloneRequest deep-copies a notification so that a gateway cannot alter
// the one the suite keeps.
func cloneRequest(r mfspay.WebhookRequest) mfspay.WebhookRequest {
	out := mfspay.WebhookRequest{Header: r.Header.Clone(), Body: bytes.Clone(r.Body)}
	if r.Query != nil {
		out.Query = maps.Clone(r.Query)
		for k, v := range out.Query {
			out.Query[k] = append([]string(nil), v...)
		}
	}
	return out
}
