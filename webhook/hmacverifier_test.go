package webhook_test

import (
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/mfspay/mfspay/webhook"
)

// TestHMACSHA256VerifierAgreesWithVerifyHMACSHA256 checks the reusable
// verifier against the one-shot function on matching, wrong, garbled and
// differently cased signatures, with zero, one and several secrets, twice
// each so that reused state is exercised.
func TestHMACSHA256VerifierAgreesWithVerifyHMACSHA256(t *testing.T) {
	body := []byte(`{"event":"payment.completed","token":"pay_1","amount":250.00}`)
	sig := webhook.SignHMACSHA256(body, "whsec_new")
	signatures := map[string]string{
		"right": sig, "upper case": strings.ToUpper(sig), "wrong": webhook.SignHMACSHA256(body, "whsec_other"),
		"flipped": flipLast(sig), "short": sig[:63], "not hex": "zz" + sig[2:], "empty": "", "spaced": " " + sig[1:],
	}
	for _, secrets := range [][]string{nil, {""}, {"whsec_new"}, {"whsec_old", "whsec_new"}, {"whsec_old", ""}} {
		v := webhook.NewHMACSHA256Verifier(secrets)
		for name, s := range signatures {
			want := webhook.VerifyHMACSHA256(body, s, secrets)
			for range 2 {
				assert.Equal(t, want, v.Verify(body, s), "%s signature, secrets %q", name, secrets)
			}
		}
		assert.False(t, v.Verify(append(body, ' '), sig), "another body, secrets %q", secrets)
	}
}

func TestHMACSHA256VerifierConcurrent(t *testing.T) {
	v := webhook.NewHMACSHA256Verifier([]string{"whsec_old", "whsec_new"})
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 200 {
				body := []byte(strings.Repeat("x", i*j%97))
				assert.True(t, v.Verify(body, webhook.SignHMACSHA256(body, "whsec_new")))
				assert.False(t, v.Verify(body, webhook.SignHMACSHA256(body, "whsec_gone")))
			}
		}()
	}
	wg.Wait()
}
