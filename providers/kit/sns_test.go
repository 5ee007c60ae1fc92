package kit_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/providers/kit"
	"github.com/mfspay/mfspay/providers/simkit"
)

// stringToSign reads an SNS body and builds its string to sign.
func stringToSign(t *testing.T, body []byte) (string, bool) {
	t.Helper()
	var m kit.SNSMessage
	require.NoError(t, json.Unmarshal(body, &m))
	return m.StringToSign()
}

// TestSNSStringToSignOfTheRealSample builds the string to sign of GO's
// real, SNS-signed sample (testdata/sns_sample_go.json, verbatim from
// github.com/sh0umik/bd-payment-gateway bkash/tests/ipn_signature_validation_test.go):
// a Notification signs Message, MessageId, Timestamp, TopicArn and Type,
// each as "key\nvalue\n"; its empty Subject, and its Token, SubscribeURL
// and UnsubscribeURL, are not signed. The AWS certificate it verifies
// against cannot be fetched here, so signatures are checked end to end
// against simkit.SNSHost's own CA below.
func TestSNSStringToSignOfTheRealSample(t *testing.T) {
	body, err := os.ReadFile("testdata/sns_sample_go.json")
	require.NoError(t, err)
	got, ok := stringToSign(t, body)
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
	got, ok = stringToSign(t, withSubject)
	require.True(t, ok)
	assert.Contains(t, got, "MessageId\nc92ab22a-0aad-5643-a7c5-eb34dbe36d7d\nSubject\nPayment\nTimestamp\n")

	// The confirmations sign another list, Token and SubscribeURL included.
	confirm := bytes.Replace(body, []byte(`"Type": "Notification"`), []byte(`"Type": "SubscriptionConfirmation"`), 1)
	got, ok = stringToSign(t, confirm)
	require.True(t, ok)
	assert.Equal(t, "Message\n"+message+"\nMessageId\nc92ab22a-0aad-5643-a7c5-eb34dbe36d7d\nSubscribeURL\n\n"+
		"Timestamp\n2021-05-19T08:40:46.447Z\nToken\n\nTopicArn\narn:aws:sns:ap-southeast-1:988117108360:MockBkash\n"+
		"Type\nSubscriptionConfirmation\n", got)

	_, ok = stringToSign(t, bytes.Replace(body, []byte(`"Type": "Notification"`), []byte(`"Type": "Other"`), 1))
	assert.False(t, ok)
}

const snsTopic = "arn:aws:sns:ap-southeast-1:354285753755:bpt_kittest"

// snsHost starts an SNS stand-in signing with version.
func snsHost(t *testing.T, version string) *simkit.SNSHost {
	t.Helper()
	h := simkit.NewSNSHost(snsTopic, version)
	t.Cleanup(h.Close)
	return h
}

// verifier accepts h's messages, as an adapter built from h.Settings does.
func verifier(t *testing.T, h *simkit.SNSHost, change func(*kit.SNSConfig)) *kit.SNSVerifier {
	t.Helper()
	cfg, err := kit.SNSConfigFromSettings("snspay", h.Settings())
	require.NoError(t, err)
	if change != nil {
		change(&cfg)
	}
	return kit.NewSNSVerifier("snspay", cfg)
}

func notification(h *simkit.SNSHost) mfspay.WebhookRequest {
	body, header := h.Notification(`{"amount":"250.50","trxID":"TRX1"}`, time.Now())
	return mfspay.WebhookRequest{Header: header, Body: body}
}

func TestSNSHostSignedNotificationVerifies(t *testing.T) {
	for _, version := range []string{"1", "2"} {
		t.Run("SignatureVersion "+version, func(t *testing.T) {
			h := snsHost(t, version)
			note := notification(h)
			m, err := verifier(t, h, nil).Notification(context.Background(), note)
			require.NoError(t, err)
			assert.Equal(t, "Notification", m.Type)
			assert.Equal(t, version, m.SignatureVersion)
			assert.Equal(t, `{"amount":"250.50","trxID":"TRX1"}`, m.Message)
			assert.Equal(t, note.Header.Get("X-Amz-Sns-Message-Id"), m.MessageId)
			assert.Equal(t, snsTopic, m.TopicArn)
		})
	}
}

// resign changes a field of a message's envelope, keeping everything else
// (the signature included) as it was.
func resign(t *testing.T, note mfspay.WebhookRequest, change func(m map[string]any)) mfspay.WebhookRequest {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(note.Body, &m))
	change(m)
	body, err := json.Marshal(m)
	require.NoError(t, err)
	return mfspay.WebhookRequest{Header: note.Header.Clone(), Body: body}
}

