package conformance

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
)

// snsNotification is the shape of an AWS SNS notification as bKash sends
// it: the signature and the signed fields are in the JSON body.
const snsNotification = `{"Type":"Notification","MessageId":"8f2c3b0e-1d2a-4c5b-9e8f-0a1b2c3d4e5f",` +
	`"TopicArn":"arn:aws:sns:ap-southeast-1:354285753755:bpt_01770618575",` +
	`"Message":"{\"paymentID\":\"TR0011\",\"amount\":\"500\",\"transactionStatus\":\"Completed\"}",` +
	`"Timestamp":"2024-05-01T10:00:00.000Z","SignatureVersion":"1","Signature":"aGVsbG8gd29ybGQ9PQ==",` +
	`"SigningCertURL":"https://sns.ap-southeast-1.amazonaws.com/SimpleNotificationService-0a1b.pem",` +
	`"UnsubscribeURL":"https://sns.ap-southeast-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=arn:9"}`

func snsFields(t *testing.T, body []byte) map[string]string {
	t.Helper()
	var m map[string]string
	require.NoError(t, json.Unmarshal(body, &m), "%s", body)
	return m
}

// TestSNSForgeriesAlterOnlyWhatTheyMean: the SNS forgeries change the
// Signature field, drop it, or change the signed Message, and leave every
// other field as it was.
func TestSNSForgeriesAlterOnlyWhatTheyMean(t *testing.T) {
	loc := authLocator{scheme: mfspay.WebhookSNS}
	n := mfspay.WebhookRequest{Header: http.Header{"X-Amz-Sns-Message-Type": {"Notification"}}, Body: []byte(snsNotification)}
	genuine := snsFields(t, n.Body)
	spots := loc.spots(n)
	require.Equal(t, []authSpot{{field: snsSignature}}, spots)

	wrong := snsFields(t, loc.withWrongAuth(n, spots).Body)
	assert.NotEqual(t, genuine[snsSignature], wrong[snsSignature])
	assert.Len(t, wrong[snsSignature], len(genuine[snsSignature]), "still well-formed base64")
	delete(wrong, snsSignature)

	missing := snsFields(t, loc.withoutAuth(n, spots).Body)
	assert.NotContains(t, missing, snsSignature)

	tampered := snsFields(t, loc.withTamperedBody(n).Body)
	assert.NotEqual(t, genuine[snsMessage], tampered[snsMessage])
	assert.JSONEq(t, `{"paymentID":"TR0011","amount":"501","transactionStatus":"Completed"}`, tampered[snsMessage])

	rest := func(m map[string]string, without ...string) map[string]string {
		out := map[string]string{}
		for k, v := range m {
			out[k] = v
		}
		for _, k := range without {
			delete(out, k)
		}
		return out
	}
	assert.Equal(t, rest(genuine, snsSignature), wrong)
	assert.Equal(t, rest(genuine, snsSignature), missing)
	assert.Equal(t, rest(genuine, snsMessage), rest(tampered, snsMessage))
	assert.Equal(t, snsNotification, string(n.Body), "the genuine notification is left alone")
}
