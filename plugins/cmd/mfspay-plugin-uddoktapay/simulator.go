//go:build mfspaysim

package main

import (
	"io"

	"github.com/mfspay/mfspay/conformance/simctl"
	"github.com/mfspay/mfspay/providers/uddoktapay/uddoktapaytest"
)

func init() {
	simulator = func() (simctl.Controller, io.Closer, error) {
		s := uddoktapaytest.NewServer()
		return s, s.Closer(), nil
	}
}
