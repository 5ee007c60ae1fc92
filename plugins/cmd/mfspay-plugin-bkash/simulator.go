//go:build mfspaysim

package main

import (
	"io"

	"github.com/mfspay/mfspay/conformance/simctl"
	"github.com/mfspay/mfspay/providers/bkash/bkashtest"
)

func init() {
	simulator = func() (simctl.Controller, io.Closer, error) {
		s := bkashtest.NewServer()
		return s, s.Closer(), nil
	}
}
