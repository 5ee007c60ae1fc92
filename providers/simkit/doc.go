// Package simkit is the machinery shared by the built-in simulated payment
// providers (wezopaytest, eazzpaytest). It knows nothing about any one
// provider: each simulator speaks its provider's wire format and builds the
// generic parts from these pieces.
//
// A simulator is put together like this:
//
//   - a Clock (SystemClock, or a ManualClock's Now in tests) that every
//     time-dependent piece reads, so that expiry can be tested without
//     sleeping;
//   - a Store holding Payment records in the provider's own status
//     vocabulary, with lookups by id and invoice, atomic Update and Sweep,
//     newest-first List with a status filter, and CountByInvoice for
//     double-charge checks;
//   - the API handler, wrapped outermost by RequestLog.Middleware (every API
//     request is counted and kept for request-shape assertions) and then by
//     Faults.Middleware (which implements simctl.Fault: status answers,
//     delays, connection resets, and failures after the request was
//     processed). A Limiter, off unless configured, answers 429 with
//     Retry-After per API key;
//   - hosted pages (RenderPayPage, ReadPayForm, RenderMessage) and the
//     /_dashboard page (RenderDashboard) registered beside the API, outside
//     the log and fault middleware: they are not API traffic;
//   - a Notifier that delivers the provider's notifications with retries on
//     non-2xx answers and timeouts, records every attempt, and lets tests
//     Wait for deliveries; the simulator signs the body its provider's way
//     before calling Send.
//
// A sketch of a simulator's constructor:
//
//	s.store = simkit.NewStore()
//	s.log = simkit.NewRequestLog(clock)
//	s.faults = simkit.NewFaults(providerErrorBody)
//	s.notifier = simkit.NewNotifier(simkit.NotifierConfig{Clock: clock})
//	mux := http.NewServeMux()
//	mux.Handle("/api/", s.log.Middleware(s.faults.Middleware(apiHandler)))
//	mux.HandleFunc("/p/{id}", s.hostedPage)
//	mux.HandleFunc("/_dashboard", s.dashboard)
//	s.srv = httptest.NewServer(mux) // listens on 127.0.0.1
//
// and its simctl.Controller methods map onto the pieces: Fail and
// ClearFaults onto Faults, RequestCount onto RequestLog.Count, PaymentCount
// onto Store.CountByInvoice, Notifications onto Notifier.Notifications.
//
// Money stays an mfspay.Amount throughout: simulators parse wire amounts
// with json.Number or json.RawMessage and mfspay.ParseAmount, never float64.
package simkit
