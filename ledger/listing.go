package ledger

import (
	"context"
	"errors"

	"github.com/mfspay/mfspay"
)

// plan returns the work for one provider's claimed entries: one job per
// entry, to be verified, or, where walking the provider's list is worth it
// (the rule is in Reconciler's documentation), a walk over the entries
// with payment ids and a job for each of the others.
func (r *Reconciler) plan(entries []Entry) []job {
	var jobs []job
	var withID []Entry
	for _, e := range entries {
		if e.PaymentID == "" {
			jobs = append(jobs, job{e: e})
		} else {
			withID = append(withID, e)
		}
	}
	gw, ok := r.gateways[entries[0].Provider]
	if ok {
		caps := gw.Capabilities()
		perPage := pageSize(caps)
		threshold := r.cfg.ListThreshold
		if threshold == 0 {
			threshold = perPage
		}
		if caps.List && threshold >= 0 && len(withID) > 0 && len(withID) >= threshold {
			return append([]job{{walk: withID, page: 1, budget: 2 * ((len(withID) + perPage - 1) / perPage)}}, jobs...)
		}
	}
	for _, e := range withID {
		jobs = append(jobs, job{e: e})
	}
	return jobs
}

// pageSize is how many payments the walk asks for a page.
func pageSize(caps mfspay.Capabilities) int {
	if caps.MaxPerPage <= 0 {
		return mfspay.DefaultPerPage
	}
	return caps.MaxPerPage
}

// walkList walks a provider's list of payments from page w.page to
// w.budget for the entries of w.walk, and returns the work that comes of
// it: each entry it found with its payment, and each it did not find to
// be verified; or, when the provider is paused after a 429, the entries
// found so far and the rest of the walk, to be resumed at the same page
// after the pause.
func (r *Reconciler) walkList(ctx context.Context, w job, c *counters) []job {
	gw := r.gateways[w.provider()]
	perPage := pageSize(gw.Capabilities())
	wanted := map[string]int{} // payment id → index in w.walk
	for i, e := range w.walk {
		wanted[e.PaymentID] = i
	}
	found := make([]bool, len(w.walk))
	unfound := func() []Entry {
		var left []Entry
		for i, e := range w.walk {
			if !found[i] {
				left = append(left, e)
			}
		}
		return left
	}
	var out []job
	for ; w.page <= w.budget && len(wanted) > 0; w.page++ {
		if err := r.throttle.wait(ctx, gw.Provider()); errors.Is(err, errPaused) {
			return append(out, job{walk: unfound(), page: w.page, budget: w.budget, refused: w.refused})
		} else if err != nil {
			break
		}
		c.listPages.Add(1)
		pg, err := gw.ListPayments(ctx, mfspay.ListQuery{Page: w.page, PerPage: perPage})
		if err == nil && pg == nil {
			err = noAnswer(gw.Provider(), mfspay.OpList)
		}
		if errors.Is(err, mfspay.ErrRateLimited) {
			c.rateLimited.Add(1)
			r.throttle.pause(gw.Provider(), r.pauseFor(err))
			if w.refused+1 < rateLimitedTries {
				// The same page again, after the pause.
				return append(out, job{walk: unfound(), page: w.page, budget: w.budget, refused: w.refused + 1})
			}
		}
		if err != nil {
			break // whatever the walk did not find is verified
		}
		for i := range pg.Payments {
			if at, ok := wanted[pg.Payments[i].PaymentID]; ok {
				found[at] = true
				out = append(out, job{e: w.walk[at], p: &pg.Payments[i]})
				delete(wanted, pg.Payments[i].PaymentID)
			}
		}
		if !pg.HasMore {
			break
		}
	}
	for _, e := range unfound() {
		out = append(out, job{e: e})
	}
	return out
}
