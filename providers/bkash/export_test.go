package bkash

import (
	"time"

	"github.com/mfspay/mfspay"
)

// SetClock makes a driver from DriverFromSettings read time from now, as a
// Config.Clock would.
func SetClock(d mfspay.Driver, now func() time.Time) { d.(*driver).clock = now }
