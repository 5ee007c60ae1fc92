package fakepay

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/conformance/simctl"
	"github.com/mfspay/mfspay/providers/kit"
)

// Name is the provider name.
const Name = "fakepay"

// PanicInvoice makes CreatePayment panic, to test the plugin's recovery.
const PanicInvoice = "PANIC-NOW"

// Gateway is the fake provider's driver.
type Gateway struct {
	sim    *Simulator
	token  string
	secret string
	// Resilience is what the gateway was built with, for tests to inspect.
	Resilience mfspay.Resilience
	closed     chan struct{}
}

// FromSettings builds a Gateway: "store" names a Simulator, "token" is the
// API credential, "webhook_secret" the notification key. A store this
// process does not know is created empty with those credentials, as a
// provider's data would still be there after a plugin restart.
func FromSettings(settings map[string]string, r mfspay.Resilience) (mfspay.Driver, error) {
	if settings[SettingToken] == "" {
		return nil, kit.Invalid(Name, "configure", SettingToken, "is required")
	}
	if settings[SettingStore] == "" {
		return nil, kit.Invalid(Name, "configure", SettingStore, "is required")
	}
	if say := settings[SettingSay]; say != "" { // as a careless plugin might
		fmt.Println(say)
		fmt.Fprintln(os.Stderr, say)
	}
	sim := lookupOrCreate(settings[SettingStore], settings[SettingToken], settings[SettingWebhookSecret])
	if r.Logger != nil {
		r.Logger.Warn("fakepay configured", "store", sim.id, "max_attempts", r.Retry.MaxAttempts)
	}
	return &Gateway{sim: sim, token: settings[SettingToken], secret: settings[SettingWebhookSecret],
		Resilience: r, closed: make(chan struct{})}, nil
}

// StartSimulator is a ServeConfig.Simulator for fakepay.
func StartSimulator() (simctl.Controller, io.Closer, error) {
	s := NewSimulator()
	return s, s, nil
}

// Provider implements mfspay.Driver.
func (g *Gateway) Provider() string { return Name }

// Capabilities implements mfspay.Driver.
func (g *Gateway) Capabilities() mfspay.Capabilities {
	return mfspay.Capabilities{
		VerifyByInvoice: true, VerifyByPaymentID: true, List: true, ListByStatus: true, MaxPerPage: 50,
		Webhook: mfspay.WebhookHMACSHA256,
		EventTypes: []mfspay.EventType{mfspay.EventPaymentCompleted, mfspay.EventPaymentCancelled,
			mfspay.EventPaymentExpired, mfspay.EventTransactionReceived},
	}
}

// Create implements mfspay.Driver.
func (g *Gateway) Create(ctx context.Context, req mfspay.CreatePaymentRequest) (*mfspay.Checkout, error) {
	if req.InvoiceID == PanicInvoice {
		panic("fakepay: asked to panic")
	}
	if err := g.sim.enter(ctx, mfspay.OpCreate, g.token); err != nil {
		return nil, err
	}
	return g.sim.create(req)
}

// Verify implements mfspay.Driver.
func (g *Gateway) Verify(ctx context.Context, ref mfspay.PaymentRef) (*mfspay.Payment, error) {
	if err := g.sim.enter(ctx, mfspay.OpVerify, g.token); err != nil {
		return nil, err
	}
	return g.sim.verify(ref)
}

// List implements mfspay.Driver.
func (g *Gateway) List(ctx context.Context, q mfspay.ListQuery) (*mfspay.PaymentPage, error) {
	if err := g.sim.enter(ctx, mfspay.OpList, g.token); err != nil {
		return nil, err
	}
	return g.sim.list(q), nil
}

// ParseNotification implements mfspay.Driver.
func (g *Gateway) ParseNotification(_ context.Context, req mfspay.WebhookRequest) (*mfspay.Event, error) {
	if !kit.VerifyHMACSHA256(req.Body, req.Header.Get(SignatureHeader), []string{g.secret}) {
		return nil, &mfspay.Error{Kind: mfspay.ErrInvalidSignature, Provider: Name, Op: "webhook", Message: "signature mismatch"}
	}
	var w wireEvent
	if err := json.Unmarshal(req.Body, &w); err != nil {
		return nil, &mfspay.Error{Kind: mfspay.ErrInvalidRequest, Provider: Name, Op: "webhook", Field: "body", Message: "not a notification"}
	}
	return &mfspay.Event{ID: w.ID, Provider: Name, Type: mfspay.EventType(w.Type), Reference: w.Reference,
		Payment: mfspay.Payment{Provider: Name, PaymentID: w.PaymentID, InvoiceID: w.InvoiceID,
			Status: mfspay.Status(w.Status), Amount: w.Amount, TrxID: w.TrxID, Method: kit.ParseMethod(w.Method),
			Sender: w.Sender, PaidAt: w.PaidAt}}, nil
}

// Close lets tests see that a replaced driver is closed.
func (g *Gateway) Close() error {
	select {
	case <-g.closed:
	default:
		close(g.closed)
	}
	return nil
}

// Closed reports whether Close was called.
func (g *Gateway) Closed() bool {
	select {
	case <-g.closed:
		return true
	default:
		return false
	}
}
