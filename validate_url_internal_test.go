package mfspay

import (
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
)

// plainURLSeeds are URLs on both sides of plainHTTPURL's line.
var plainURLSeeds = []string{
	"https://shop.example/ok", "http://127.0.0.1:8080/pay/cb?order=12&x=y", "https://a", "http://a:",
	"https://shop.example", "https://shop.example?x", "http://x/a?b?c", "https://...", "https://-/",
	"HTTPS://shop.example/", "https://user@shop.example/", "https://shop.example/a%20b", "https://[::1]/",
	"https:///path", "https://shop.example:80:90/", "https://shop.example:8x/", "ftp://shop.example/",
	"https://shop.example/#frag", "https://shop.example/a b", "https://shop.example/\x7f", "https://",
	"https://shop.example/ä", "https://xn--p1ai/ok", "http://a.b:99999999999999999999/",
	"https://shop.example/ok\n", "https:/shop.example", "https:shop.example", "",
}

// checkPlainHTTPURL holds plainHTTPURL to url.Parse: it may decline any URL,
// but a URL it accepts must be one validURL's url.Parse check accepts.
func checkPlainHTTPURL(t *testing.T, raw string) {
	if !plainHTTPURL(raw) {
		return
	}
	u, err := url.Parse(raw)
	if assert.NoError(t, err, raw) {
		assert.Contains(t, []string{"http", "https"}, u.Scheme, raw)
		assert.NotEmpty(t, u.Host, raw)
		assert.Nil(t, u.User, raw)
	}
}

func TestPlainHTTPURLAgreesWithURLParse(t *testing.T) {
	accepted := 0
	for _, raw := range plainURLSeeds {
		checkPlainHTTPURL(t, raw)
		if plainHTTPURL(raw) {
			accepted++
		}
	}
	assert.Equal(t, 11, accepted, "the common shapes take the fast path")
}

func FuzzPlainHTTPURL(f *testing.F) {
	for _, raw := range plainURLSeeds {
		f.Add(raw)
	}
	f.Fuzz(checkPlainHTTPURL)
}
