package mfspay_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/mfspay/mfspay"
)

func ExampleParseAmount() {
	a, err := mfspay.ParseAmount("250.5")
	if err != nil {
		panic(err)
	}
	fmt.Println(a, a.Poisha())
	fmt.Println(mfspay.Taka(100) + a)

	_, err = mfspay.ParseAmount("1e3")
	fmt.Println(errors.Is(err, mfspay.ErrInvalidRequest))
	// Output:
	// 250.50 25050
	// 350.50
	// true
}

// A checkout branches on the kind of a gateway error, never on its text.
func ExampleError() {
	// What an adapter returns when the provider throttles a verify.
	var err error = &mfspay.Error{
		Kind: mfspay.ErrRateLimited, Provider: "wezopay", Op: "verify",
		HTTPStatus: 429, RetryAfter: 2 * time.Second,
	}

	switch {
	case errors.Is(err, mfspay.ErrNotFound):
		fmt.Println("no such payment")
	case errors.Is(err, mfspay.ErrOutcomeUnknown):
		fmt.Println("verify by invoice before creating again")
	case errors.Is(err, mfspay.ErrRateLimited), errors.Is(err, mfspay.ErrUnavailable),
		errors.Is(err, mfspay.ErrCircuitOpen):
		var e *mfspay.Error
		if errors.As(err, &e) && e.RetryAfter > 0 {
			fmt.Println("try again in", e.RetryAfter)
		}
	default:
		fmt.Println(err)
	}
	fmt.Println(err)
	// Output:
	// try again in 2s
	// wezopay verify: rate limited (HTTP 429) retry after 2s
}
