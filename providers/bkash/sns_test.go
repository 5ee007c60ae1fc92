package bkash_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/providers/bkash"
	"github.com/mfspay/mfspay/providers/bkash/bkashtest"
)

// TestStringToSignOfTheRealSample builds the string to sign of GO's real,
// SNS-signed sample (testdata/sns_sample_go.json, verbatim from
// github.com/sh0umik/bd-payment-gateway bkash/tests/ipn_signature_validation_test.go):
// a Notification signs Message, MessageId, Timestamp, TopicArn and Type,
// each as "key\nvalue\n"; its empty Subject, and its Token, SubscribeURL
// and UnsubscribeURL, are not signed. The AWS certificate it verifies
// against cannot be fetched here, so signatures are checked end to end
// against the simulator's own CA below.
func TestStringToSignOfTheRealSample(t *testing.T) {
	body, err := os.ReadFile("testdata/sns_sample_go.json")
	require.NoError(t, err)
	got, ok := bkash.StringToSign(body)
	require.True(t, ok)
	message := "{\n" +
		`       "dateTime":"20180419122246",` + "\n" +
		`       "debitMSISDN":"8801700000001",` + "\n" +
		`       "creditOrganizationName":"Org 01",` + "\n" +
		`       "creditShortCode":"ORG001",` + "\n" +
		`       "trxID":"4J420ANOXC",` + "\n" +
		`       "transactionStatus":"Completed",` + "\n" +
		`       "transactionType":"1003",` + "\n" +
		`       "amount":"100",` + "\n" +
		`       "currency":"BDT",` + "\n" +
		`       "transactionReference":"User inputed reference value." ` + "\n" +
		"}"
	want := "Message\n" + message + "\n" +
		"MessageId\nc92ab22a-0aad-5643-a7c5-eb34dbe36d7d\n" +
		"Timestamp\n2021-05-19T08:40:46.447Z\n" +
		"TopicArn\narn:aws:sns:ap-southeast-1:988117108360:MockBkash\n" +
		"Type\nNotification\n"
	assert.Equal(t, want, got)

	// A Subject, when there is one, is signed between MessageId and Timestamp.
	withSubject := bytes.Replace(body, []byte(`"Subject": ""`), []byte(`"Subject": "Payment"`), 1)
	got, ok = bkash.StringToSign(withSubject)
	require.True(t, ok)
	assert.Contains(t, got, "MessageId\nc92ab22a-0aad-5643-a7c5-eb34dbe36d7d\nSubject\nPayment\nTimestamp\n")

	// The confirmations sign another list, Token and SubscribeURL included.
	confirm := bytes.Replace(body, []byte(`"Type": "Notification"`), []byte(`"Type": "SubscriptionConfirmation"`), 1)
	got, ok = bkash.StringToSign(confirm)
	require.True(t, ok)
	assert.Equal(t, "Message\n"+message+"\nMessageId\nc92ab22a-0aad-5643-a7c5-eb34dbe36d7d\nSubscribeURL\n\n"+
		"Timestamp\n2021-05-19T08:40:46.447Z\nToken\n\nTopicArn\narn:aws:sns:ap-southeast-1:988117108360:MockBkash\n"+
		"Type\nSubscriptionConfirmation\n", got)

	_, ok = bkash.StringToSign(bytes.Replace(body, []byte(`"Type": "Notification"`), []byte(`"Type": "Other"`), 1))
	assert.False(t, ok)
}

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

// resign changes a field of a notification's envelope, keeping everything
// else (the signature included) as it was.
func resign(t *testing.T, note mfspay.WebhookRequest, change func(m map[string]any)) mfspay.WebhookRequest {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(note.Body, &m))
	change(m)
	body, err := json.Marshal(m)
	require.NoError(t, err)
	return mfspay.WebhookRequest{Header: note.Header.Clone(), Body: body}
}

