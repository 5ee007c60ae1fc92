package simkit

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
)

func TestStoreListPagination(t *testing.T) {
	s := NewStore()
	const n = 57
	for i := range n {
		status := "pending"
		if i%3 == 0 {
			status = "paid"
		}
		require.NoError(t, s.Insert(Payment{ID: fmt.Sprintf("p%02d", i), InvoiceID: fmt.Sprintf("inv%02d", i), Status: status}, true))
	}

	tests := []struct {
		status  string
		perPage int
		want    int
	}{
		{"", 20, n}, {"", 1, n}, {"", 100, n}, {"paid", 7, 19}, {"pending", 10, 38}, {"failed", 5, 0},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%d", tt.status, tt.perPage), func(t *testing.T) {
			seen := map[string]bool{}
			var order []string
			for page := 1; ; page++ {
				got, total := s.List(ListQuery{Status: tt.status, Page: page, PerPage: tt.perPage})
				assert.Equal(t, tt.want, total)
				if len(got) == 0 {
					break
				}
				assert.LessOrEqual(t, len(got), tt.perPage)
				for _, p := range got {
					assert.False(t, seen[p.ID], "%s listed twice", p.ID)
					seen[p.ID] = true
					order = append(order, p.ID)
					if tt.status != "" {
						assert.Equal(t, tt.status, p.Status)
					}
				}
			}
			assert.Len(t, seen, tt.want, "every payment exactly once")
			assert.IsDecreasing(t, order, "newest first")
		})
	}

	got, total := s.List(ListQuery{Page: 1 << 62, PerPage: 100})
	assert.Empty(t, got, "a page far past the end is empty, not an overflow")
	assert.Equal(t, n, total)
}

func TestStoreUniqueInvoiceUnderConcurrency(t *testing.T) {
	s := NewStore()
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins := 0
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := s.Insert(Payment{ID: fmt.Sprint(i), InvoiceID: "INV"}, true)
			if err == nil {
				mu.Lock()
				wins++
				mu.Unlock()
			} else {
				assert.ErrorIs(t, err, ErrInvoiceExists)
			}
		}()
	}
	wg.Wait()
	assert.Equal(t, 1, wins)
	assert.Equal(t, 1, s.CountByInvoice("INV"))

	require.NoError(t, s.Insert(Payment{ID: "x", InvoiceID: "INV"}, false), "uniqueness is the simulator's choice")
	assert.Equal(t, 2, s.CountByInvoice("INV"))
	assert.ErrorIs(t, s.Insert(Payment{ID: "x"}, false), ErrPaymentExists)
	p, ok := s.ByInvoice("INV")
	require.True(t, ok)
	assert.Equal(t, "x", p.ID, "the newest payment for the invoice")
}

func TestStoreUpdateAndCopies(t *testing.T) {
	s := NewStore()
	require.NoError(t, s.Insert(Payment{ID: "a", Status: "pending", Amount: mfspay.Taka(5), Metadata: map[string]string{"k": "v"}}, false))

	p, _ := s.Get("a")
	p.Metadata["k"] = "changed"
	p2, _ := s.Get("a")
	assert.Equal(t, "v", p2.Metadata["k"], "Get hands out copies")

	_, err := s.Update("a", func(p *Payment) error { p.Status = "paid"; return errors.New("no") })
	require.Error(t, err)
	p2, _ = s.Get("a")
	assert.Equal(t, "pending", p2.Status, "a failed update changes nothing")

	got, err := s.Update("a", func(p *Payment) error { p.Status = "paid"; p.ID = "renamed"; return nil })
	require.NoError(t, err)
	assert.Equal(t, "paid", got.Status)
	assert.Equal(t, "a", got.ID)
	_, err = s.Update("nope", func(*Payment) error { return nil })
	assert.ErrorIs(t, err, ErrPaymentNotFound)
}

func TestStoreSweep(t *testing.T) {
	s := NewStore()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	require.NoError(t, s.Insert(Payment{ID: "old", Status: "pending", ExpiresAt: now.Add(-time.Second)}, false))
	require.NoError(t, s.Insert(Payment{ID: "new", Status: "pending", ExpiresAt: now.Add(time.Hour)}, false))
	changed := s.Sweep(func(p *Payment) bool {
		if p.Status == "pending" && !now.Before(p.ExpiresAt) {
			p.Status = "expired"
			return true
		}
		return false
	})
	require.Len(t, changed, 1)
	assert.Equal(t, "old", changed[0].ID)
	p, _ := s.Get("old")
	assert.Equal(t, "expired", p.Status)
	assert.Equal(t, 2, s.Len())
	assert.Equal(t, []string{"new", "old"}, []string{s.All()[0].ID, s.All()[1].ID})
}