func TestSNSForgeriesAreInvalidSignature(t *testing.T) {
	h := snsHost(t, "1")
	note := notification(h)
	other := snsHost(t, "1") // another CA and key, serving a real certificate
	var otherEnvelope struct{ SigningCertURL string }
	require.NoError(t, json.Unmarshal(notification(other).Body, &otherEnvelope))
	v := verifier(t, h, nil)

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
		"cert URL with a query": resign(t, note, func(m map[string]any) { m["SigningCertURL"] = m["SigningCertURL"].(string) + "?x=1" }),
		"another host's certificate URL": resign(t, note, func(m map[string]any) {
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
		"message id header disagrees": func() mfspay.WebhookRequest {
			n := resign(t, note, func(map[string]any) {})
			n.Header.Set("X-Amz-Sns-Message-Id", "another")
			return n
		}(),
		"not SNS at all": {Header: http.Header{"Content-Type": {"application/json"}}, Body: []byte(`{"success":true}`)},
		"empty":          {},
	} {
		m, err := v.Notification(context.Background(), forged)
		assert.ErrorIs(t, err, mfspay.ErrInvalidSignature, name)
		var e *mfspay.Error
		if assert.ErrorAs(t, err, &e, name) {
			assert.Equal(t, "snspay", e.Provider, name)
		}
		assert.Nil(t, m, name)
	}

	// With no topics configured, nothing is accepted.
	_, err := verifier(t, h, func(c *kit.SNSConfig) { c.TopicARNs = nil }).Notification(context.Background(), note)
	assert.ErrorIs(t, err, mfspay.ErrInvalidSignature)
}

func TestSNSCertificateIsFetchedOnceAndCachedByURL(t *testing.T) {
	h := snsHost(t, "2")
	note := notification(h)
	var fetched atomic.Int32
	v := verifier(t, h, func(c *kit.SNSConfig) {
		c.CertClient = &http.Client{Transport: countingTransport{base: c.CertClient.Transport, n: &fetched}}
	})
	var wg sync.WaitGroup
	for range 5 {
		wg.Go(func() {
			_, err := v.Notification(context.Background(), note)
			assert.NoError(t, err)
		})
	}
	wg.Wait()
	_, err := v.Notification(context.Background(), notification(h))
	require.NoError(t, err)
	assert.EqualValues(t, 1, fetched.Load())

	// A verifier that does not trust the host's CA cannot fetch the
	// certificate: ErrUnavailable, so that SNS delivers again, never an event.
	plain := kit.NewSNSVerifier("snspay", kit.SNSConfig{TopicARNs: []string{snsTopic}, CertHost: regexp.MustCompile(".*")})
	_, err = plain.Notification(context.Background(), note)
	assert.ErrorIs(t, err, mfspay.ErrUnavailable)
}

func TestSNSCertificateMustBeValidAtTheClock(t *testing.T) {
	h := snsHost(t, "1")
	for _, at := range []time.Time{time.Date(1999, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2101, 1, 1, 0, 0, 0, 0, time.UTC)} {
		v := verifier(t, h, func(c *kit.SNSConfig) { c.Clock = func() time.Time { return at } })
		_, err := v.Notification(context.Background(), notification(h))
		assert.ErrorIs(t, err, mfspay.ErrInvalidSignature, "certificate outside its validity at %v", at)
	}
}

func TestSNSSubscriptionConfirmationIsConfirmedForAnAllowedTopicOnly(t *testing.T) {
	h := snsHost(t, "1")
	body, header := h.SubscriptionConfirmation(time.Now())
	msg := mfspay.WebhookRequest{Header: header, Body: body}
	m, err := verifier(t, h, nil).Notification(context.Background(), msg)
	assert.Nil(t, m)
	var me *mfspay.Error
	require.ErrorAs(t, err, &me)
	assert.ErrorIs(t, err, mfspay.ErrNoEvent)
	assert.Equal(t, kit.CodeSNSSubscriptionConfirmed, me.Code)
	assert.Equal(t, 1, h.Confirmations())

	// Another topic's gateway refuses a genuinely signed confirmation
	// without visiting it.
	_, err = verifier(t, h, func(c *kit.SNSConfig) { c.TopicARNs = []string{snsTopic + "_other"} }).
		Notification(context.Background(), msg)
	assert.ErrorIs(t, err, mfspay.ErrInvalidSignature)
	assert.Equal(t, 1, h.Confirmations())

	// A SubscribeURL off the SNS host is never visited, even signed.
	forged := resign(t, msg, func(m map[string]any) { m["SubscribeURL"] = "https://attacker.example/" })
	_, err = verifier(t, h, nil).Notification(context.Background(), forged)
	assert.ErrorIs(t, err, mfspay.ErrInvalidSignature)
	assert.Equal(t, 1, h.Confirmations())
}

func TestSNSConfigFromSettingsNamesTheBadSetting(t *testing.T) {
	for setting, value := range map[string]string{kit.SettingSNSCertHost: "(", kit.SettingSNSCertRoots: "not PEM"} {
		_, err := kit.SNSConfigFromSettings("snspay", map[string]string{setting: value})
		var e *mfspay.Error
		require.ErrorAs(t, err, &e, setting)
		assert.ErrorIs(t, err, mfspay.ErrInvalidRequest)
		assert.Equal(t, setting, e.Field)
	}
	cfg, err := kit.SNSConfigFromSettings("snspay", map[string]string{kit.SettingSNSTopicARNs: " a , b "})
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "b"}, cfg.TopicARNs)
	assert.Nil(t, cfg.CertHost, "DefaultSNSCertHost applies")
	assert.Nil(t, cfg.CertClient, "the system roots apply")
}

func TestDefaultSNSCertHostIsAWS(t *testing.T) {
	re := regexp.MustCompile(kit.DefaultSNSCertHost)
	for host, want := range map[string]bool{
		"sns.ap-southeast-1.amazonaws.com": true, "sns.cn-north-1.amazonaws.com.cn": true,
		"sns.amazonaws.com.attacker.example": false, "evil.example": false,
	} {
		assert.Equal(t, want, re.MatchString(host), host)
	}
}

type countingTransport struct {
	base http.RoundTripper
	n    *atomic.Int32
}

func (c countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return c.base.RoundTrip(r)
}
