//go:build mfspaysim

package main

import (
	"io"

	"github.com/mfspay/mfspay/conformance/simctl"
	"github.com/mfspay/mfspay/providers/eazzpay/eazzpaytest"
)

func init() {
	simulator = func() (simctl.Controller, io.Closer, error) {
		s := eazzpaytest.NewServer()
		return s, s.Closer(), nil
	}
}
