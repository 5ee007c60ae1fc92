package webhook_test

import (
	"testing"

	"github.com/mfspay/mfspay/webhook"
	"github.com/mfspay/mfspay/webhook/storetest"
)

// TestMemoryStoreRules holds the in-memory store to the rules every store
// keeps.
func TestMemoryStoreRules(t *testing.T) {
	storetest.Run(t, storetest.Harness{
		NewStore: func(*testing.T) webhook.Store { return webhook.NewMemoryStore() },
	})
}
