//go:build mfspaysim

package main

import (
	"io"

	"github.com/mfspay/mfspay/conformance/simctl"
	"github.com/mfspay/mfspay/examples/thirdparty-plugin/nodipay/nodipaytest"
)

func init() {
	simulator = func() (simctl.Controller, io.Closer, error) {
		sim := nodipaytest.NewServer()
		return sim, sim.Closer(), nil
	}
}
