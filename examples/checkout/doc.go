// Command checkout is a small merchant shop that takes bKash, Nagad, Rocket
// and Upay payments through mfspay, with WezoPay, EazzPay, bKash (Tokenized
// Checkout) and UddoktaPay behind one mfspay.Gateway interface. It is the
// README's main command:
//
//	go run ./examples/checkout -demo            # one scripted purchase per provider, then exit
//	go run ./examples/checkout -demo -plugins   # the same with the adapters as plugin binaries
//	go run ./examples/checkout                  # serve the shop on http://127.0.0.1:8080
//
// # What the shop does
//
// The product page lists two products priced to the poisha. The customer
// picks one and a gateway (and gives an email, which UddoktaPay requires);
// the shop records an order with its own invoice id, calls CreatePayment with
// WebhookURL set to its /webhooks/{provider} endpoint and, for a provider
// whose customer's return needs an action (bKash executes, UddoktaPay
// verifies), ReturnURL set to /returns/{provider}, and redirects (303) to the
// provider's hosted page. The customer pays there and is sent back to
// /orders/{id}/success (or /cancel), through /returns/{provider} for those
// two.
//
// Coming back proves nothing: an order becomes PAID only in the webhook
// callback, from a payment.completed event that the webhook.Handler has
// de-duplicated and whose amount equals the order's (webhook.ExpectAmount; a
// mismatch is refused, shown on the order page and logged): a notification
// authenticated on its raw bytes, what the provider answered the shop's own
// request on the customer's return, or what it answered the shop's
// reconciler (below). For the providers that can be asked about a payment
// (WezoPay, bKash, UddoktaPay), the handler also confirms every event with
// VerifyPayment (webhook.Confirm) and the callback accepts only confirmed
// events. EazzPay documents no verify API, so its IPN is trusted on two
// things only: the shared client secret it carries (compared in constant
// time) and the amount check. bKash debits nothing until the shop executes
// the payment on the customer's return, whose query proves nothing: the
// adapter checks the payment belongs to the invoice and executes once. The
// wallet-transaction notifications (EazzPay's, and bKash's AWS SNS messages,
// whose signatures are verified) add the sender and transaction id to the
// order they name but never mark one paid.
//
// Routes:
//
//	GET  /                       products, gateways, recent notification answers
//	POST /orders                 create the order and the payment, 303 to the hosted page
//	GET  /orders/{id}            the order page (refreshes itself while awaiting payment)
//	GET  /orders/{id}/success    the return pages: the order page with a welcome-back note
//	GET  /orders/{id}/cancel
//	GET  /orders/{id}/status     the order as JSON
//	POST /webhooks/{provider}    notifications from wezopay, eazzpay, bkash and uddoktapay
//	GET  /returns/{provider}     the customer's return, for providers whose return needs an action
//	                             (bkash, uddoktapay)
//
// # Orders, the payment ledger and the reconciler
//
// The orders and the payment ledger (package ledger) are kept in one
// database: an SQLite file by default (the pure-Go github.com/ncruces/go-sqlite3
// driver), or PostgreSQL with -db postgres://…. While every provider is
// simulated the default file lives in a new temporary directory removed at
// exit (the simulators forget their payments too); with a real provider it
// is mfspay-checkout/checkout.db under os.UserConfigDir, kept across runs.
//
// Every create goes through ledger.Record (intent before the send, answer
// after); the product form carries a token, so a form submitted again
// continues its order with the same request, which the ledger never turns
// into a second payment. Each replica runs a ledger.Reconciler every -sweep
// whose Deliverer is its webhook handler: a payment whose notification was
// lost reaches the same callback once. The callback records every delivered
// state in the ledger (ledger.EventChange, with the delivery's source), and
// the order page says how the status was learnt: from a notification, the
// customer's return, or by reconciliation.
//
// # Offline by default
//
// With no environment set, the shop starts the four simulators (wezopaytest,
// eazzpaytest, bkashtest, uddoktapaytest) on 127.0.0.1, hosted pages
// included, and points the adapters at them; EazzPay's merchant webhook URL
// (its wallet-transaction notifications) and bKash's SNS subscription are the
// shop's /webhooks/eazzpay and /webhooks/bkash. bKash's simulator signs its
// SNS messages under a certificate authority of its own, which its settings
// tell the adapter to trust, for its SNS host only. Each simulator's
// dashboard, /_dashboard, lists its payments and every notification delivery
// with its attempts and the shop's answer codes; the shop's pages link to
// each.
//
// These variables switch a provider to its real API:
//
//	MFSPAY_WEZOPAY_API_KEY          WezoPay's API key; setting it selects the real WezoPay
//	MFSPAY_WEZOPAY_WEBHOOK_SECRETS  its webhook secrets, comma-separated (required with the key)
//	MFSPAY_WEZOPAY_BASE_URL         optional, default https://wezopay.com/api/v1
//	MFSPAY_EAZZPAY_CLIENT_SECRET    EazzPay's client secret; setting it selects the real EazzPay
//	MFSPAY_EAZZPAY_BASE_URL         optional, default https://pay.eazzpay.com/api/v1
//	                                (sandbox: https://sandbox.eazzpay.com/api/v1)
//	MFSPAY_BKASH_USERNAME, MFSPAY_BKASH_PASSWORD, MFSPAY_BKASH_APP_KEY, MFSPAY_BKASH_APP_SECRET
//	                                bKash's credentials; setting them (all four) selects the real bKash
//	MFSPAY_BKASH_SNS_TOPIC_ARNS     the SNS topics its notifications may come from, comma-separated
//	MFSPAY_BKASH_BASE_URL           optional, default https://tokenized.pay.bka.sh/v1.2.0-beta
//	                                (sandbox: https://tokenized.sandbox.bka.sh/v1.2.0-beta)
//	MFSPAY_UDDOKTAPAY_API_KEY       the brand's API key; setting it selects the real UddoktaPay
//	MFSPAY_UDDOKTAPAY_BASE_URL      required with the key: the merchant's own panel
//	MFSPAY_UDDOKTAPAY_ACCEPTED_KEYS optional: older keys still accepted on IPNs
//
// A real provider must reach the shop: pass -public-url with the shop's
// public base URL (https://shop.example); notifications then go to
// https://shop.example/webhooks/{provider}. EazzPay's 100-character URL
// limit applies to it. The credentials are never printed. -demo pays on the
// simulators' hosted pages, so it refuses to run while any of these variables
// is set.
//
// # Flags
//
//	-addr HOST:PORT   where the shop listens (default 127.0.0.1:8080; -demo picks a free port unless set)
//	-public-url URL   where customers and providers reach the shop (default http://ADDR)
//	-demo             script one purchase per provider, print a report, exit 0 or, on any failure, 1
//	-step-timeout D   -demo's limit on each step (default 10s)
//	-plugins          run the adapters as plugin binaries: built with go build into a temporary
//	                  directory (run from inside the mfspay repository), opened with plugins.Open
//	-plugin-dir DIR   with -plugins: use the mfspay-plugin-* binaries in DIR (plugins.Discover)
//	-v                log every notification and plugin line
//	-store URL        the webhook de-duplication store: memory (default), redis://HOST:PORT/DB or
//	                  postgres://USER@HOST/DB (the table is created if absent)
//	-replicas N       run N shop replicas, each with its own webhook handler, reconciler and store
//	                  client, behind a round-robin proxy on loopback; they share the database and the -store
//	-db PATH|URL      the orders and the payment ledger: an SQLite file, or postgres://USER@HOST/DB
//	                  (default: see above)
//	-sweep D          how often the reconciler asks the providers about open payments (default 1m)
//	-sweep-rate N     the reconciler's calls a second to each provider (default 10 to a real
//	                  provider, 1000 to a simulator)
//	-create-timeout D the limit on creating a payment while the customer waits (default 30s); an
//	                  intent left unanswered twice that long is settled by the reconciler
//
// The demo is a customer scripted over plain HTTP: it orders on the shop,
// follows the redirect, reads the hosted page's forms from their HTML and
// fills them in (bKash's wallet, OTP and PIN; elsewhere the wallet the money
// was sent from and its transaction id, after sending it), follows the
// redirects back, and waits until the shop's order is paid with the wallet
// details the customer used and its page says how that was learnt. A
// browser test (browser_test.go) does the same in headless Chromium.
package main
