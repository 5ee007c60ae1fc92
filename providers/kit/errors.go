package kit

import (
	"bytes"
	"strings"

	"github.com/mfspay/mfspay"
)

// Invalid returns an ErrInvalidRequest naming field.
func Invalid(provider, op, field, message string) *mfspay.Error {
	return &mfspay.Error{Kind: mfspay.ErrInvalidRequest, Provider: provider, Op: op, Field: field, Message: message}
}

// Unsupported returns an ErrUnsupported for op.
func Unsupported(provider, op string) *mfspay.Error {
	return &mfspay.Error{Kind: mfspay.ErrUnsupported, Provider: provider, Op: op, Message: "the provider offers no such operation"}
}

// KindForStatus maps an HTTP status code from a provider to an error kind:
// 400 and 422 invalid request, 401 unauthorized, 403 forbidden, 404 not
// found, 409 duplicate, 429 rate limited, 5xx unavailable. Other 4xx are
// invalid requests. It returns nil for 1xx-3xx.
func KindForStatus(status int) error {
	switch {
	case status == 401:
		return mfspay.ErrUnauthorized
	case status == 403:
		return mfspay.ErrForbidden
	case status == 404:
		return mfspay.ErrNotFound
	case status == 409:
		return mfspay.ErrDuplicate
	case status == 429:
		return mfspay.ErrRateLimited
	case status >= 500:
		return mfspay.ErrUnavailable
	case status >= 400:
		return mfspay.ErrInvalidRequest
	}
	return nil
}

// Redact replaces every occurrence of each non-empty secret in s with
// "[REDACTED]". Adapters pass provider text through it before it can reach an
// error or a log.
//
// A secret is found in every form provider text may carry it in: as is,
// JSON-escaped (\/, \", \u0026, \uXXXX for any character), URL-encoded
// (%XX in either case, + for a space) or HTML-escaped (&amp;, &#39;, &#x27;),
// and two of these layered; the whole escaped form is replaced. Text holding
// no secret is returned unchanged, escapes included.
//
// Occurrences that overlap or touch (one secret inside another, or two
// sharing characters) are replaced as one run, so no part of any secret is
// left visible.
func Redact(s string, secrets ...string) string {
	var hidden []bool
	hide := func(from, to int) {
		if hidden == nil {
			hidden = make([]bool, len(s))
		}
		for k := from; k < to; k++ {
			hidden[k] = true
		}
	}
	some := false
	for _, sec := range secrets {
		if sec == "" {
			continue
		}
		some = true
		for i := 0; ; {
			j := strings.Index(s[i:], sec)
			if j < 0 {
				break
			}
			hide(i+j, i+j+len(sec))
			i += j + 1
		}
	}
	if !some {
		return s
	}
	forEachDecoding(s, func(v *decodedView) {
		for _, sec := range secrets {
			for i := 0; sec != ""; {
				j := bytes.Index(v.text[i:], []byte(sec))
				if j < 0 {
					break
				}
				hide(v.span(i+j, i+j+len(sec)))
				i += j + 1
			}
		}
	})
	if hidden == nil {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		if !hidden[i] {
			b.WriteByte(s[i])
			continue
		}
		b.WriteString("[REDACTED]")
		for i+1 < len(s) && hidden[i+1] {
			i++
		}
	}
	return b.String()
}
