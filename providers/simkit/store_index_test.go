package simkit

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestStoreInvoiceIndexFollowsChanges checks that lookups by invoice give
// what a scan in insertion order would, also after Update or Sweep moved a
// payment to another invoice id.
func TestStoreInvoiceIndexFollowsChanges(t *testing.T) {
	s := NewStore()
	for _, p := range []Payment{{ID: "p1", InvoiceID: "A"}, {ID: "p2", InvoiceID: "B"}, {ID: "p3", InvoiceID: "A"}} {
		require.NoError(t, s.Insert(p, false))
	}
	newest := func(inv string) string { p, _ := s.ByInvoice(inv); return p.ID }
	assert.Equal(t, "p3", newest("A"))
	assert.Equal(t, 2, s.CountByInvoice("A"))
	assert.ErrorIs(t, s.Insert(Payment{ID: "p4", InvoiceID: "B"}, true), ErrInvoiceExists)

	_, err := s.Update("p3", func(p *Payment) error { p.InvoiceID = "B"; return nil })
	require.NoError(t, err)
	assert.Equal(t, "p1", newest("A"))
	assert.Equal(t, "p3", newest("B"), "the later insert is the newer, whatever its invoice was")
	assert.Equal(t, 2, s.CountByInvoice("B"))

	s.Sweep(func(p *Payment) bool {
		if p.ID == "p1" {
			p.InvoiceID = "C"
			return true
		}
		return false
	})
	_, found := s.ByInvoice("A")
	assert.False(t, found)
	assert.Equal(t, 0, s.CountByInvoice("A"))
	assert.Equal(t, "p1", newest("C"))
	require.NoError(t, s.Insert(Payment{ID: "p5", InvoiceID: "A"}, true), "a freed invoice id can be used again")
}
