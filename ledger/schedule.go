package ledger

import "time"

// Schedule says when entries are looked at. Young payments are checked
// often and old ones rarely: after each check the next comes after a
// fraction of the entry's age (1/AgeDivisor), at least MinInterval and at
// most MaxInterval later. Checking stops once the payment has expired and
// Grace has passed (a provider may report a payment made at the last
// moment a little late); one last check is made at that point.
//
// Zero fields take the values of DefaultSchedule.
type Schedule struct {
	// FirstCheck is how long after a create the reconciler first looks
	// (customers take a minute or two to pay).
	FirstCheck time.Duration
	// IntentTimeout is how long an intent may stay unanswered before the
	// reconciler treats it as left behind by a process that died. It must
	// exceed the longest a create can take. It is also how far apart two
	// "no such payment" answers must be before a create of unknown outcome
	// is concluded never to have happened.
	IntentTimeout time.Duration
	MinInterval   time.Duration
	MaxInterval   time.Duration
	AgeDivisor    int
	// DefaultExpiry is how long a payment stays payable when its checkout
	// does not say.
	DefaultExpiry time.Duration
	// Grace is how long after expiry checking goes on.
	Grace time.Duration
}

// DefaultSchedule returns the schedule zero fields take: first check after
// 2 minutes, intents reconciled after 5 minutes, then every quarter of the
// entry's age between 1 and 30 minutes, payments without an expiry treated
// as expiring after 24 hours, and 1 hour of grace after expiry.
func DefaultSchedule() Schedule {
	return Schedule{
		FirstCheck:    2 * time.Minute,
		IntentTimeout: 5 * time.Minute,
		MinInterval:   time.Minute,
		MaxInterval:   30 * time.Minute,
		AgeDivisor:    4,
		DefaultExpiry: 24 * time.Hour,
		Grace:         time.Hour,
	}
}

// withDefaults fills zero fields from DefaultSchedule.
func (s Schedule) withDefaults() Schedule {
	d := DefaultSchedule()
	fill := func(v *time.Duration, def time.Duration) {
		if *v <= 0 {
			*v = def
		}
	}
	fill(&s.FirstCheck, d.FirstCheck)
	fill(&s.IntentTimeout, d.IntentTimeout)
	fill(&s.MinInterval, d.MinInterval)
	fill(&s.MaxInterval, d.MaxInterval)
	fill(&s.DefaultExpiry, d.DefaultExpiry)
	fill(&s.Grace, d.Grace)
	if s.AgeDivisor <= 0 {
		s.AgeDivisor = d.AgeDivisor
	}
	s.MaxInterval = max(s.MaxInterval, s.MinInterval)
	return s
}

// stopAt is when checking the entry stops: its expiry plus the grace.
func (s Schedule) stopAt(e Entry) time.Time {
	expires := e.ExpiresAt
	if expires.IsZero() {
		expires = e.CreatedAt.Add(s.DefaultExpiry)
	}
	return expires.Add(s.Grace)
}

// Next returns when to look at the open entry e again after a check at
// now, or false when checking should stop.
func (s Schedule) Next(e Entry, now time.Time) (time.Time, bool) {
	s = s.withDefaults()
	stop := s.stopAt(e)
	if !now.Before(stop) {
		return time.Time{}, false
	}
	interval := min(max(now.Sub(e.CreatedAt)/time.Duration(s.AgeDivisor), s.MinInterval), s.MaxInterval)
	next := now.Add(interval)
	if next.After(stop) {
		next = stop
	}
	return next, true
}
