package mfspay_test

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/mfspay/mfspay"
)

// fakeDriver is a Driver whose every operation returns a scripted error and
// counts its calls, for tests of the portable layer.
type fakeDriver struct {
	caps mfspay.Capabilities

	mu  sync.Mutex
	err error // returned by create, verify and list

	creates, verifies, lists atomic.Int32
}

func newFakeDriver() *fakeDriver {
	return &fakeDriver{caps: mfspay.Capabilities{
		VerifyByInvoice: true, VerifyByPaymentID: true, List: true, ListByStatus: true, MaxPerPage: 100,
	}}
}

func (f *fakeDriver) fail(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.err = err
}

func (f *fakeDriver) outcome() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.err
}

func (f *fakeDriver) calls() int {
	return int(f.creates.Load() + f.verifies.Load() + f.lists.Load())
}

func (f *fakeDriver) Provider() string                  { return "fake" }
func (f *fakeDriver) Capabilities() mfspay.Capabilities { return f.caps }

func (f *fakeDriver) Create(_ context.Context, req mfspay.CreatePaymentRequest) (*mfspay.Checkout, error) {
	f.creates.Add(1)
	if err := f.outcome(); err != nil {
		return nil, err
	}
	return &mfspay.Checkout{Provider: "fake", PaymentID: "pay_1", InvoiceID: req.InvoiceID,
		RedirectURL: "https://fake.example/pay/pay_1", Status: mfspay.StatusPending}, nil
}

func (f *fakeDriver) Verify(_ context.Context, ref mfspay.PaymentRef) (*mfspay.Payment, error) {
	f.verifies.Add(1)
	if err := f.outcome(); err != nil {
		return nil, err
	}
	return &mfspay.Payment{Provider: "fake", PaymentID: "pay_1", InvoiceID: ref.InvoiceID, Status: mfspay.StatusPaid,
		Amount: mfspay.Taka(250)}, nil
}

func (f *fakeDriver) List(_ context.Context, q mfspay.ListQuery) (*mfspay.PaymentPage, error) {
	f.lists.Add(1)
	if err := f.outcome(); err != nil {
		return nil, err
	}
	return &mfspay.PaymentPage{Page: q.Page, PerPage: q.PerPage}, nil
}

func (f *fakeDriver) ParseNotification(context.Context, mfspay.WebhookRequest) (*mfspay.Event, error) {
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
