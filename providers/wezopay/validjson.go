package wezopay

// maxDepth is encoding/json's nesting limit, so that validJSON rejects
// exactly what json.Valid rejects.
const maxDepth = 10000

// validJSON reports whether raw is one JSON value with only whitespace
// around it, with the verdicts of json.Valid (strings are not checked for
// valid UTF-8, nesting deeper than 10000 fails), at a fraction of its cost:
// every webhook and every answer is checked before it is split.
func validJSON(raw []byte) bool {
	v := validator{raw: raw}
	v.space()
	if !v.value(0) {
		return false
	}
	v.space()
	return v.i == len(raw)
}

// validator walks raw from i.
type validator struct {
	raw []byte
	i   int
}

func (v *validator) space() {
	for v.i < len(v.raw) {
		switch v.raw[v.i] {
		case ' ', '\t', '\n', '\r':
			v.i++
		default:
			return
		}
	}
}

// next returns the byte at i, or 0 at the end (never valid where a byte
// is expected).
func (v *validator) next() byte {
	if v.i < len(v.raw) {
		return v.raw[v.i]
	}
	return 0
}

func (v *validator) value(depth int) bool {
	switch c := v.next(); {
	case c == '{':
		return v.object(depth + 1)
	case c == '[':
		return v.array(depth + 1)
	case c == '"':
		return v.string()
	case c == '-' || '0' <= c && c <= '9':
		return v.number()
	case c == 't':
		return v.literal("true")
	case c == 'f':
		return v.literal("false")
	case c == 'n':
		return v.literal("null")
	}
	return false
}

func (v *validator) object(depth int) bool {
	if depth > maxDepth {
		return false
	}
	v.i++ // {
	v.space()
	if v.next() == '}' {
		v.i++
		return true
	}
	for {
		if v.next() != '"' || !v.string() {
			return false
		}
		v.space()
		if v.next() != ':' {
			return false
		}
		v.i++
		v.space()
		if !v.value(depth) {
			return false
		}
		v.space()
		switch v.next() {
		case ',':
			v.i++
			v.space()
		case '}':
			v.i++
			return true
		default:
			return false
		}
	}
}

func (v *validator) array(depth int) bool {
	if depth > maxDepth {
		return false
	}
	v.i++ // [
	v.space()
	if v.next() == ']' {
		v.i++
		return true
	}
	for {
		if !v.value(depth) {
			return false
		}
		v.space()
		switch v.next() {
		case ',':
			v.i++
			v.space()
		case ']':
			v.i++
			return true
		default:
			return false
		}
	}
}

func (v *validator) string() bool {
	v.i++ // opening quote
	for v.i < len(v.raw) {
		c := v.raw[v.i]
		switch {
		case c == '"':
			v.i++
			return true
		case c < 0x20:
			return false
		case c == '\\':
			v.i++
			switch v.next() {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				v.i++
			case 'u':
				v.i++
				for range 4 {
					if !isHex(v.next()) {
						return false
					}
					v.i++
				}
			default:
				return false
			}
		default:
			v.i++
		}
	}
	return false
}

func isHex(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }

func (v *validator) digits() int {
	n := 0
	for '0' <= v.next() && v.next() <= '9' {
		v.i++
		n++
	}
	return n
}

// number checks -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (v *validator) number() bool {
	if v.next() == '-' {
		v.i++
	}
	switch c := v.next(); {
	case c == '0':
		v.i++
	case '1' <= c && c <= '9':
		v.digits()
	default:
		return false
	}
	if v.next() == '.' {
		v.i++
		if v.digits() == 0 {
			return false
		}
	}
	if c := v.next(); c == 'e' || c == 'E' {
		v.i++
		if c := v.next(); c == '+' || c == '-' {
			v.i++
		}
		if v.digits() == 0 {
			return false
		}
	}
	return true
}

func (v *validator) literal(word string) bool {
	if len(v.raw)-v.i < len(word) || string(v.raw[v.i:v.i+len(word)]) != word {
		return false
	}
	v.i += len(word)
	return true
}
