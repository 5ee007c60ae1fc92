package wezopay

import "encoding/json"

// splitObject splits valid JSON holding an object into its members without
// decoding them: what json.Unmarshal into map[string]json.RawMessage would
// give (the same bytes for each value; duplicates are kept in order, and
// fields.get picks the last, as the map would), without reflection or
// copies, because every webhook and every answer goes through it. The
// values alias raw.
//
// raw must have passed validJSON. splitObject reports false when raw is
// not an object or a key is not plain ASCII without escapes; json.Unmarshal
// then decides, so such input means slower, never different, results.
func splitObject(raw []byte, buf fields) (fields, bool) {
	i := skipSpace(raw, 0)
	if i == len(raw) || raw[i] != '{' {
		return nil, false
	}
	f := buf[:0]
	if f == nil {
		f = make(fields, 0, 16)
	}
	i = skipSpace(raw, i+1)
	if raw[i] == '}' {
		return f, true
	}
	for {
		// raw[i] opens the key.
		end := i + 1
		for ; raw[end] != '"'; end++ {
			if raw[end] == '\\' || raw[end] >= 0x80 {
				return nil, false
			}
		}
		key := memberName(raw[i+1 : end])
		i = skipSpace(raw, skipSpace(raw, end+1)+1) // past the colon
		vend := skipValue(raw, i)
		f = append(f, member{key, json.RawMessage(raw[i:vend:vend])})
		i = skipSpace(raw, vend)
		if raw[i] == '}' {
			return f, true
		}
		i = skipSpace(raw, i+1) // past the comma
	}
}

func skipSpace(raw []byte, i int) int {
	for i < len(raw) && (raw[i] == ' ' || raw[i] == '\t' || raw[i] == '\n' || raw[i] == '\r') {
		i++
	}
	return i
}

// skipValue returns the end of the valid JSON value starting at raw[i].
func skipValue(raw []byte, i int) int {
	switch raw[i] {
	case '"':
		return skipString(raw, i)
	case '{', '[':
		depth := 0
		for j := i; ; j++ {
			switch raw[j] {
			case '"':
				j = skipString(raw, j) - 1
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return j + 1
				}
			}
		}
	}
	// A number, true, false or null ends where a delimiter begins.
	j := i
	for j < len(raw) && raw[j] != ',' && raw[j] != '}' && raw[j] != ']' &&
		raw[j] != ' ' && raw[j] != '\t' && raw[j] != '\n' && raw[j] != '\r' {
		j++
	}
	return j
}

// skipString returns the end of the string literal opening at raw[i].
func skipString(raw []byte, i int) int {
	for j := i + 1; ; j++ {
		switch raw[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
}

// memberName returns the key as a string, without copying the names
// WezoPay sends.
func memberName(b []byte) string {
	if name, ok := knownNames[string(b)]; ok { // looked up without a copy
		return name
	}
	return string(b)
}

// knownNames are the member names of WezoPay's answers and notifications,
// each mapped to itself.
var knownNames = func() map[string]string {
	m := map[string]string{}
	for _, name := range []string{
		"success", "data", "meta", "error", "message", "errors",
		"event", "token", "invoice_id", "status", "amount", "trx_id", "paid_at", "method", "sender",
		"payment_url", "expires_at", "page", "per_page", "total", "last_page",
	} {
		m[name] = name
	}
	return m
}()
