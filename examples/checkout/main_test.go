package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"testing"
)

// childShopArgs, when set in the environment, makes the test binary run
// the shop with these arguments (a JSON list) instead of the tests: the
// crash test starts the shop as a process of its own this way, so that it
// can kill it with SIGKILL while the simulators, in the test process, live
// on.
const childShopArgs = "MFSPAY_CHECKOUT_TEST_SHOP_ARGS"

func TestMain(m *testing.M) {
	if spec := os.Getenv(childShopArgs); spec != "" {
		var args []string
		if err := json.Unmarshal([]byte(spec), &args); err != nil {
			fmt.Fprintln(os.Stderr, "checkout test shop:", err)
			os.Exit(2)
		}
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		code := run(ctx, args, os.Stdout, os.Stderr, os.Getenv)
		stop()
		os.Exit(code)
	}
	os.Exit(m.Run())
}
