package eazzpay_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/providers/eazzpay"
)

const (
	oldSecret = "esk_live_old_5b8e21"
	webhookID = "67adb1d9a7436e9d01c5f00d"
)

// webhookGateway accepts testSecret and, for rotation, oldSecret.
func webhookGateway(t *testing.T) mfspay.Gateway {
	t.Helper()
	g, err := eazzpay.New(eazzpay.Config{ClientSecret: testSecret, AcceptedSecrets: []string{oldSecret}})
	require.NoError(t, err)
	return g
}

func notification(secret, body string, query url.Values) mfspay.WebhookRequest {
	h := http.Header{"Content-Type": {"application/json"}}
	if secret != "" {
		h.Set("eazzpay-client-secret", secret)
	}
	return mfspay.WebhookRequest{Header: h, Query: query, Body: []byte(body)}
}

func invoiceQuery(id string) url.Values { return url.Values{"invoice_id": {id}} }

// ipnBody is a documented mobile-banking IPN with status and wallet.
func ipnBody(status, wallet string) string {
	return `{"payment_id":"` + webhookID + `","reference":"EZP123456","amount":250.50,"transaction_fee":3.76,` +
		`"total":254.26,"metadata":"{\"invoice_id\":\"INV-1\"}","payment_method":"MOBILE_BANKING",` +
		`"mfs_payment_method":"` + wallet + `","mfs_payment_account_type":"PERSONAL","status":"` + status + `"}`
}

const bankIPN = `{"payment_id":"` + webhookID + `","reference":"EZP123456","amount":1000,"transaction_fee":0,` +
	`"total":1000,"metadata":"{\"invoice_id\":\"INV-1\"}","payment_method":"BANK","account_name":"Rahim Khan",` +
	`"account_number":"1234567890","branch_name":"Gulshan","bank_name":"City Bank","status":"COMPLETED"}`

// documentedListener is the webhook-listener example from EazzPay's page, verbatim.
const documentedListener = `{"amount": "100.00", "payment_method": "BKASH", "sender_number": "01311111111", "transaction_id": "TRX12345", "reference": "ORDER123", "date_time": "2023-11-27 12:34:56"}`

func TestParseWebhookAuthentication(t *testing.T) {
	g := webhookGateway(t)
	for _, tc := range []struct {
		name   string
		header http.Header
		ok     bool
	}{
		{"current secret", http.Header{"Eazzpay-Client-Secret": {testSecret}}, true},
		{"rotated secret", http.Header{"Eazzpay-Client-Secret": {oldSecret}}, true},
		{"lower-case header key", http.Header{"eazzpay-client-secret": {testSecret}}, true},
		{"two spellings of the key", http.Header{"eazzpay-client-secret": {testSecret}, "Eazzpay-Client-Secret": {testSecret}}, false},
		{"wrong secret", http.Header{"Eazzpay-Client-Secret": {"esk_live_wrong"}}, false},
		{"secret prefix", http.Header{"Eazzpay-Client-Secret": {testSecret[:len(testSecret)-1]}}, false},
		{"secret with suffix", http.Header{"Eazzpay-Client-Secret": {testSecret + "x"}}, false},
		{"empty header", http.Header{"Eazzpay-Client-Secret": {""}}, false},
		{"missing header", http.Header{}, false},
		{"nil header", nil, false},
		{"repeated header", http.Header{"Eazzpay-Client-Secret": {"esk_live_wrong", testSecret}}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, body := range []string{ipnBody("COMPLETED", "BKASH"), documentedListener} {
				ev, err := g.ParseWebhook(bg, mfspay.WebhookRequest{Header: tc.header, Body: []byte(body)})
				if tc.ok {
					require.NoError(t, err)
					require.NotNil(t, ev)
					continue
				}
				require.ErrorIs(t, err, mfspay.ErrInvalidSignature)
				assert.Nil(t, ev)
			}
		})
	}
}

func TestParseWebhookAuthenticatesBeforeParsing(t *testing.T) {
	g := webhookGateway(t)
	_, err := g.ParseWebhook(bg, notification("esk_live_wrong", "not json", nil))
	require.ErrorIs(t, err, mfspay.ErrInvalidSignature, "a forged body is never parsed")
	_, err = g.ParseWebhook(bg, notification(testSecret, "not json", nil))
	require.ErrorIs(t, err, mfspay.ErrInvalidRequest)
}

