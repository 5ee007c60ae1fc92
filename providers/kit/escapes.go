package kit

import (
	"bytes"
	"html"
	"math"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// The escaped forms provider text may carry a secret in, for Redact. A
// provider echoing a credential back may do so JSON-escaped (a message
// kept as raw JSON: ezp_live\/Ab+9xQ, \u0026), URL-encoded (a query
// string in an error page: %2F, + for a space) or HTML-escaped (&amp;,
// &#39;), or in two of these layered. Redact searches the text as is and
// every decoding of it, mapping what it finds back to the original bytes.

// escapeDecoder decodes one kind of escape sequence.
type escapeDecoder struct {
	// starts holds the bytes its sequences begin with: text without any
	// has nothing for it to decode.
	starts string
	// decode decodes the sequence starting at s[i], if any: it appends the
	// decoded bytes to out and reports how many bytes of s the sequence
	// took, 0 when none starts there.
	decode func(s []byte, i int, out []byte) ([]byte, int)
}

// escapeDecoders are the decodings Redact searches, each on its own and
// layered on another.
var escapeDecoders = []escapeDecoder{
	{`\`, decodeJSONEscape},
	{"%+", decodeQueryEscape},
	{"%", decodePercentEscape},
	{"&", decodeHTMLEntity},
}

// escapeStarts holds every byte that begins an escape sequence of some
// decoder: text without any is searched as is only.
const escapeStarts = `\%+&`

// decodedView is text decoded from the original string, with the offset in
// the original of the sequence (or plain byte) each of its bytes came from.
type decodedView struct {
	text   []byte
	origin []int32
	// origLen is the length of the original string.
	origLen int
}

// span returns the bytes of the original that text[i:j] came from: from
// the start of the sequence of its first byte to the end of the sequence
// of its last one.
func (v *decodedView) span(i, j int) (int, int) {
	from, last := int(v.origin[i]), v.origin[j-1]
	for k := j; k < len(v.origin); k++ {
		if v.origin[k] != last {
			return from, int(v.origin[k])
		}
	}
	return from, v.origLen
}

// decode fills v with src decoded by dec, reusing v's buffers, and reports
// whether any escape sequence was found. origin maps src to the original
// string; nil means src is the original.
func (v *decodedView) decode(src []byte, origin []int32, dec escapeDecoder) bool {
	v.text, v.origin = v.text[:0], v.origin[:0]
	if !bytes.ContainsAny(src, dec.starts) {
		return false
	}
	if cap(v.text) < len(src) { // decoding never lengthens text
		v.text, v.origin = make([]byte, 0, len(src)), make([]int32, 0, len(src))
	}
	// copyPlain copies src[i:j], which holds no escape, as it is.
	copyPlain := func(i, j int) {
		v.text = append(v.text, src[i:j]...)
		if origin != nil {
			v.origin = append(v.origin, origin[i:j]...)
			return
		}
		for k := i; k < j; k++ {
			v.origin = append(v.origin, int32(k))
		}
	}
	changed := false
	for i := 0; i < len(src); {
		next := bytes.IndexAny(src[i:], dec.starts)
		if next < 0 {
			copyPlain(i, len(src))
			break
		}
		copyPlain(i, i+next)
		i += next
		before := len(v.text)
		var n int
		if v.text, n = dec.decode(src, i, v.text); n == 0 {
			copyPlain(i, i+1) // a start byte that begins no sequence
			i++
			continue
		}
		at := int32(i)
		if origin != nil {
			at = origin[i]
		}
		for range len(v.text) - before {
			v.origin = append(v.origin, at)
		}
		i += n
		changed = true
	}
	return changed
}

// forEachDecoding calls f with every decoding of s by one escape decoder,
// or by two in turn, that differs from the text it decoded. The view is
// f's only during the call.
func forEachDecoding(s string, f func(*decodedView)) {
	if len(s) > math.MaxInt32 || !strings.ContainsAny(s, escapeStarts) {
		return
	}
	src := []byte(s)
	once := &decodedView{origLen: len(s)}
	twice := &decodedView{origLen: len(s)}
	for _, first := range escapeDecoders {
		if !once.decode(src, nil, first) {
			continue
		}
		f(once)
		for _, second := range escapeDecoders {
			if twice.decode(once.text, once.origin, second) {
				f(twice)
			}
		}
	}
}

// decodeJSONEscape decodes a JSON string escape: \" \\ \/ \b \f \n \r \t
// and \uXXXX, a surrogate pair as one character.
func decodeJSONEscape(s []byte, i int, out []byte) ([]byte, int) {
	if s[i] != '\\' || i+1 >= len(s) {
		return out, 0
	}
	switch c := s[i+1]; c {
	case '"', '\\', '/':
		return append(out, c), 2
	case 'b':
		return append(out, '\b'), 2
	case 'f':
		return append(out, '\f'), 2
	case 'n':
		return append(out, '\n'), 2
	case 'r':
		return append(out, '\r'), 2
	case 't':
		return append(out, '\t'), 2
	case 'u':
		r, ok := hexRune(s, i+2, 4)
		if !ok {
			return out, 0
		}
		if utf16.IsSurrogate(r) && i+12 <= len(s) && s[i+6] == '\\' && s[i+7] == 'u' {
			if low, ok := hexRune(s, i+8, 4); ok {
				if pair := utf16.DecodeRune(r, low); pair != utf8.RuneError {
					return utf8.AppendRune(out, pair), 12
				}
			}
		}
		return utf8.AppendRune(out, r), 6
	}
	return out, 0
}

// decodeQueryEscape decodes URL query encoding: %XX, and + for a space.
func decodeQueryEscape(s []byte, i int, out []byte) ([]byte, int) {
	if s[i] == '+' {
		return append(out, ' '), 1
	}
	return decodePercentEscape(s, i, out)
}

// decodePercentEscape decodes %XX, in either case, leaving + alone as URL
// path encoding does.
func decodePercentEscape(s []byte, i int, out []byte) ([]byte, int) {
	if s[i] != '%' {
		return out, 0
	}
	b, ok := hexRune(s, i+1, 2)
	if !ok {
		return out, 0
	}
	return append(out, byte(b)), 3
}

// maxEntity bounds an HTML character reference, "&" to ";" included:
// the longest named one has 33 bytes.
const maxEntity = 40

// decodeHTMLEntity decodes an HTML character reference ending in ";":
// named (&amp;), decimal (&#39;) or hexadecimal (&#x27;).
func decodeHTMLEntity(s []byte, i int, out []byte) ([]byte, int) {
	if s[i] != '&' {
		return out, 0
	}
	end := bytes.IndexByte(s[i+1:min(len(s), i+maxEntity)], ';')
	if end < 1 {
		return out, 0
	}
	ref := s[i : i+end+2]
	for _, c := range ref[1 : len(ref)-1] {
		if !(c == '#' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return out, 0
		}
	}
	decoded := html.UnescapeString(string(ref))
	if decoded == string(ref) {
		return out, 0
	}
	return append(out, decoded...), len(ref)
}

// hexRune reads n hexadecimal digits at s[i:].
func hexRune(s []byte, i, n int) (rune, bool) {
	if i+n > len(s) {
		return 0, false
	}
	for _, c := range s[i : i+n] {
		// Checked first: ParseUint's error for a non-digit allocates, and
		// most candidates (a "%" in prose) are not escapes.
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return 0, false
		}
	}
	v, err := strconv.ParseUint(string(s[i:i+n]), 16, 32)
	if err != nil {
		return 0, false
	}
	return rune(v), true
}
