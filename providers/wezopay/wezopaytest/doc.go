// Package wezopaytest is a faithful in-memory WezoPay: a real HTTP server on
// 127.0.0.1 that speaks the WezoPay REST API, serves the hosted payment page
// and sends signed webhooks, for tests and demos. It plays the role
// net/http/httptest and pstest play for their services.
//
//	srv := wezopaytest.NewServer()
//	defer srv.Close()
//	gw, _ := wezopay.FromSettings(srv.SettingsMap(), mfspay.Resilience{})
//
// The API lives under URL+"/api/v1" (POST /payments/create, GET
// /payments/verify, GET /payments/list), authenticated by X-API-Key. The
// customer's page is URL+"/p/{token}" and a dashboard of payments and
// webhook deliveries is URL+"/_dashboard".
//
// Behaviour follows the wire specification, documented lines and inferred
// ones alike: 401 for a missing or unknown key and 403 when a read-only key
// creates; 400 for malformed JSON or parameters; 422 with an "errors" field
// map for invalid fields (amount must be a JSON number with at most two
// decimals, parsed exactly); 422 "invoice_id already exists" for a second
// create with one invoice id; 404 "Payment not found"; newest-first list
// pages with meta page/per_page/total/last_page and per_page at most 100;
// payments expiring 30 minutes after creation (noticed when read); webhooks
// on every status change, signed with X-WezoPay-Signature (hex
// HMAC-SHA256 of the raw body) and retried on any non-2xx answer or
// timeout; payment.pending announces a payment the customer submitted and
// the wallet has not confirmed (simctl.Payer.Pending). Options turn on rate
// limiting (429 with Retry-After), read-only keys, a manual clock and
// delivery settings. Every simctl.Tamper can be told: verify answers paid
// with 0.00 or a negative amount, about another payment, or in the status
// "on_hold"; a create answers a javascript: payment_url.
//
// The generic parts come from the simulator kit, providers/simkit: *Server
// embeds *simkit.Server, so it implements simctl.Controller and offers the
// kit's helpers (Payment, Requests, Deliveries, Sweep…); SetStatus and
// Decline serve tests that want more.
package wezopaytest