func TestParseWebhookIPNStatuses(t *testing.T) {
	g := webhookGateway(t)
	for _, tc := range []struct {
		status string
		want   mfspay.Status
		event  mfspay.EventType
	}{
		{"COMPLETED", mfspay.StatusPaid, mfspay.EventPaymentCompleted},
		{"PENDING", mfspay.StatusPending, mfspay.EventPaymentPending},
		{"FAILED", mfspay.StatusFailed, mfspay.EventPaymentFailed},
		{"CANCELED", mfspay.StatusCancelled, mfspay.EventPaymentCancelled},
	} {
		t.Run(tc.status, func(t *testing.T) {
			ev, err := g.ParseWebhook(bg, notification(testSecret, ipnBody(tc.status, "BKASH"), invoiceQuery("INV-1")))
			require.NoError(t, err)
			assert.Equal(t, &mfspay.Event{
				ID:       "eazzpay:ipn:" + webhookID + ":" + tc.status,
				Provider: "eazzpay",
				Type:     tc.event,
				Payment: mfspay.Payment{
					Provider:  "eazzpay",
					PaymentID: webhookID,
					InvoiceID: "INV-1",
					Status:    tc.want,
					Amount:    mfspay.Poisha(25050),
					Method:    mfspay.MethodBKash,
				},
			}, ev)
		})
	}
}

func TestParseWebhookIPNUnknownStatusIsNeverPaid(t *testing.T) {
	g := webhookGateway(t)
	for _, status := range []string{"CANCELLED", "completed", "Completed", "PAID", "SUCCESS", "INITIATED", "REFUNDED", ""} {
		t.Run(status, func(t *testing.T) {
			ev, err := g.ParseWebhook(bg, notification(testSecret, ipnBody(status, "BKASH"), nil))
			require.ErrorIs(t, err, mfspay.ErrInvalidRequest)
			assert.Nil(t, ev)
			var e *mfspay.Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, "status", e.Field)
		})
	}
}

func TestParseWebhookIPNWallets(t *testing.T) {
	g := webhookGateway(t)
	for _, tc := range []struct {
		wallet string
		want   mfspay.Method
	}{
		{"BKASH", mfspay.MethodBKash},
		{"ROCKET", mfspay.MethodRocket},
		{"NAGAD", mfspay.MethodNagad},
		{"UPAY", mfspay.MethodUpay},
		{"CELLFIN", mfspay.MethodCellfin},
		{"TAP", mfspay.MethodTap},
		{"OK_WALLET", mfspay.MethodOKWallet},
		{"IPAY", mfspay.MethodIPay},
		// A wallet EazzPay adds later must not lose a payment notification.
		{"NEWPAY", mfspay.MethodUnknown},
	} {
		t.Run(tc.wallet, func(t *testing.T) {
			ev, err := g.ParseWebhook(bg, notification(testSecret, ipnBody("COMPLETED", tc.wallet), nil))
			require.NoError(t, err)
			assert.Equal(t, tc.want, ev.Payment.Method)
			assert.Equal(t, mfspay.StatusPaid, ev.Payment.Status)
		})
	}
}

func TestParseWebhookIPNBank(t *testing.T) {
	g := webhookGateway(t)
	ev, err := g.ParseWebhook(bg, notification(testSecret, bankIPN, invoiceQuery("INV-1")))
	require.NoError(t, err)
	assert.Equal(t, mfspay.MethodBank, ev.Payment.Method)
	assert.Equal(t, mfspay.Taka(1000), ev.Payment.Amount)
	assert.Equal(t, mfspay.EventPaymentCompleted, ev.Type)
	assert.Equal(t, "INV-1", ev.Payment.InvoiceID)
}

func TestParseWebhookIPNAmountsAreExact(t *testing.T) {
	g := webhookGateway(t)
	for _, tc := range []struct {
		literal string
		want    mfspay.Amount
	}{
		{`0.01`, mfspay.Poisha(1)},
		{`0.1`, mfspay.Poisha(10)},
		{`250`, mfspay.Taka(250)},
		{`250.5`, mfspay.Poisha(25050)},
		{`250.50`, mfspay.Poisha(25050)},
		{`19999.99`, mfspay.Poisha(1999999)},
		{`1234567890123.45`, mfspay.Poisha(123456789012345)},
		{`"100.00"`, mfspay.Taka(100)}, // tolerated as a string too, parsed the same way
	} {
		t.Run(tc.literal, func(t *testing.T) {
			body := `{"payment_id":"` + webhookID + `","amount":` + tc.literal + `,"status":"COMPLETED"}`
			ev, err := g.ParseWebhook(bg, notification(testSecret, body, nil))
			require.NoError(t, err)
			assert.Equal(t, tc.want, ev.Payment.Amount)
		})
	}
}