func TestNotificationForgeriesAreInvalidSignature(t *testing.T) {
	e := newEnv(t)
	_, note := paidNotification(t, e)
	other := bkashtest.NewServer() // another CA and key, serving a real certificate
	t.Cleanup(other.Close)
	otherNote := other.SubscriptionConfirmation()
	var otherEnvelope struct{ SigningCertURL string }
	require.NoError(t, json.Unmarshal(otherNote.Body, &otherEnvelope))

	for name, forged := range map[string]mfspay.WebhookRequest{
		"one byte of Message changed": resign(t, note, func(m map[string]any) {
			m["Message"] = strings.Replace(m["Message"].(string), `"amount":"250.50"`, `"amount":"950.50"`, 1)
		}),
		"cert URL on another host": resign(t, note, func(m map[string]any) {
			m["SigningCertURL"] = strings.Replace(m["SigningCertURL"].(string), "127.0.0.1", "localhost", 1)
		}),
		"cert URL on a host that only begins like the allowed one": resign(t, note, func(m map[string]any) {
			u := m["SigningCertURL"].(string)
			m["SigningCertURL"] = strings.Replace(u, "/SimpleNotificationService", "0/SimpleNotificationService", 1)
		}),
		"cert URL with the allowed host as user info": resign(t, note, func(m map[string]any) {
			u := m["SigningCertURL"].(string)
			m["SigningCertURL"] = strings.Replace(u, "/SimpleNotificationService", "@localhost/SimpleNotificationService", 1)
		}),
		"cert URL over http": resign(t, note, func(m map[string]any) {
			m["SigningCertURL"] = strings.Replace(m["SigningCertURL"].(string), "https:", "http:", 1)
		}),
		"cert URL not a .pem": resign(t, note, func(m map[string]any) {
			m["SigningCertURL"] = strings.TrimSuffix(m["SigningCertURL"].(string), ".pem") + ".pem.txt"
		}),
		"another simulator's certificate URL": resign(t, note, func(m map[string]any) {
			m["SigningCertURL"] = otherEnvelope.SigningCertURL
		}),
		"unknown topic": resign(t, note, func(m map[string]any) {
			m["TopicArn"] = "arn:aws:sns:ap-southeast-1:354285753755:bpt_someone_else"
		}),
		"SignatureVersion 3":                     resign(t, note, func(m map[string]any) { m["SignatureVersion"] = "3" }),
		"SignatureVersion 2 over a v1 signature": resign(t, note, func(m map[string]any) { m["SignatureVersion"] = "2" }),
		"no signature":                           resign(t, note, func(m map[string]any) { delete(m, "Signature") }),
		"garbled signature":                      resign(t, note, func(m map[string]any) { m["Signature"] = "!!not base64!!" }),
		"Subject added":                          resign(t, note, func(m map[string]any) { m["Subject"] = "hello" }),
		"type header missing": func() mfspay.WebhookRequest {
			n := resign(t, note, func(map[string]any) {})
			n.Header.Del("X-Amz-Sns-Message-Type")
			return n
		}(),
		"type header disagrees": func() mfspay.WebhookRequest {
			n := resign(t, note, func(map[string]any) {})
			n.Header.Set("X-Amz-Sns-Message-Type", "SubscriptionConfirmation")
			return n
		}(),
		"not SNS at all": {Header: http.Header{"Content-Type": {"application/json"}}, Body: []byte(`{"success":true}`)},
		"empty":          {},
	} {
		ev, err := e.gw.ParseWebhook(context.Background(), forged)
		assert.ErrorIs(t, err, mfspay.ErrInvalidSignature, name)
		assert.Nil(t, ev, name)
	}
}

func TestCertificateFetchedOnceAndCachedByURL(t *testing.T) {
	e := newEnv(t)
	_, note := paidNotification(t, e)
	var fetched int
	client := &http.Client{Transport: countingTransport{base: certClient(t, e), n: &fetched}}
	d, err := bkash.NewDriver(bkash.Config{BaseURL: e.settings["base_url"], Username: e.settings["username"],
		Password: e.settings["password"], AppKey: e.settings["app_key"], AppSecret: e.settings["app_secret"],
		TopicARNs: []string{e.sim.TopicARN()}, CertHost: regexp.MustCompile("^" + regexp.QuoteMeta(strings.TrimPrefix(e.sim.SNSURL(), "https://")) + "$"),
		CertClient: client, Clock: e.clock.Now})
	require.NoError(t, err)
	gw := mfspay.NewGateway(d, mfspay.Resilience{})
	for range 3 {
		_, err := gw.ParseWebhook(context.Background(), note)
		require.NoError(t, err)
	}
	assert.Equal(t, 1, fetched)

	// A driver that does not trust the simulator's CA refuses: the system
	// roots do not know it.
	plain, err := bkash.NewDriver(bkash.Config{Username: "u", Password: "p", AppKey: "k", AppSecret: "s",
		TopicARNs: []string{e.sim.TopicARN()}, CertHost: regexp.MustCompile(".*")})
	require.NoError(t, err)
	_, err = mfspay.NewGateway(plain, mfspay.Resilience{}).ParseWebhook(context.Background(), note)
	assert.Error(t, err)
	assert.False(t, errors.Is(err, mfspay.ErrInvalidRequest), "not an event: %v", err)
}

func TestSubscriptionConfirmationIsConfirmedForAnAllowedTopicOnly(t *testing.T) {
	e := newEnv(t)
	msg := e.sim.SubscriptionConfirmation()
	ev, err := e.gw.ParseWebhook(context.Background(), msg)
	assert.Nil(t, ev)
	var me *mfspay.Error
	require.ErrorAs(t, err, &me)
	assert.ErrorIs(t, err, mfspay.ErrNoEvent)
	assert.Equal(t, bkash.CodeSubscriptionConfirmed, me.Code)
	assert.Equal(t, 1, e.sim.Confirmations())

	// Another topic's confirmation, genuinely signed, is refused unvisited.
	settings := map[string]string{}
	for k, v := range e.settings {
		settings[k] = v
	}
	settings[bkash.SettingTopicARNs] = "arn:aws:sns:ap-southeast-1:354285753755:bpt_other"
	other, err := bkash.FromSettings(settings, mfspay.Resilience{})
	require.NoError(t, err)
	_, err = other.ParseWebhook(context.Background(), e.sim.SubscriptionConfirmation())
	assert.ErrorIs(t, err, mfspay.ErrInvalidSignature)
	assert.Equal(t, 1, e.sim.Confirmations())

	// A SubscribeURL off the SNS host is never visited, even signed.
	forged := resign(t, msg, func(m map[string]any) { m["SubscribeURL"] = "https://attacker.example/" })
	_, err = e.gw.ParseWebhook(context.Background(), forged)
	assert.ErrorIs(t, err, mfspay.ErrInvalidSignature)
	assert.Equal(t, 1, e.sim.Confirmations())
}

type countingTransport struct {
	base http.RoundTripper
	n    *int
}

func (c countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	*c.n++
	return c.base.RoundTrip(r)
}

// certClient is the transport FromSettings builds from the simulator's CA.
func certClient(t *testing.T, e *env) http.RoundTripper {
	t.Helper()
	d, err := bkash.DriverFromSettings(e.settings, mfspay.Resilience{})
	require.NoError(t, err)
	return bkash.CertTransport(d)
}
