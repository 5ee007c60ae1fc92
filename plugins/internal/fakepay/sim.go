// Package fakepay is a tiny payment provider for testing the plugin
// protocol without HTTP: a Simulator holding payments in memory and a
// Gateway reading them through a process-wide registry, so that a plugin's
// own simulator and gateway meet inside the plugin process.
//
// It covers every field and error kind the protocol carries; it is not a
// model of any real provider.
package fakepay

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/conformance/simctl"
	"github.com/mfspay/mfspay/providers/kit"
)

// Setting names.
const (
	SettingStore         = "store"
	SettingToken         = "token"
	SettingWebhookSecret = "webhook_secret"
	// SettingSay is printed to stdout and stderr by FromSettings.
	SettingSay = "say"
)

// SignatureHeader carries the hex HMAC-SHA256 of a notification body.
const SignatureHeader = "X-Fakepay-Signature"

var (
	registryMu sync.Mutex
	registry   = map[string]*Simulator{}
	nextID     atomic.Int64
)

// Simulator is the fake provider: payments, faults and notifications.
type Simulator struct {
	id, token, secret string

	mu       sync.Mutex
	payments []*mfspay.Payment // creation order
	expires  map[string]time.Time
	notes    map[string][]mfspay.WebhookRequest
	faults   []simctl.Fault
	requests int
}

// NewSimulator registers a new simulator. Close unregisters it.
func NewSimulator() *Simulator {
	n, now := nextID.Add(1), time.Now().UnixNano()
	s := newSimulator(fmt.Sprintf("store-%d-%d", n, now),
		fmt.Sprintf("fk_secret_token_%d_%d", n, now), fmt.Sprintf("fk_webhook_secret_%d_%d", n, now))
	registryMu.Lock()
	registry[s.id] = s
	registryMu.Unlock()
	return s
}

func newSimulator(id, token, secret string) *Simulator {
	return &Simulator{id: id, token: token, secret: secret,
		expires: map[string]time.Time{}, notes: map[string][]mfspay.WebhookRequest{}}
}

// Close unregisters the simulator.
func (s *Simulator) Close() error {
	registryMu.Lock()
	delete(registry, s.id)
	registryMu.Unlock()
	return nil
}

func lookupOrCreate(id, token, secret string) *Simulator {
	registryMu.Lock()
	defer registryMu.Unlock()
	if s := registry[id]; s != nil {
		return s
	}
	s := newSimulator(id, token, secret)
	registry[id] = s
	return s
}

// Settings implements simctl.Controller.
func (s *Simulator) Settings(context.Context) (simctl.Settings, error) {
	return simctl.Settings{
		Values:         map[string]string{SettingStore: s.id, SettingToken: s.token, SettingWebhookSecret: s.secret},
		BadCredentials: map[string]string{SettingStore: s.id, SettingToken: "fk_wrong_token", SettingWebhookSecret: s.secret},
		Secrets:        []string{s.token, s.secret},
	}, nil
}

// Pay implements simctl.Controller.
func (s *Simulator) Pay(_ context.Context, paymentID string, p simctl.Payer) error {
	return s.finish(paymentID, mfspay.StatusPaid, func(pay *mfspay.Payment) {
		pay.Method, pay.Sender, pay.TrxID = p.Method, p.Sender, p.TrxID
		pay.PaidAt = time.Date(2026, 6, 8, 11, 45, 0, 0, time.UTC)
	})
}

// Cancel implements simctl.Controller.
func (s *Simulator) Cancel(_ context.Context, paymentID string) error {
	return s.finish(paymentID, mfspay.StatusCancelled, nil)
}

// Expire implements simctl.Controller.
func (s *Simulator) Expire(_ context.Context, paymentID string) error {
	return s.finish(paymentID, mfspay.StatusExpired, nil)
}

func (s *Simulator) finish(paymentID string, st mfspay.Status, edit func(*mfspay.Payment)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.find(mfspay.PaymentRef{PaymentID: paymentID})
	if p == nil {
		return errors.New("fakepay: no payment " + paymentID) // deliberately a plain error
	}
	if p.Status.Final() {
		return errors.New("fakepay: payment " + paymentID + " is already " + string(p.Status))
	}
	p.Status = st
	if edit != nil {
		edit(p)
	}
	typ, _ := mfspay.EventTypeFor(st)
	body, _ := json.Marshal(wireEvent{
		ID: fmt.Sprintf("evt_%s_%d", paymentID, len(s.notes[paymentID])+1), Type: string(typ),
		PaymentID: p.PaymentID, InvoiceID: p.InvoiceID, Status: string(p.Status), Amount: p.Amount,
		TrxID: p.TrxID, Method: string(p.Method), Sender: p.Sender, PaidAt: p.PaidAt,
	})
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set(SignatureHeader, kit.SignHMACSHA256(body, s.secret))
	s.notes[paymentID] = append(s.notes[paymentID], mfspay.WebhookRequest{Header: h, Body: body})
	return nil
}

// Fail implements simctl.Controller.
func (s *Simulator) Fail(_ context.Context, f simctl.Fault) error {
	if f.Count <= 0 {
		f.Count = 1
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for range f.Count {
		s.faults = append(s.faults, f)
	}
	return nil
}

// ClearFaults implements simctl.Controller.
func (s *Simulator) ClearFaults(context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
	return nil
}

// RequestCount implements simctl.Controller.
func (s *Simulator) RequestCount(context.Context) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests, nil
}