func TestParseWebhookIPNInvoiceID(t *testing.T) {
	g := webhookGateway(t)
	withMetadata := func(md string) string {
		return `{"payment_id":"` + webhookID + `","amount":10,"status":"COMPLETED","metadata":` + md + `}`
	}
	for _, tc := range []struct {
		name  string
		body  string
		query url.Values
		want  string
		field string // an error naming this field is expected
	}{
		{"query and metadata agree", withMetadata(`"{\"invoice_id\":\"INV-1\"}"`), invoiceQuery("INV-1"), "INV-1", ""},
		{"query only", withMetadata(`""`), invoiceQuery("INV-1"), "INV-1", ""},
		{"metadata only", withMetadata(`"{\"invoice_id\":\"INV-1\",\"metadata\":{\"k\":\"v\"}}"`), nil, "INV-1", ""},
		{"neither", withMetadata(`null`), nil, "", ""},
		{"foreign metadata", withMetadata(`"order 7"`), invoiceQuery("INV-1"), "INV-1", ""},
		{"mismatch", withMetadata(`"{\"invoice_id\":\"INV-2\"}"`), invoiceQuery("INV-1"), "", "invoice_id"},
		{"conflicting query values", withMetadata(`""`), url.Values{"invoice_id": {"INV-1", "INV-2"}}, "", "invoice_id"},
		{"repeated equal query values", withMetadata(`""`), url.Values{"invoice_id": {"INV-1", "INV-1"}}, "INV-1", ""},
		{"metadata as object", withMetadata(`{"invoice_id":"INV-1"}`), nil, "", "metadata"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ev, err := g.ParseWebhook(bg, notification(testSecret, tc.body, tc.query))
			if tc.field != "" {
				require.ErrorIs(t, err, mfspay.ErrInvalidRequest)
				var e *mfspay.Error
				require.ErrorAs(t, err, &e)
				assert.Equal(t, tc.field, e.Field)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, ev.Payment.InvoiceID)
		})
	}
}

func TestParseWebhookIPNFieldRules(t *testing.T) {
	g := webhookGateway(t)
	for _, tc := range []struct{ name, body, field string }{
		{"empty payment_id", `{"payment_id":"","amount":10,"status":"COMPLETED"}`, "payment_id"},
		{"numeric payment_id", `{"payment_id":12,"amount":10,"status":"COMPLETED"}`, "payment_id"},
		{"payment_id with slash (the layer's id rules)", `{"payment_id":"a/b","amount":10,"status":"COMPLETED"}`, ""},
		{"missing amount", `{"payment_id":"p1","status":"COMPLETED"}`, "amount"},
		{"paid with zero (the layer's rule)", `{"payment_id":"p1","amount":0,"status":"COMPLETED"}`, ""},
		{"negative amount", `{"payment_id":"p1","amount":-5,"status":"COMPLETED"}`, "amount"},
		{"three decimals", `{"payment_id":"p1","amount":10.001,"status":"COMPLETED"}`, "amount"},
		{"exponent", `{"payment_id":"p1","amount":1e3,"status":"COMPLETED"}`, "amount"},
		{"boolean amount", `{"payment_id":"p1","amount":true,"status":"COMPLETED"}`, "amount"},
		{"missing status", `{"payment_id":"p1","amount":10}`, "status"},
		{"numeric status", `{"payment_id":"p1","amount":10,"status":1}`, "status"},
		{"unknown payment_method", `{"payment_id":"p1","amount":10,"status":"COMPLETED","payment_method":"CARD"}`, "payment_method"},
		{"numeric wallet", `{"payment_id":"p1","amount":10,"status":"COMPLETED","payment_method":"MOBILE_BANKING","mfs_payment_method":3}`, "mfs_payment_method"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ev, err := g.ParseWebhook(bg, notification(testSecret, tc.body, nil))
			require.ErrorIs(t, err, mfspay.ErrInvalidRequest)
			assert.Nil(t, ev)
			var e *mfspay.Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, tc.field, e.Field)
		})
	}
}

func TestParseWebhookIPNEventIDIsStable(t *testing.T) {
	g := webhookGateway(t)
	first, err := g.ParseWebhook(bg, notification(testSecret, ipnBody("COMPLETED", "BKASH"), nil))
	require.NoError(t, err)
	again, err := g.ParseWebhook(bg, notification(oldSecret, ipnBody("COMPLETED", "BKASH"), invoiceQuery("INV-1")))
	require.NoError(t, err)
	assert.Equal(t, first.ID, again.ID, "a re-delivery de-duplicates")
	pending, err := g.ParseWebhook(bg, notification(testSecret, ipnBody("PENDING", "BKASH"), nil))
	require.NoError(t, err)
	assert.NotEqual(t, first.ID, pending.ID, "a new status is a new event")
}

