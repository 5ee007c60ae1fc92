package mfspay_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/conformance/simctl"
	"github.com/mfspay/mfspay/providers/kit"
	"github.com/mfspay/mfspay/providers/simkit"
)

// TinyPay is a provider written from scratch for this example: a charge is
// created with POST /v1/charges {"invoice","amount"} and read with
// GET /v1/charges/{id}, both answering {"id","invoice","status","amount",
// "url"}, with the key in X-Key; its statuses are open, paid and void; its
// notifications are the charge, signed in X-Signature with the hex
// HMAC-SHA256 of the body.

// tinyDriver is TinyPay's mfspay.Driver: the wire format, and nothing the
// portable layer already does (validation, capability gating, the breaker,
// answer checks, error stamping).
type tinyDriver struct {
	base, key, secret string
	http              *kit.HTTPClient
}

// tinyCharge is a charge on TinyPay's wire. Amounts travel as JSON numbers
// and are read exactly, never through float64.
type tinyCharge struct {
	ID      string        `json:"id"`
	Invoice string        `json:"invoice"`
	Status  string        `json:"status"`
	Amount  mfspay.Amount `json:"amount"`
	URL     string        `json:"url,omitempty"`
}

var tinyStatuses = map[string]mfspay.Status{"open": mfspay.StatusPending, "paid": mfspay.StatusPaid, "void": mfspay.StatusCancelled}

func (c tinyCharge) payment() mfspay.Payment {
	return mfspay.Payment{PaymentID: c.ID, InvoiceID: c.Invoice, Status: kit.MapStatus(tinyStatuses, c.Status), Amount: c.Amount}
}

func (d *tinyDriver) Provider() string { return "tinypay" }

func (d *tinyDriver) Capabilities() mfspay.Capabilities {
	return mfspay.Capabilities{
		VerifyByPaymentID: true,
		Webhook:           mfspay.WebhookHMACSHA256,
		EventTypes:        []mfspay.EventType{mfspay.EventPaymentCompleted, mfspay.EventPaymentCancelled},
		Statuses:          []mfspay.Status{mfspay.StatusPending, mfspay.StatusPaid, mfspay.StatusCancelled},
	}
}

func (d *tinyDriver) Create(ctx context.Context, req mfspay.CreatePaymentRequest) (*mfspay.Checkout, error) {
	body, _ := json.Marshal(map[string]any{"invoice": req.InvoiceID, "amount": req.Amount.Number(), "webhook_url": req.WebhookURL})
	// Not idempotent: the client never repeats it once it may have arrived,
	// and TinyPay offers no lookup by invoice, so an ambiguous create is
	// ErrOutcomeUnknown.
	c, err := d.call(ctx, kit.HTTPRequest{Op: mfspay.OpCreate, Method: http.MethodPost, URL: d.base + "/charges", Body: body})
	if err != nil {
		return nil, err
	}
	p := c.payment()
	return &mfspay.Checkout{PaymentID: p.PaymentID, InvoiceID: p.InvoiceID, RedirectURL: c.URL, Status: p.Status}, nil
}

func (d *tinyDriver) Verify(ctx context.Context, ref mfspay.PaymentRef) (*mfspay.Payment, error) {
	c, err := d.call(ctx, kit.HTTPRequest{
		Op: mfspay.OpVerify, Method: http.MethodGet, URL: d.base + "/charges/" + url.PathEscape(ref.PaymentID), Idempotent: true,
	})
	if err != nil {
		return nil, err
	}
	p := c.payment()
	return &p, nil
}

func (d *tinyDriver) List(context.Context, mfspay.ListQuery) (*mfspay.PaymentPage, error) {
	return nil, kit.Unsupported(d.Provider(), mfspay.OpList) // never called: not declared
}

