package kit_test

import (
	"strings"
	"sync"
	"testing"

	"github.com/mfspay/mfspay/providers/kit"
	"github.com/stretchr/testify/assert"
)

// TestHMACSHA256VerifierAgreesWithVerifyHMACSHA256 checks the reusable
// verifier against the one-shot function on matching, wrong, garbled and
// differently cased signatures, with zero, one and several secrets, twice
// each so that reused state is exercised.
func TestHMACSHA256VerifierAgreesWithVerifyHMACSHA256(t *testing.T) {
	body := []byte(`{"event":"payment.completed","token":"pay_1","amount":250.00}`)
	sig := kit.SignHMACSHA256(body, "whsec_new")
	signatures := map[string]string{
		"right": sig, "upper case": strings.ToUpper(sig), "wrong": kit.SignHMACSHA256(body, "whsec_other"),
		"flipped": flipLast(sig), "short": sig[:63], "not hex": "zz" + sig[2:], "empty": "", "spaced": " " + sig[1:],
	}
	for _, secrets := range [][]string{nil, {""}, {"whsec_new"}, {"whsec_old", "whsec_new"}, {"whsec_old", ""}} {
		v := kit.NewHMACSHA256Verifier(secrets)
		for name, s := range signatures {
			want := kit.VerifyHMACSHA256(body, s, secrets)
			for range 2 {
				assert.Equal(t, want, v.Verify(body, s), "%s signature, secrets %q", name, secrets)
			}
		}
		assert.False(t, v.Verify(append(body, ' '), sig), "another body, secrets %q", secrets)
	}
}

func TestHMACSHA256VerifierConcurrent(t *testing.T) {
	v := kit.NewHMACSHA256Verifier([]string{"whsec_old", "whsec_new"})
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 200 {
				body := []byte(strings.Repeat("x", i*j%97))
				assert.True(t, v.Verify(body, kit.SignHMACSHA256(body, "whsec_new")))
				assert.False(t, v.Verify(body, kit.SignHMACSHA256(body, "whsec_gone")))
			}
		}()
	}
	wg.Wait()
}