func TestParseWebhookListenerDocumentedExample(t *testing.T) {
	g := webhookGateway(t)
	ev, err := g.ParseWebhook(bg, notification(testSecret, documentedListener, nil))
	require.NoError(t, err)
	assert.Equal(t, &mfspay.Event{
		ID:        "eazzpay:trx:TRX12345",
		Provider:  "eazzpay",
		Type:      mfspay.EventTransactionReceived,
		Reference: "ORDER123",
		Payment: mfspay.Payment{
			Provider: "eazzpay",
			Status:   mfspay.StatusPaid,
			Amount:   mfspay.Taka(100),
			TrxID:    "TRX12345",
			Method:   mfspay.MethodBKash,
			Sender:   "01311111111",
			PaidAt:   time.Date(2023, 11, 27, 6, 34, 56, 0, time.UTC),
		},
	}, ev)
	assert.Equal(t, "2023-11-27T06:34:56Z", ev.Payment.PaidAt.Format(time.RFC3339))
}

func TestParseWebhookListenerFieldRules(t *testing.T) {
	g := webhookGateway(t)
	// listener builds the documented example with one field replaced or,
	// for value "-", removed.
	listener := func(field, value string) string {
		fields := []struct{ k, v string }{
			{"amount", `"100.00"`}, {"payment_method", `"BKASH"`}, {"sender_number", `"01311111111"`},
			{"transaction_id", `"TRX12345"`}, {"reference", `"ORDER123"`}, {"date_time", `"2023-11-27 12:34:56"`},
		}
		var parts []string
		for _, f := range fields {
			v := f.v
			if f.k == field {
				if value == "-" {
					continue
				}
				v = value
			}
			parts = append(parts, `"`+f.k+`":`+v)
		}
		return "{" + strings.Join(parts, ",") + "}"
	}
	for _, tc := range []struct {
		name, field, value string
		reject             bool
	}{
		{"transaction_id 5 chars", "transaction_id", `"TRX12"`, true},
		{"transaction_id 6 chars", "transaction_id", `"TRX123"`, false},
		{"transaction_id 15 chars", "transaction_id", `"TRX123456789012"`, false},
		{"transaction_id 16 chars", "transaction_id", `"TRX1234567890123"`, true},
		{"transaction_id numeric", "transaction_id", `12345678`, true},
		{"reference missing", "reference", "-", false},
		{"reference null", "reference", "null", false},
		{"reference 5 chars", "reference", `"ORD12"`, true},
		{"reference 6 chars", "reference", `"ORD123"`, false},
		{"reference 15 chars", "reference", `"ORD123456789012"`, false},
		{"reference 16 chars", "reference", `"ORD1234567890123"`, true},
		{"amount missing", "amount", "-", true},
		{"amount three decimals", "amount", `"100.001"`, true},
		{"amount not a number", "amount", `"abc"`, true},
		{"amount as number", "amount", `100.5`, false},
		{"payment_method missing", "payment_method", "-", true},
		{"sender_number missing", "sender_number", "-", true},
		{"date_time missing", "date_time", "-", true},
		{"date_time ISO", "date_time", `"2023-11-27T12:34:56Z"`, true},
		{"date_time impossible", "date_time", `"2023-02-30 12:34:56"`, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ev, err := g.ParseWebhook(bg, notification(testSecret, listener(tc.field, tc.value), nil))
			if !tc.reject {
				require.NoError(t, err)
				assert.Equal(t, mfspay.EventTransactionReceived, ev.Type)
				return
			}
			require.ErrorIs(t, err, mfspay.ErrInvalidRequest)
			assert.Nil(t, ev)
			var e *mfspay.Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, tc.field, e.Field)
		})
	}
}

func TestParseWebhookListenerWithoutReference(t *testing.T) {
	g := webhookGateway(t)
	body := `{"amount":"55.5","payment_method":"NAGAD","sender_number":"01711111111","transaction_id":"7XK29ABQ","date_time":"2024-01-01 00:30:00"}`
	ev, err := g.ParseWebhook(bg, notification(testSecret, body, nil))
	require.NoError(t, err)
	assert.Empty(t, ev.Reference)
	assert.Equal(t, mfspay.Poisha(5550), ev.Payment.Amount)
	assert.Equal(t, mfspay.MethodNagad, ev.Payment.Method)
	// Half past midnight in Dhaka is still the previous day in UTC.
	assert.Equal(t, time.Date(2023, 12, 31, 18, 30, 0, 0, time.UTC), ev.Payment.PaidAt)
	assert.Equal(t, "eazzpay:trx:7XK29ABQ", ev.ID)
}

func TestParseWebhookUnrecognisedBodies(t *testing.T) {
	g := webhookGateway(t)
	for _, body := range []string{
		``, `null`, `[]`, `"text"`, `{}`, `{"status":"COMPLETED","amount":10}`,
		`{"payment_id":"p1","amount":10,"status":"COMPLETED"} {}`, `{"payment_id":`,
	} {
		t.Run(body, func(t *testing.T) {
			ev, err := g.ParseWebhook(bg, notification(testSecret, body, nil))
			require.ErrorIs(t, err, mfspay.ErrInvalidRequest)
			assert.Nil(t, ev)
		})
	}
}
