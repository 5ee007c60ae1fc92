package ledger

import (
	"context"
	"errors"

	"github.com/mfspay/mfspay"
)

// walkList settles what it can of one provider's claimed entries from the
// provider's list of payments (the rule is in Reconciler's documentation)
// and returns every entry as a job: with the payment the walk found for
// it, or without, to be verified.
func (r *Reconciler) walkList(ctx context.Context, entries []Entry, c *counters) []job {
	jobs := make([]job, 0, len(entries))
	wanted := map[string]int{} // payment id → index in jobs
	for _, e := range entries {
		if e.PaymentID != "" {
			wanted[e.PaymentID] = len(jobs)
		}
		jobs = append(jobs, job{e: e})
	}
	gw, ok := r.gateways[entries[0].Provider]
	if !ok {
		return jobs
	}
	caps := gw.Capabilities()
	perPage := caps.MaxPerPage
	if perPage <= 0 {
		perPage = mfspay.DefaultPerPage
	}
	threshold := r.cfg.ListThreshold
	if threshold == 0 {
		threshold = perPage
	}
	if !caps.List || threshold < 0 || len(wanted) < threshold {
		return jobs
	}
	budget := 2 * ((len(wanted) + perPage - 1) / perPage)
	refused := 0
	for page := 1; page <= budget && len(wanted) > 0; page++ {
		if err := r.throttle.wait(ctx, gw.Provider()); err != nil {
			break
		}
		c.listPages.Add(1)
		pg, err := gw.ListPayments(ctx, mfspay.ListQuery{Page: page, PerPage: perPage})
		if err == nil && pg == nil {
			err = noAnswer(gw.Provider(), mfspay.OpList)
		}
		if errors.Is(err, mfspay.ErrRateLimited) && refused < rateLimitedTries {
			refused++
			c.rateLimited.Add(1)
			r.throttle.pause(gw.Provider(), r.pauseFor(err))
			page-- // the same page again, after the pause
			continue
		}
		if err != nil {
			break // whatever the walk did not find is verified
		}
		for i := range pg.Payments {
			if at, ok := wanted[pg.Payments[i].PaymentID]; ok {
				jobs[at].p = &pg.Payments[i]
				delete(wanted, pg.Payments[i].PaymentID)
			}
		}
		if !pg.HasMore {
			break
		}
	}
	return jobs
}
