package bkash

import (
	"net/http"
	"time"

	"github.com/mfspay/mfspay"
)

// SetClock makes a driver from DriverFromSettings read time from now, as a
// Config.Clock would.
func SetClock(d mfspay.Driver, now func() time.Time) { d.(*driver).clock = now }

// CertTransport is the transport a driver fetches certificates with.
func CertTransport(d mfspay.Driver) http.RoundTripper { return d.(*driver).certs.client.Transport }
