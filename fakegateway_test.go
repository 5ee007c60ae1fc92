package mfspay_test

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/mfspay/mfspay"
)

// fakeGateway is a Gateway whose every operation returns a scripted error
// and counts its calls, for breaker tests.
type fakeGateway struct {
	caps mfspay.Capabilities

	mu  sync.Mutex
	err error // returned by create, verify and list

	creates, verifies, lists atomic.Int32
}

func newFakeGateway() *fakeGateway {
	return &fakeGateway{caps: mfspay.Capabilities{
		VerifyByInvoice: true, VerifyByPaymentID: true, List: true, ListByStatus: true, MaxPerPage: 100,
	}}
}

func (f *fakeGateway) fail(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.err = err
}

func (f *fakeGateway) outcome() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.err
}

func (f *fakeGateway) calls() int {
	return int(f.creates.Load() + f.verifies.Load() + f.lists.Load())
}

func (f *fakeGateway) Provider() string                  { return "fake" }
func (f *fakeGateway) Capabilities() mfspay.Capabilities { return f.caps }

func (f *fakeGateway) CreatePayment(_ context.Context, req mfspay.CreatePaymentRequest) (*mfspay.Checkout, error) {
	f.creates.Add(1)
	if err := req.Validate(); err != nil {
		return nil, err
	}
	if err := f.outcome(); err != nil {
		return nil, err
	}
	return &mfspay.Checkout{Provider: "fake", PaymentID: "pay_1", InvoiceID: req.InvoiceID, Status: mfspay.StatusPending}, nil
}

func (f *fakeGateway) VerifyPayment(_ context.Context, ref mfspay.PaymentRef) (*mfspay.Payment, error) {
	f.verifies.Add(1)
	if err := ref.Validate(); err != nil {
		return nil, err
	}
	if ref.InvoiceID != "" && !f.caps.VerifyByInvoice || ref.PaymentID != "" && !f.caps.VerifyByPaymentID {
		return nil, mfspay.Unsupported("fake", mfspay.OpVerify)
	}
	if err := f.outcome(); err != nil {
		return nil, err
	}
	return &mfspay.Payment{Provider: "fake", PaymentID: "pay_1", InvoiceID: ref.InvoiceID, Status: mfspay.StatusPaid}, nil
}

func (f *fakeGateway) ListPayments(_ context.Context, q mfspay.ListQuery) (*mfspay.PaymentPage, error) {
	f.lists.Add(1)
	if !f.caps.List {
		return nil, mfspay.Unsupported("fake", mfspay.OpList)
	}
	q, err := q.Normalize(f.caps.MaxPerPage)
	if err != nil {
		return nil, err
	}
	if err := f.outcome(); err != nil {
		return nil, err
	}
	return &mfspay.PaymentPage{Page: q.Page, PerPage: q.PerPage}, nil
}

func (f *fakeGateway) ParseWebhook(context.Context, mfspay.WebhookRequest) (*mfspay.Event, error) {
	return nil, &mfspay.Error{Kind: mfspay.ErrInvalidSignature, Provider: "fake", Op: "webhook"}
}

// providerErr returns an *Error of kind, as an adapter would.
func providerErr(kind error) error {
	return &mfspay.Error{Kind: kind, Provider: "fake", Op: mfspay.OpVerify}
}

var validCreate = mfspay.CreatePaymentRequest{
	InvoiceID:  "INV-1",
	Amount:     mfspay.Taka(250),
	SuccessURL: "https://shop.example/ok",
	CancelURL:  "https://shop.example/cancel",
}
