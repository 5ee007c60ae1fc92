// Package fuzzcheck holds the oracles the built-in adapters' fuzz tests
// share: reading fuzzed money independently of mfspay.Amount, and the
// shape every error an adapter returns must have.
package fuzzcheck

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/mfspay/mfspay"
)

// Amount reads a money value: a JSON number or a decimal string, parsed by
// mfspay.ParseAmount from its exact text.
func Amount(raw json.RawMessage) (mfspay.Amount, bool) {
	raw = bytes.TrimSpace(raw)
	text := string(raw)
	if len(raw) > 0 && raw[0] == '"' && json.Unmarshal(raw, &text) != nil {
		return 0, false
	}
	a, err := mfspay.ParseAmount(text)
	return a, err == nil
}

// Error asserts the shape every adapter error must have: an *mfspay.Error
// of a known kind, stamped with provider and op, showing none of secrets in
// any rendering or field.
func Error(t testing.TB, err error, provider, op string, secrets ...string) {
	t.Helper()
	var me *mfspay.Error
	if !errors.As(err, &me) {
		t.Fatalf("error %T is not an *mfspay.Error: %v", err, err)
	}
	known := false
	for _, k := range mfspay.Kinds {
		known = known || me.Kind == k
	}
	if !known || me.Provider != provider || me.Op != op {
		t.Fatalf("error %#v has kind %v, provider %q, op %q", me, me.Kind, me.Provider, me.Op)
	}
	for _, text := range []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err), me.Field, me.Code, me.Message} {
		for _, s := range secrets {
			if strings.Contains(text, s) {
				t.Fatalf("error shows a secret: %s", text)
			}
		}
	}
}