func (d *tinyDriver) ParseNotification(_ context.Context, req mfspay.WebhookRequest) (*mfspay.Event, error) {
	if !kit.VerifyHMACSHA256(req.Body, req.Header.Get("X-Signature"), []string{d.secret}) {
		return nil, &mfspay.Error{Kind: mfspay.ErrInvalidSignature, Message: "X-Signature does not match the body"}
	}
	var c tinyCharge
	if err := json.Unmarshal(req.Body, &c); err != nil {
		return nil, kit.Invalid(d.Provider(), "webhook", "body", "is not a TinyPay charge")
	}
	p := c.payment()
	typ, _ := mfspay.EventTypeFor(p.Status)
	return &mfspay.Event{ID: c.ID + ":" + c.Status, Type: typ, Payment: p}, nil
}

// call sends one request and reads a charge; a refusal becomes an
// *mfspay.Error of the status code's kind.
func (d *tinyDriver) call(ctx context.Context, r kit.HTTPRequest) (*tinyCharge, error) {
	r.Header = http.Header{"X-Key": {d.key}, "Content-Type": {"application/json"}}
	resp, err := d.http.Do(ctx, r)
	if err != nil {
		return nil, err
	}
	if !resp.OK() {
		return nil, d.http.StatusError(r.Op, resp, "", string(resp.Body))
	}
	var c tinyCharge
	if err := json.Unmarshal(resp.Body, &c); err != nil {
		return nil, &mfspay.Error{Kind: mfspay.ErrUnavailable, Op: r.Op, Message: "TinyPay's answer is not a charge"}
	}
	return &c, nil
}

// newTinySim starts a simulated TinyPay on the simulator kit: the two API
// routes and the signed notification are TinyPay's; the store, hosted
// page, faults, request log and simctl.Controller are the kit's.
func newTinySim(key, secret string) *simkit.Server {
	var sim *simkit.Server
	answer := func(w http.ResponseWriter, status int, p simkit.Payment) {
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(tinyCharge{ID: p.ID, Invoice: p.InvoiceID, Status: p.Status, Amount: p.Amount, URL: sim.PageURL(p.ID)})
	}
	api := http.NewServeMux()
	api.HandleFunc("POST /v1/charges", func(w http.ResponseWriter, r *http.Request) {
		f, err := simkit.ReadFields(r.Body)
		if err != nil {
			http.Error(w, `{"error":"bad json"}`, http.StatusBadRequest)
			return
		}
		p := simkit.Payment{ID: simkit.NewID("ch_", 6), InvoiceID: f.String("invoice", true, 64),
			Amount: f.Amount("amount"), WebhookURL: f.URL("webhook_url", false, 0)}
		if !f.OK() {
			http.Error(w, `{"error":"`+f.First()+`"}`, http.StatusUnprocessableEntity)
			return
		}
		p, _ = sim.Insert(p, false)
		answer(w, http.StatusCreated, p)
	})
	api.HandleFunc("GET /v1/charges/{id}", func(w http.ResponseWriter, r *http.Request) {
		if p, ok := sim.Refresh(r.PathValue("id")); ok {
			answer(w, http.StatusOK, p)
			return
		}
		http.Error(w, `{"error":"no such charge"}`, http.StatusNotFound)
	})
	authed := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !kit.CheckSharedSecret(r.Header.Get("X-Key"), []string{key}) {
			http.Error(w, `{"error":"bad key"}`, http.StatusUnauthorized)
			return
		}
		api.ServeHTTP(w, r)
	})
	sim = simkit.NewServer(simkit.Spec{
		Name: "TinyPay", APIPrefix: "/v1", API: authed, PagePath: "/pay/",
		Methods: []simkit.MethodOption{{Value: "bkash", Label: "bKash", Method: mfspay.MethodBKash}},
		Open:    "open", Paid: "paid", Cancelled: "void", Failed: "void", Expired: "void",
		Announce: func(k *simkit.Server, p simkit.Payment) {
			body, _ := json.Marshal(tinyCharge{ID: p.ID, Invoice: p.InvoiceID, Status: p.Status, Amount: p.Amount})
			k.Notifier.Send(simkit.Notification{PaymentID: p.ID, URL: p.WebhookURL, Body: body,
				Header: http.Header{"X-Signature": {kit.SignHMACSHA256(body, secret)}}})
		},
	}, simkit.Options{})
	return sim
}

