package conformance

import (
	"errors"
	"fmt"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
)

// webhookRules check ParseWebhook on the provider's genuine notifications
// and on forgeries derived from them. The notification about a paid
// payment is the one about its money (announcesMoney): payment.completed,
// or, where the customer's return tells the merchant which payment
// completed, transaction.received.
func (s *suite) webhookRules(r Reporter) {
	loc := authLocator{scheme: s.caps.Webhook, secrets: s.settings.Secrets}

	// paid returns the notifications about a newly paid payment, parsed.
	paid := func(c *check) []parsedNotification {
		c.Helper()
		_, co := c.newPayment(mustAmount("321.09"))
		c.pay(co, s.payer())
		return c.awaitPaidNotifications(c.gateway(), co)
	}

	s.rule(r, "ParsesGenuineNotificationAfterPay", func(c *check) {
		req, co := c.newPayment(mustAmount("321.09"))
		payer := s.payer()
		c.pay(co, payer)
		ev := c.awaitPaidEvent(co, req.Amount)
		assert.Equal(c, mfspay.StatusPaid, ev.Payment.Status)
		c.checkPaidClaims(&ev.Payment, payer)
	})
	s.rule(r, "RedeliveryHasSameEventID", func(c *check) {
		ns := paid(c)
		// Another instance (another replica, another plugin process) must
		// agree, or de-duplication across replicas fails.
		other := c.shared("other", s.settings.Values, c.resilience())
		for _, n := range ns {
			again, err := c.gateway().ParseWebhook(c.ctx, cloneRequest(n.req))
			require.NoError(c, err)
			assert.Equal(c, n.ev.ID, again.ID, "re-delivery of %s", n.req.Body)
			elsewhere, err := other.ParseWebhook(c.ctx, cloneRequest(n.req))
			require.NoError(c, err)
			assert.Equal(c, n.ev.ID, elsewhere.ID, "the same notification at another gateway instance: %s", n.req.Body)
		}
	})
	s.rule(r, "PendingNotificationIsNotCompleted", func(c *check) {
		req, co := c.newPayment(mustAmount("321.09"))
		c.payPending(co)
		pending := c.awaitNotificationsWhere(c.gateway(), co, "any notification about the pending payment",
			func(ps []parsedNotification) bool { return len(ps) > 0 })
		for _, pn := range pending {
			c.checkEvent(pn.ev, co, req.Amount, pn.req.Body)
			assert.NotEqual(c, mfspay.EventPaymentCompleted, pn.ev.Type,
				"a notification the provider sent while the wallet had not confirmed: %s", pn.req.Body)
			assert.NotEqual(c, mfspay.StatusPaid, pn.ev.Payment.Status,
				"a notification the provider sent while the wallet had not confirmed: %s", pn.req.Body)
		}
		// The payment stays payable, and its completion is another event.
		c.pay(co, s.payer())
		done := c.awaitPaidNotifications(c.gateway(), co)
		for _, pn := range done {
			if !s.announcesMoney(pn.ev.Type) {
				continue
			}
			for _, early := range pending {
				assert.NotEqual(c, early.ev.ID, pn.ev.ID, "the pending and the completed notification share an event ID")
			}
		}
	})
	s.rule(r, "DistinctEventsHaveDistinctIDs", func(c *check) {
		var events []*mfspay.Event
		add := func(ps []parsedNotification) {
			for _, p := range ps {
				events = append(events, p.ev)
			}
		}
		add(paid(c))
		sources := 1
		// The same payment pending, then paid.
		_, co := c.newPayment(mustAmount("321.09"))
		if err := s.sim.Pay(c.ctx, handle(co), s.pendingPayer()); err == nil {
			c.pay(co, s.payer())
			add(c.awaitPaidNotifications(c.gateway(), co))
			sources++
		} else if !errors.Is(err, mfspay.ErrUnsupported) {
			require.NoError(c, err, "simulator Pay with Payer.Pending")
		}
		// Another payment cancelled, where the gateway announces that: by
		// the customer's return where it declares one (its events reach
		// the same receiver as notifications), else by a notification.
		if s.caps.Supports(mfspay.EventPaymentCancelled) && s.caps.Reports(mfspay.StatusCancelled) {
			req, co := c.newPayment(mustAmount("321.09"))
			c.cancel(co)
			if s.caps.Return != mfspay.ReturnNone {
				ev, err := c.returnOutcome(co, req.Amount, "Cancel")
				require.NoError(c, err, "completing the customer's return after Cancel")
				assert.Equal(c, mfspay.EventPaymentCancelled, ev.Type, "the return of a customer who cancelled")
				events = append(events, ev)
				add(c.parsedNotifications(c.gateway(), co))
			} else {
				add(c.awaitNotifications(c.gateway(), co, mfspay.EventPaymentCancelled))
			}
			sources++
		}
		if sources == 1 {
			c.Skipf("not applicable: the gateway announces no cancellation and the simulator cannot leave a payment " +
				"pending, so the suite can produce only one kind of event")
		}
		// Two events that say different things must not share an ID, or
		// de-duplication would drop a real event.
		type meaning struct {
			typ     mfspay.EventType
			status  mfspay.Status
			payment string
			trx     string
		}
		seen := map[string]meaning{}
		for _, ev := range events {
			m := meaning{ev.Type, ev.Payment.Status, ev.Payment.PaymentID, ev.Payment.TrxID}
			if prev, ok := seen[ev.ID]; ok {
				assert.Equal(c, prev, m, "event ID %q names two different events", ev.ID)
			}
			seen[ev.ID] = m
		}
	})

	if !loc.known() {
		r.Logf("Webhooks: scheme %q is not one mfspay names: forgeries alter every header or query parameter "+
			"whose name suggests authentication (or all of them)", s.caps.Webhook)
	}
	forgery := func(name string, forge func(n mfspay.WebhookRequest, spots []authSpot) mfspay.WebhookRequest) {
		s.rule(r, name, func(c *check) {
			ns := paid(c)
			for _, n := range ns {
				spots := loc.spots(n.req)
				require.NotEmpty(c, spots, "cannot find %s authentication in the genuine notification %s (headers %v)",
					s.caps.Webhook, n.req.Body, headerNames(n.req))
				ev, err := c.gateway().ParseWebhook(c.ctx, forge(n.req, spots))
				assert.ErrorIs(c, err, mfspay.ErrInvalidSignature, "forged from %s", n.req.Body)
				assert.Nil(c, ev, "an event from a forgery")
			}
		})
	}
	switch {
	case s.caps.Webhook.BodyAuthenticated():
		forgery("RejectsTamperedBody", func(n mfspay.WebhookRequest, _ []authSpot) mfspay.WebhookRequest {
			return loc.withTamperedBody(n)
		})
	case loc.known():
		notApplicable(r, "RejectsTamperedBody", fmt.Sprintf("the gateway's scheme %q authenticates the sender, not the body "+
			"(WebhookAuth.BodyAuthenticated), so receivers confirm what its notifications claim with the provider", s.caps.Webhook))
	default:
		notApplicable(r, "RejectsTamperedBody", fmt.Sprintf("the gateway's scheme %q is not one mfspay names, so it does not "+
			"count as authenticating the body (WebhookAuth.BodyAuthenticated) and receivers confirm its notifications with the provider", s.caps.Webhook))
	}
	forgery("RejectsWrongAuthentication", loc.withWrongAuth)
	forgery("RejectsMissingAuthentication", loc.withoutAuth)
}

func headerNames(r mfspay.WebhookRequest) []string {
	var out []string
	for k := range r.Header {
		out = append(out, k)
	}
	return out
}
