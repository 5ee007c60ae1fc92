package kit_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/mfspay/mfspay/internal/secretforms"
	"github.com/mfspay/mfspay/providers/kit"
)

// TestRedactEveryEncodedForm: a secret is scrubbed in whichever form the
// provider's text carries it, with the text around it kept.
func TestRedactEveryEncodedForm(t *testing.T) {
	for _, sec := range secretforms.Secrets {
		for _, form := range secretforms.Of(sec) {
			t.Run(sec+"/"+form.Name, func(t *testing.T) {
				got := kit.Redact("before "+form.Text+" after", sec)
				assert.Equal(t, "before [REDACTED] after", got, "form %q", form.Text)
			})
		}
	}
}

// TestRedactLeavesOtherEscapesAlone: decoding is only for finding
// secrets; text without one is returned exactly as it came.
func TestRedactLeavesOtherEscapesAlone(t *testing.T) {
	for _, in := range []string{
		`{"msg":"a\/b \u0026 c \ud83d\ude00 \ud800"} 50%2F50 &amp; a+b %zz &bogus; &#x1F600; \x`,
		"100% sure & <b>bold</b>",
	} {
		assert.Equal(t, in, kit.Redact(in, secretforms.Secrets...))
	}
}

// BenchmarkRedactErrorPage is the worst an error body can cost: a page of
// the largest size the client reads, dense with escapes of every kind.
func BenchmarkRedactErrorPage(b *testing.B) {
	line := "<p>upstream &amp; proxy said 50%25 a+b &nbsp; \\u0026</p>\n"
	page := strings.Repeat(line, kit.DefaultMaxResponseBytes/len(line))
	b.SetBytes(int64(len(page)))
	b.ReportAllocs()
	for b.Loop() {
		kit.Redact(page, secretforms.Secrets...)
	}
}