// PaymentCount implements simctl.Controller.
func (s *Simulator) PaymentCount(_ context.Context, invoiceID string) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, p := range s.payments {
		if p.InvoiceID == invoiceID {
			n++
		}
	}
	return n, nil
}

// Notifications implements simctl.Controller.
func (s *Simulator) Notifications(_ context.Context, paymentID string) ([]mfspay.WebhookRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]mfspay.WebhookRequest(nil), s.notes[paymentID]...), nil
}

// Returns is empty: fakepay's customers return with nothing to act on.
func (s *Simulator) Returns(context.Context, string) ([]mfspay.ReturnRequest, error) { return nil, nil }

// enter counts an API request and applies the next fault, if any: it waits
// out a Delay (bounded by ctx) and answers a Status as an *mfspay.Error.
func (s *Simulator) enter(ctx context.Context, op, token string) error {
	s.mu.Lock()
	s.requests++
	var f *simctl.Fault
	if len(s.faults) > 0 {
		f = &s.faults[0]
		s.faults = s.faults[1:]
	}
	s.mu.Unlock()
	if f != nil && f.Delay > 0 {
		t := time.NewTimer(f.Delay)
		defer t.Stop()
		select {
		case <-ctx.Done():
			return &mfspay.Error{Kind: mfspay.ErrUnavailable, Provider: Name, Op: op, Message: "call ended by the caller's context", Err: ctx.Err()}
		case <-t.C:
		}
	}
	if f != nil && f.Status != 0 {
		e := &mfspay.Error{Kind: kit.KindForStatus(f.Status), Provider: Name, Op: op, HTTPStatus: f.Status,
			Code: "E" + strconv.Itoa(f.Status), Message: f.Body, RetryAfter: f.RetryAfter}
		if e.Kind == mfspay.ErrUnavailable && op == mfspay.OpCreate {
			e.Kind = mfspay.ErrOutcomeUnknown
		}
		return e
	}
	if token != s.token {
		return &mfspay.Error{Kind: mfspay.ErrUnauthorized, Provider: Name, Op: op, HTTPStatus: 401, Code: "bad_token", Message: "invalid token"}
	}
	return nil
}

// find returns the payment ref names. s.mu must be held.
func (s *Simulator) find(ref mfspay.PaymentRef) *mfspay.Payment {
	for _, p := range s.payments {
		if ref.PaymentID != "" && p.PaymentID == ref.PaymentID || ref.InvoiceID != "" && p.InvoiceID == ref.InvoiceID {
			return p
		}
	}
	return nil
}

func (s *Simulator) create(req mfspay.CreatePaymentRequest) (*mfspay.Checkout, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.find(mfspay.PaymentRef{InvoiceID: req.InvoiceID}) != nil {
		return nil, &mfspay.Error{Kind: mfspay.ErrDuplicate, Provider: Name, Op: mfspay.OpCreate, HTTPStatus: 409,
			Code: "duplicate_invoice", Message: "invoice_id already exists"}
	}
	id := fmt.Sprintf("fp_%d", len(s.payments)+1)
	s.payments = append(s.payments, &mfspay.Payment{Provider: Name, PaymentID: id, InvoiceID: req.InvoiceID,
		Status: mfspay.StatusPending, Amount: req.Amount, Method: mfspay.MethodUnknown})
	exp := time.Date(2026, 6, 8, 12, 30, 0, 0, time.UTC)
	s.expires[id] = exp
	return &mfspay.Checkout{Provider: Name, PaymentID: id, InvoiceID: req.InvoiceID,
		RedirectURL: "https://fakepay.invalid/p/" + id, ExpiresAt: exp, Status: mfspay.StatusPending}, nil
}

func (s *Simulator) verify(ref mfspay.PaymentRef) (*mfspay.Payment, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.find(ref)
	if p == nil {
		return nil, &mfspay.Error{Kind: mfspay.ErrNotFound, Provider: Name, Op: mfspay.OpVerify, HTTPStatus: 404,
			Code: "not_found", Message: "Payment not found"}
	}
	out := *p
	return &out, nil
}

func (s *Simulator) list(q mfspay.ListQuery) *mfspay.PaymentPage {
	s.mu.Lock()
	defer s.mu.Unlock()
	var match []mfspay.Payment
	for i := len(s.payments) - 1; i >= 0; i-- { // newest first
		if p := s.payments[i]; q.Status == "" || p.Status == q.Status {
			match = append(match, *p)
		}
	}
	page := &mfspay.PaymentPage{Page: q.Page, PerPage: q.PerPage, Total: len(match)}
	from := min((q.Page-1)*q.PerPage, len(match))
	to := min(from+q.PerPage, len(match))
	page.Payments = match[from:to]
	page.HasMore = to < len(match)
	return page
}

// wireEvent is a notification body.
type wireEvent struct {
	ID        string        `json:"id"`
	Type      string        `json:"type"`
	PaymentID string        `json:"payment_id"`
	InvoiceID string        `json:"invoice_id"`
	Status    string        `json:"status"`
	Amount    mfspay.Amount `json:"amount"`
	TrxID     string        `json:"trx_id,omitempty"`
	Method    string        `json:"method,omitempty"`
	Sender    string        `json:"sender,omitempty"`
	PaidAt    time.Time     `json:"paid_at,omitzero"`
	Reference string        `json:"reference,omitempty"`
}