// A provider's driver written from scratch: the wire format on the kit's
// payment-safe HTTP client, a simulator on the simulator kit, and
// mfspay.NewGateway around the driver for everything else. Give the
// simulator a Settings method (completing simctl.Controller) and the driver
// a FromSettings function, and conformance.Run checks the pair.
func Example_driver() {
	const key, secret = "tk_live_0123456789", "twh_0123456789"
	sim := newTinySim(key, secret)
	defer sim.Close()
	ctx := context.Background()
	var r mfspay.Resilience // default retries and breaker
	gw := mfspay.NewGateway(&tinyDriver{base: sim.BaseURL(), key: key, secret: secret,
		http: kit.NewClient("tinypay", r, key, secret)}, r)

	co, err := gw.CreatePayment(ctx, mfspay.CreatePaymentRequest{
		InvoiceID: "INV-42", Amount: mfspay.Taka(250) + 50,
		SuccessURL: "https://shop.example/ok", CancelURL: "https://shop.example/no",
	})
	if err != nil {
		panic(err)
	}
	fmt.Println("created:", co.Provider, co.InvoiceID, co.Status)

	// The customer pays on the simulator's hosted page.
	if err := sim.Pay(ctx, co.PaymentID, simctl.Payer{}); err != nil {
		panic(err)
	}
	p, err := gw.VerifyPayment(ctx, mfspay.PaymentRef{PaymentID: co.PaymentID})
	if err != nil {
		panic(err)
	}
	fmt.Println("verified:", p.Status, p.Amount)

	notes, _ := sim.Notifications(ctx, co.PaymentID)
	ev, err := gw.ParseWebhook(ctx, notes[0])
	if err != nil {
		panic(err)
	}
	fmt.Println("notified:", ev.Type, ev.Payment.Amount)
	notes[0].Body = bytes.Replace(notes[0].Body, []byte("250.5"), []byte("2500.5"), 1)
	_, err = gw.ParseWebhook(ctx, notes[0])
	fmt.Println("tampered notification refused:", errors.Is(err, mfspay.ErrInvalidSignature))

	// The portable layer answers these without troubling the driver.
	before, _ := sim.RequestCount(ctx)
	_, err = gw.CreatePayment(ctx, mfspay.CreatePaymentRequest{InvoiceID: "INV-43", SuccessURL: "https://shop.example/ok"})
	fmt.Println("zero amount:", errors.Is(err, mfspay.ErrInvalidRequest))
	_, err = gw.VerifyPayment(ctx, mfspay.PaymentRef{InvoiceID: "INV-42"})
	fmt.Println("lookup by invoice:", errors.Is(err, mfspay.ErrUnsupported))
	after, _ := sim.RequestCount(ctx)
	fmt.Println("requests sent for them:", after-before)

	// A create TinyPay acted on and then answered 503 is never sent again
	// blindly: the outcome is unknown, and the caller is told so.
	sim.Fail(ctx, simctl.Fault{Status: http.StatusServiceUnavailable, AfterProcessing: true})
	_, err = gw.CreatePayment(ctx, mfspay.CreatePaymentRequest{
		InvoiceID: "INV-44", Amount: mfspay.Taka(10), SuccessURL: "https://shop.example/ok", CancelURL: "https://shop.example/no",
	})
	fmt.Println("503 after the charge was made:", errors.Is(err, mfspay.ErrOutcomeUnknown))
	// Output:
	// created: tinypay INV-42 pending
	// verified: paid 250.50
	// notified: payment.completed 250.50
	// tampered notification refused: true
	// zero amount: true
	// lookup by invoice: true
	// requests sent for them: 0
	// 503 after the charge was made: true
}
