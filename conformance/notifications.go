package conformance

import (
	"bytes"
	"fmt"
	"maps"
	"slices"
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
		return slices.ContainsFunc(ps, func(p parsedNotification) bool { return p.ev.Type == want })
	})
}

// announcesMoney reports whether an event of type t is the notification
// about a paid payment's money: payment.completed, or, from a gateway
// whose customer's return has something to act on (Capabilities.Return),
// transaction.received. Such a gateway tells the merchant which payment
// completed when the return is completed; its provider's notifications
// may then announce only the money that arrived, naming no payment (as
// bKash's do), and that notice is the notification about the payment's
// money. Without a return, a notification is the merchant's only news of
// which payment was paid, so it must be payment.completed.
func (s *suite) announcesMoney(t mfspay.EventType) bool {
	return t == mfspay.EventPaymentCompleted || t == mfspay.EventTransactionReceived && s.caps.Return != mfspay.ReturnNone
}

// moneyNotice says which notifications announcesMoney accepts, for
// messages.
func (s *suite) moneyNotice() string {
	if s.caps.Return != mfspay.ReturnNone {
		return "payment.completed or transaction.received"
	}
	return "payment.completed"
}

// awaitPaidNotifications waits until the provider's notifications about
// co, a paid payment, include the one about its money (announcesMoney),
// and returns them all, parsed by gw.
func (c *check) awaitPaidNotifications(gw *recorded, co *mfspay.Checkout) []parsedNotification {
	c.Helper()
	return c.awaitNotificationsWhere(gw, co, c.s.moneyNotice(), func(ps []parsedNotification) bool {
		return slices.ContainsFunc(ps, func(p parsedNotification) bool { return c.s.announcesMoney(p.ev.Type) })
	})
}

// parsedNotifications returns the provider's notifications about co so
// far, each parsed by gw. Every genuine notification must parse.
func (c *check) parsedNotifications(gw *recorded, co *mfspay.Checkout) []parsedNotification {
	c.Helper()
	var out []parsedNotification
	for i, n := range c.notifications(co) {
		ev, err := gw.ParseWebhook(c.ctx, cloneRequest(n))
		require.NoError(c, err, "parsing genuine notification %d about %s: %s", i, handle(co), n.Body)
		require.NotNil(c, ev, "ParseWebhook returned neither an event nor an error")
		out = append(out, parsedNotification{req: n, ev: ev})
	}
	return out
}

// awaitNotificationsWhere polls the provider's notifications about co,
// parsing each with gw, until done accepts them or notificationWait passes,
// and returns them parsed. Every genuine notification must parse.
func (c *check) awaitNotificationsWhere(gw *recorded, co *mfspay.Checkout, what string, done func([]parsedNotification) bool) []parsedNotification {
	c.Helper()
	deadline := time.Now().Add(notificationWait)
	for {
		out := c.parsedNotifications(gw, co)
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
	return c.firstChecked(c.awaitNotifications(c.gateway(), co, want), co, amount,
		func(t mfspay.EventType) bool { return t == want })
}

// awaitPaidEvent returns the notification about the money of co, a paid
// payment (announcesMoney), parsed by the rule's gateway, after checking
// it and every other event about co.
func (c *check) awaitPaidEvent(co *mfspay.Checkout, amount mfspay.Amount) *mfspay.Event {
	c.Helper()
	return c.firstChecked(c.awaitPaidNotifications(c.gateway(), co), co, amount, c.s.announcesMoney)
}

// firstChecked checks every event of ps and returns the first whose type
// is wanted.
func (c *check) firstChecked(ps []parsedNotification, co *mfspay.Checkout, amount mfspay.Amount, wanted func(mfspay.EventType) bool) *mfspay.Event {
	c.Helper()
	var hit *mfspay.Event
	for _, pn := range ps {
		c.checkEvent(pn.ev, co, amount, pn.req.Body)
		if hit == nil && wanted(pn.ev.Type) {
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
