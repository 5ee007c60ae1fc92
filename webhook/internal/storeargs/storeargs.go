// Package storeargs checks the arguments of webhook.Store calls, once for
// every store in this module, so that each refuses bad input with the same
// typed error before touching its data.
package storeargs

import (
	"time"

	"github.com/mfspay/mfspay"
)

// Reserve checks the arguments of Store.Reserve.
func Reserve(key string, lease time.Duration) error {
	switch {
	case key == "":
		return invalid("reserve", "key", "empty")
	case lease <= 0:
		return invalid("reserve", "lease", "not positive")
	}
	return nil
}

// Commit checks the arguments of Store.Commit.
func Commit(key, token string, ttl time.Duration) error {
	switch {
	case key == "":
		return invalid("commit", "key", "empty")
	case token == "":
		return invalid("commit", "token", "empty")
	case ttl <= 0:
		return invalid("commit", "ttl", "not positive")
	}
	return nil
}

// Release checks the arguments of Store.Release.
func Release(key, token string) error {
	switch {
	case key == "":
		return invalid("release", "key", "empty")
	case token == "":
		return invalid("release", "token", "empty")
	}
	return nil
}

func invalid(op, field, message string) error {
	return &mfspay.Error{Kind: mfspay.ErrInvalidRequest, Op: "webhook store " + op, Field: field, Message: message}
}
