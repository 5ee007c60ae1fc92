package ledger_test

import (
	"testing"

	"github.com/mfspay/mfspay/ledger"
	"github.com/mfspay/mfspay/ledger/ledgertest"
)

func TestMemoryStoreRules(t *testing.T) {
	ledgertest.Run(t, func(*testing.T) ledger.Store { return ledger.NewMemoryStore() })
}
