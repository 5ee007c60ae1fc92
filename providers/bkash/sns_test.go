package bkash_test

import (
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/providers/bkash"
	"github.com/mfspay/mfspay/providers/bkash/bkashtest"
	"github.com/mfspay/mfspay/providers/kit"
)

// paidNotification pays a payment through its return and returns the SNS
// notification bKash sends after the execute.
func paidNotification(t *testing.T, e *env) (mfspay.CreatePaymentRequest, mfspay.WebhookRequest) {
	t.Helper()
	req, co := e.create(t)
	require.NoError(t, e.sim.Approve(co.PaymentID, "01770618575"))
	_, err := e.gw.CompleteReturn(context.Background(), e.lastReturn(t, co.PaymentID))
	require.NoError(t, err)
	notes, err := e.sim.Notifications(context.Background(), co.PaymentID)
	require.NoError(t, err)
	require.Len(t, notes, 1)
	return req, notes[0]
}

func TestSimulatorSignedNotificationVerifies(t *testing.T) {
	for _, version := range []string{"1", "2"} {
		t.Run("SignatureVersion "+version, func(t *testing.T) {
			e := newEnv(t, bkashtest.WithSignatureVersion(version))
			req, note := paidNotification(t, e)
			ev, err := e.gw.ParseWebhook(context.Background(), note)
			require.NoError(t, err)
			var envelope struct{ MessageId, SignatureVersion string }
			require.NoError(t, json.Unmarshal(note.Body, &envelope))
			assert.Equal(t, version, envelope.SignatureVersion)
			assert.Equal(t, envelope.MessageId, ev.ID)
			assert.Equal(t, mfspay.EventTransactionReceived, ev.Type)
			assert.Equal(t, req.InvoiceID, ev.Reference)
			assert.Equal(t, req.Amount, ev.Payment.Amount)
			assert.Equal(t, mfspay.StatusPaid, ev.Payment.Status)
			assert.Equal(t, "01770618575", ev.Payment.Sender)
			assert.Len(t, ev.Payment.TrxID, 10)
			assert.Equal(t, e.clock.Now().UTC(), ev.Payment.PaidAt)

			again, err := e.gateway(t, time.Second).ParseWebhook(context.Background(), note)
			require.NoError(t, err)
			assert.Equal(t, ev.ID, again.ID, "a re-delivery at another instance keeps its id")
		})
	}
}

// TestNotificationForgeriesAreInvalidSignature: the gateway refuses what
// kit.SNSVerifier refuses (its tests hold the whole list), among them the
// forgeries bKash's must-show names.
func TestNotificationForgeriesAreInvalidSignature(t *testing.T) {
	e := newEnv(t)
	_, note := paidNotification(t, e)
	forge := func(old, new string) mfspay.WebhookRequest {
		require.Contains(t, string(note.Body), old)
		return mfspay.WebhookRequest{Header: note.Header.Clone(), Body: []byte(strings.Replace(string(note.Body), old, new, 1))}
	}
	for name, forged := range map[string]mfspay.WebhookRequest{
		"one byte of Message changed": forge(`250.50`, `950.50`),
		"cert URL on another host":    forge(`"SigningCertURL":"https://127.0.0.1`, `"SigningCertURL":"https://localhost`),
		"SignatureVersion 3":          forge(`"SignatureVersion":"1"`, `"SignatureVersion":"3"`),
		"not SNS at all":              {Header: http.Header{"Content-Type": {"application/json"}}, Body: []byte(`{"success":true}`)},
	} {
		ev, err := e.gw.ParseWebhook(context.Background(), forged)
		assert.ErrorIs(t, err, mfspay.ErrInvalidSignature, name)
		assert.Nil(t, ev, name)
	}

	// A genuine message from a topic the gateway does not accept.
	settings := maps.Clone(e.settings)
	settings[kit.SettingSNSTopicARNs] = "arn:aws:sns:ap-southeast-1:354285753755:bpt_someone_else"
	other, err := bkash.FromSettings(settings, mfspay.Resilience{})
	require.NoError(t, err)
	_, err = other.ParseWebhook(context.Background(), note)
	assert.ErrorIs(t, err, mfspay.ErrInvalidSignature, "unknown topic")
}

func TestSubscriptionConfirmationIsConfirmedForAnAllowedTopicOnly(t *testing.T) {
	e := newEnv(t)
	ev, err := e.gw.ParseWebhook(context.Background(), e.sim.SubscriptionConfirmation())
	assert.Nil(t, ev)
	var me *mfspay.Error
	require.ErrorAs(t, err, &me)
	assert.ErrorIs(t, err, mfspay.ErrNoEvent)
	assert.Equal(t, bkash.CodeSubscriptionConfirmed, me.Code)
	assert.Equal(t, 1, e.sim.SNS.Confirmations())

	// Another topic's confirmation, genuinely signed, is refused unvisited.
	settings := maps.Clone(e.settings)
	settings[kit.SettingSNSTopicARNs] = "arn:aws:sns:ap-southeast-1:354285753755:bpt_other"
	other, err := bkash.FromSettings(settings, mfspay.Resilience{})
	require.NoError(t, err)
	_, err = other.ParseWebhook(context.Background(), e.sim.SubscriptionConfirmation())
	assert.ErrorIs(t, err, mfspay.ErrInvalidSignature)
	assert.Equal(t, 1, e.sim.SNS.Confirmations())
}

// transactionReference is what the customer types in the bKash app: a
// 1-taka app payment with the reference "INV-VICTIM-42" must not name that
// invoice. Only merchantInvoiceNumber, which the merchant set at create,
// becomes Event.Reference.
func TestCustomerTypedReferenceIsNeverTheEventReference(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct {
		fields map[string]string
		want   string
	}{
		{map[string]string{"transactionReference": "INV-VICTIM-42"}, ""},
		{map[string]string{"transactionReference": "INV-VICTIM-42", "merchantInvoiceNumber": "INV-7"}, "INV-7"},
	} {
		fields := map[string]string{"dateTime": "20251102142902", "debitMSISDN": "8801700000001", "trxID": "4J420ANOXC",
			"transactionStatus": "Completed", "transactionType": "10003126", "amount": "1", "currency": "BDT"}
		maps.Copy(fields, tc.fields)
		msg, _ := json.Marshal(fields)
		body, header := e.sim.SNS.Notification(string(msg), e.clock.Now())
		ev, err := e.gw.ParseWebhook(context.Background(), mfspay.WebhookRequest{Header: header, Body: body})
		require.NoError(t, err)
		assert.Equal(t, tc.want, ev.Reference)
		assert.Equal(t, mfspay.Taka(1), ev.Payment.Amount)
	}
}
