package simkit

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay/providers/kit"
)

// TestSNSHostConfirmsOnlyTheSubscriptionsItHandedOut: the SubscribeURL of
// a confirmation it made confirms once per visit; a made-up token or
// another topic is SNS's 400. (Signatures are checked by kit's SNSVerifier
// tests, against this host.)
func TestSNSHostConfirmsOnlyTheSubscriptionsItHandedOut(t *testing.T) {
	h := NewSNSHost("arn:aws:sns:ap-southeast-1:1:topic", "2")
	defer h.Close()
	body, header := h.SubscriptionConfirmation(time.Date(2025, 11, 2, 8, 0, 0, 0, time.UTC))
	assert.Equal(t, "SubscriptionConfirmation", header.Get("X-Amz-Sns-Message-Type"))
	var m kit.SNSMessage
	require.NoError(t, json.Unmarshal(body, &m))
	assert.Equal(t, "2025-11-02T08:00:00.000Z", m.Timestamp)
	assert.Equal(t, "2", m.SignatureVersion)

	cfg, err := kit.SNSConfigFromSettings("snspay", h.Settings())
	require.NoError(t, err)
	assert.Equal(t, []string{h.TopicARN}, cfg.TopicARNs)
	get := func(raw string) int {
		resp, err := cfg.CertClient.Get(raw)
		require.NoError(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}
	assert.Equal(t, http.StatusOK, get(m.SigningCertURL))
	assert.Equal(t, http.StatusOK, get(m.SubscribeURL))
	assert.Equal(t, 1, h.Confirmations())

	u, err := url.Parse(m.SubscribeURL)
	require.NoError(t, err)
	for _, change := range []func(q url.Values){
		func(q url.Values) { q.Set("Token", "made-up") },
		func(q url.Values) { q.Set("TopicArn", "arn:aws:sns:ap-southeast-1:1:other") },
		func(q url.Values) { q.Set("Action", "Unsubscribe") },
	} {
		q := u.Query()
		change(q)
		forged := *u
		forged.RawQuery = q.Encode()
		assert.Equal(t, http.StatusBadRequest, get(forged.String()))
	}
	assert.Equal(t, 1, h.Confirmations())
}
