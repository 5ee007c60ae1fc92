package uddoktapay_test

import (
	"bytes"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/conformance/simctl"
	"github.com/mfspay/mfspay/providers/uddoktapay"
)

// encodings returns key in every form provider text may carry it in.
func encodings(key string) map[string]string {
	var jsonU, pct, htmlDec, htmlHex strings.Builder
	for _, c := range []byte(key) {
		fmt.Fprintf(&jsonU, `\u%04x`, c)
		fmt.Fprintf(&pct, "%%%02X", c)
		fmt.Fprintf(&htmlDec, "&#%d;", c)
		fmt.Fprintf(&htmlHex, "&#x%x;", c)
	}
	return map[string]string{
		"plain": key, "JSON \\u": jsonU.String(), "URL-encoded": pct.String(),
		"URL-encoded twice": strings.ReplaceAll(pct.String(), "%", "%25"),
		"HTML decimal":      htmlDec.String(), "HTML hex": htmlHex.String(),
	}
}

// TestTheKeyNeverLeaks: the API key is also the IPN secret, so it must
// never reach an error or a log line, whatever the panel echoes and in
// whatever encoding, on every path that can fail.
func TestTheKeyNeverLeaks(t *testing.T) {
	var logs bytes.Buffer
	r := fastResilience()
	r.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	r.Breaker.Disabled = true
	s := newStack(t)
	settings, err := s.sim.Settings(bg)
	require.NoError(t, err)
	gw, err := uddoktapay.FromSettings(settings.Values, r)
	require.NoError(t, err)
	_, co := s.create(t)
	id := s.invoiceID(t, co)

	var errs []error
	calls := map[string]func() error{
		"create": func() error { _, err := gw.CreatePayment(bg, request()); return err },
		"verify": func() error { _, err := gw.VerifyPayment(bg, mfspay.PaymentRef{PaymentID: id}); return err },
		"ipn": func() error {
			_, err := gw.ParseWebhook(bg, ipn(s.key, fmt.Sprintf(`{"invoice_id":%q,"status":"COMPLETED"}`, id)))
			return err
		},
		"return": func() error {
			_, err := gw.CompleteReturn(bg, mfspay.ReturnRequest{Method: http.MethodGet, Query: url.Values{"invoice_id": {id}}})
			return err
		},
	}
	for form, echoed := range encodings(s.key) {
		jsonText := strings.ReplaceAll(echoed, `\`, `\\`)
		if form == "JSON \\u" {
			jsonText = echoed // already a JSON escape
		}
		for _, f := range []simctl.Fault{
			{Status: 200, Body: `{"status":false,"message":"Invalid API Key ` + jsonText + `"}`},
			{Status: 200, Body: `{"status":"ERROR","message":"key ` + jsonText + ` is not allowed"}`},
			{Status: 401, Body: `{"status":false,"message":"` + jsonText + `"}`},
			{Status: 422, Body: `{"status":false,"message":{"api_key":["` + jsonText + `"]}}`},
			{Status: 500, Body: `{"status":false,"message":"` + jsonText + `"}`},
			{Status: 502, ContentType: "text/html", Body: "<html><body>upstream: " + echoed + strings.Repeat(" pad", 200) + "</body></html>"},
		} {
			f.Count = 100
			for name, call := range calls {
				require.NoError(t, s.sim.Fail(bg, f))
				err := call()
				require.Error(t, err, "%s against %d (%s)", name, f.Status, form)
				errs = append(errs, err)
				require.NoError(t, s.sim.ClearFaults(bg))
			}
		}
	}
	_, err = gw.ParseWebhook(bg, mfspay.WebhookRequest{Header: http.Header{"X-Echo": {s.key}}, Body: []byte(s.key)})
	errs = append(errs, err)

	for _, err := range errs {
		var e *mfspay.Error
		require.ErrorAs(t, err, &e)
		for _, text := range []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err), e.Message, e.Code} {
			for form, leak := range encodings(s.key) {
				assert.NotContains(t, text, leak, "the key, %s, in an error", form)
			}
		}
	}
	for form, leak := range encodings(s.key) {
		assert.NotContains(t, logs.String(), leak, "the key, %s, in the log", form)
	}
	assert.Contains(t, errs[0].Error(), "[REDACTED]", "the echo was scrubbed, not lost")
}
