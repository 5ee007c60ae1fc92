//go:build mfspaysim

package main

import (
	"io"

	"github.com/mfspay/mfspay/conformance/simctl"
	"github.com/mfspay/mfspay/providers/wezopay/wezopaytest"
)

func init() {
	simulator = func() (simctl.Controller, io.Closer, error) {
		s := wezopaytest.NewServer()
		return s, s.Closer(), nil
	}
}
