package conformance_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/providers/kit"
)

// MiniPay is a provider made up for these tests, honest and small: its
// only statuses are PENDING, COMPLETED and ERROR (no cancelled, no
// expired: a customer who cancels or lapses is an ERROR), it looks
// payments up by payment id only, lists nothing, and refuses no reused
// invoice. Its customer's return is configurable: none, one the merchant
// verifies (as UddoktaPay's), or one the merchant must execute before
// anything is debited (as bKash's, with a payment AUTHORIZED until then).
// So is its create answer: with the payment's id, or, as UddoktaPay's,
// with only the page to send the customer to (the id arrives with the
// return or the notification). And so are its notifications: the payment
// object at each status, or, as bKash's, only the money received (setting
// "notices" = "money"), with no payment named. In that shape MiniPay also
// answers reads without the payer's number, never announces a pending
// payment, and learns of a cancel only from the customer's return: its
// reads keep answering PENDING after one.
//
// The driver trusts the portable layer with every check of its answers, as
// a driver may: it maps the wire and nothing more. That makes it the
// adapter the tamper rules are shown on without the layer (broken_test.go).
//
// Wire: Authorization: Bearer <api_key>;
//
//	POST /api/payments {"invoice","amount" (poisha),"success_url","cancel_url","return_url","webhook_url"}
//	  → 201 {"id","status","pay_url"}
//	GET  /api/payments/{id} → {"id","invoice","status","amount","trx_id","sender","method"}
//	POST /api/payments/{id}/execute → 200 the payment | 409 {"error":"not_authorized"|"already_executed"}
//	errors: {"error": "<code>"}
//
// Notifications are the payment object plus "event_id", or, with money
// notices, {"event_id","trx_id","amount","sender","method","reference"}
// once a payment is COMPLETED; either is signed with Mini-Signature: hex
// HMAC-SHA256 of the body. The return is the merchant's return URL plus
// payment_id and status (success, cancel or failure).

const (
	miniName           = "minipay"
	miniSignature      = "Mini-Signature"
	miniCompleted      = "COMPLETED"
	miniAuthorized     = "AUTHORIZED"
	miniPending        = "PENDING"
	miniError          = "ERROR"
	miniSettingMode    = "returns"
	miniSettingIDs     = "ids"
	miniSettingNotices = "notices"
)

// miniIDs says when MiniPay names a payment: in the create answer, or only
// later (the setting "ids").
type miniIDs string

const (
	miniIDsAtCreate miniIDs = ""
	miniIDsLater    miniIDs = "later"
)

// miniNotices says what MiniPay's notifications announce: each payment's
// status, or only money received (the setting "notices").
type miniNotices string

const (
	miniNoticesPayments miniNotices = ""
	miniNoticesMoney    miniNotices = "money"
)

// miniStatuses is the driver's exact status table.
var miniStatuses = map[string]mfspay.Status{
	miniPending: mfspay.StatusPending, miniAuthorized: mfspay.StatusPending,
	miniCompleted: mfspay.StatusPaid, miniError: mfspay.StatusFailed,
}

// miniDriver is MiniPay's mfspay.ReturnDriver.
type miniDriver struct {
	base, key string
	secrets   []string
	returns   mfspay.ReturnAction
	ids       miniIDs
	notices   miniNotices
	http      *kit.HTTPClient
}

// miniDriverFromSettings reads base_url, api_key, webhook_secret, returns
// ("", "verify" or "execute"), ids ("" or "later") and notices ("" or
// "money").
func miniDriverFromSettings(settings map[string]string, r mfspay.Resilience) (mfspay.Driver, error) {
	base, _, err := kit.ParseBaseURL(miniName, settings["base_url"], "")
	if err != nil {
		return nil, err
	}
	if settings["api_key"] == "" {
		return nil, kit.Invalid(miniName, "configure", "api_key", "is required")
	}
	mode := mfspay.ReturnAction(settings[miniSettingMode])
	if mode != mfspay.ReturnNone && mode != mfspay.ReturnVerify && mode != mfspay.ReturnExecute {
		return nil, kit.Invalid(miniName, "configure", miniSettingMode, "must be empty, verify or execute")
	}
	ids := miniIDs(settings[miniSettingIDs])
	if ids != miniIDsAtCreate && ids != miniIDsLater {
		return nil, kit.Invalid(miniName, "configure", miniSettingIDs, "must be empty or later")
	}
	notices := miniNotices(settings[miniSettingNotices])
	if notices != miniNoticesPayments && notices != miniNoticesMoney {
		return nil, kit.Invalid(miniName, "configure", miniSettingNotices, "must be empty or money")
	}
	secrets := kit.SettingList(settings["webhook_secret"])
	return &miniDriver{
		base: base, key: settings["api_key"], secrets: secrets, returns: mode, ids: ids, notices: notices,
		http: kit.NewClient(miniName, r, append([]string{settings["api_key"]}, secrets...)...),
	}, nil
}

// miniFromSettings is miniDriverFromSettings under the portable layer.
func miniFromSettings(settings map[string]string, r mfspay.Resilience) (mfspay.Gateway, error) {
	d, err := miniDriverFromSettings(settings, r)
	if err != nil {
		return nil, err
	}
	return mfspay.NewGateway(d, r), nil
}

func (d *miniDriver) Provider() string { return miniName }

func (d *miniDriver) Capabilities() mfspay.Capabilities {
	caps := mfspay.Capabilities{
		VerifyByPaymentID: true,
		Webhook:           mfspay.WebhookHMACSHA256,
		EventTypes:        []mfspay.EventType{mfspay.EventPaymentPending, mfspay.EventPaymentCompleted, mfspay.EventPaymentFailed},
		Statuses:          []mfspay.Status{mfspay.StatusPending, mfspay.StatusPaid, mfspay.StatusFailed},
		Return:            d.returns,
		PaymentIDLater:    d.ids == miniIDsLater,
	}
	if d.notices == miniNoticesMoney {
		// Notifications announce money only; every payment event comes
		// from the customer's return, the cancel among them, which only
		// the return tells.
		caps.EventTypes = []mfspay.EventType{mfspay.EventTransactionReceived}
		if d.returns != mfspay.ReturnNone {
			caps.EventTypes = append(caps.EventTypes, mfspay.EventPaymentPending, mfspay.EventPaymentCompleted,
				mfspay.EventPaymentFailed, mfspay.EventPaymentCancelled)
			caps.Statuses = append(caps.Statuses, mfspay.StatusCancelled)
		}
	}
	return caps
}

// miniPayment is the payment object on the wire.
type miniPayment struct {
	EventID string      `json:"event_id,omitempty"`
	ID      string      `json:"id"`
	Invoice string      `json:"invoice"`
	Status  string      `json:"status"`
	Amount  json.Number `json:"amount"`
	TrxID   string      `json:"trx_id"`
	Sender  string      `json:"sender"`
	Method  string      `json:"method"`
	PayURL  string      `json:"pay_url"`
}

func (w miniPayment) payment() (mfspay.Payment, error) {
	poisha, err := strconv.ParseInt(w.Amount.String(), 10, 64)
	if w.Amount == "" {
		poisha, err = 0, nil // a create answer carries none
	}
	return mfspay.Payment{
		PaymentID: w.ID, InvoiceID: w.Invoice, Status: kit.MapStatus(miniStatuses, w.Status),
		Amount: mfspay.Poisha(poisha), TrxID: w.TrxID, Sender: w.Sender, Method: kit.ParseMethod(w.Method),
	}, err
}

func (d *miniDriver) Create(ctx context.Context, req mfspay.CreatePaymentRequest) (*mfspay.Checkout, error) {
	body, err := json.Marshal(map[string]any{
		"invoice": req.InvoiceID, "amount": req.Amount.Poisha(), "success_url": req.SuccessURL,
		"cancel_url": req.CancelURL, "return_url": req.ReturnURL, "webhook_url": req.WebhookURL,
	})
	if err != nil {
		return nil, kit.Invalid(miniName, mfspay.OpCreate, "", "cannot be encoded")
	}
	w, err := d.call(ctx, mfspay.OpCreate, http.MethodPost, "/payments", body, false)
	if err != nil {
		// No lookup by invoice: an ambiguous create stays ErrOutcomeUnknown.
		return nil, err
	}
	p, err := w.payment()
	if err != nil {
		return nil, malformedMini(mfspay.OpCreate)
	}
	return &mfspay.Checkout{PaymentID: p.PaymentID, InvoiceID: req.InvoiceID, RedirectURL: w.PayURL, Status: p.Status}, nil
}

func (d *miniDriver) Verify(ctx context.Context, ref mfspay.PaymentRef) (*mfspay.Payment, error) {
	w, err := d.call(ctx, mfspay.OpVerify, http.MethodGet, "/payments/"+url.PathEscape(ref.PaymentID), nil, true)
	if err != nil {
		return nil, err
	}
	p, err := w.payment()
	if err != nil {
		return nil, malformedMini(mfspay.OpVerify)
	}
	return &p, nil
}

func (d *miniDriver) List(context.Context, mfspay.ListQuery) (*mfspay.PaymentPage, error) {
	return nil, kit.Unsupported(miniName, mfspay.OpList)
}

// miniMoney is a money notice on the wire.
type miniMoney struct {
	EventID   string      `json:"event_id"`
	TrxID     string      `json:"trx_id"`
	Amount    json.Number `json:"amount"`
	Sender    string      `json:"sender"`
	Method    string      `json:"method"`
	Reference string      `json:"reference"`
}

func (d *miniDriver) ParseNotification(_ context.Context, req mfspay.WebhookRequest) (*mfspay.Event, error) {
	if !kit.VerifyHMACSHA256(req.Body, req.Header.Get(miniSignature), d.secrets) {
		return nil, &mfspay.Error{Kind: mfspay.ErrInvalidSignature, Message: "Mini-Signature does not match the body"}
	}
	if d.notices == miniNoticesMoney {
		var m miniMoney
		if err := json.Unmarshal(req.Body, &m); err != nil {
			return nil, kit.Invalid(miniName, "webhook", "body", "is not a MiniPay money notice")
		}
		poisha, err := strconv.ParseInt(m.Amount.String(), 10, 64)
		if err != nil {
			return nil, kit.Invalid(miniName, "webhook", "amount", "is not an integer of poisha")
		}
		return &mfspay.Event{ID: m.EventID, Type: mfspay.EventTransactionReceived, Reference: m.Reference,
			Payment: mfspay.Payment{Status: mfspay.StatusPaid, Amount: mfspay.Poisha(poisha), TrxID: m.TrxID,
				Sender: m.Sender, Method: kit.ParseMethod(m.Method)}}, nil
	}
	var w miniPayment
	if err := json.Unmarshal(req.Body, &w); err != nil {
		return nil, kit.Invalid(miniName, "webhook", "body", "is not a MiniPay payment")
	}
	p, err := w.payment()
	if err != nil {
		return nil, kit.Invalid(miniName, "webhook", "amount", "is not an integer of poisha")
	}
	return miniEvent(w.EventID, p), nil
}

// CompleteReturn acts on the customer's return: it executes the payment
// the return names when the provider needs that and the customer says it
// succeeded, and in every case reports what MiniPay answers about the
// payment, never what the return's query claims. With money notices,
// MiniPay's reads never tell a cancel or a refusal on its page: a payment
// it still reads as PENDING is reported as the return's cancel or failure
// (as bKash's adapter does with Initiated), which is never paid.
func (d *miniDriver) CompleteReturn(ctx context.Context, req mfspay.ReturnRequest) (*mfspay.Event, error) {
	id := req.Query.Get("payment_id")
	if (mfspay.PaymentRef{PaymentID: id}).Validate() != nil {
		return nil, kit.Invalid(miniName, mfspay.OpReturn, "payment_id", "is missing or not a payment id")
	}
	path := "/payments/" + url.PathEscape(id)
	var w *miniPayment
	var err error
	if d.returns == mfspay.ReturnExecute && req.Query.Get("status") == "success" {
		// Not idempotent on the wire, so never retried blindly: a refused
		// execute (already executed, or never authorized) and one whose
		// outcome is unknown are settled by a read.
		w, err = d.call(ctx, mfspay.OpReturn, http.MethodPost, path+"/execute", nil, false)
		var e *mfspay.Error
		if errors.As(err, &e) && (e.HTTPStatus == http.StatusConflict || errors.Is(err, mfspay.ErrOutcomeUnknown)) {
			w, err = nil, nil
		}
	}
	if w == nil && err == nil {
		w, err = d.call(ctx, mfspay.OpReturn, http.MethodGet, path, nil, true)
	}
	if err != nil {
		return nil, err
	}
	p, err := w.payment()
	if err != nil {
		return nil, malformedMini(mfspay.OpReturn)
	}
	if d.notices == miniNoticesMoney && w.Status == miniPending {
		p.Status = map[string]mfspay.Status{"cancel": mfspay.StatusCancelled, "failure": mfspay.StatusFailed}[req.Query.Get("status")]
		if p.Status == "" {
			p.Status = mfspay.StatusPending
		}
	}
	return miniEvent("return:"+p.PaymentID+":"+string(p.Status), p), nil
}

// miniEvent is the event announcing p.
func miniEvent(id string, p mfspay.Payment) *mfspay.Event {
	typ, ok := mfspay.EventTypeFor(p.Status)
	if !ok {
		typ = mfspay.EventPaymentPending // an unmapped status announces nothing
	}
	return &mfspay.Event{ID: id, Type: typ, Payment: p}
}

// call sends one request and decodes a payment answer.
func (d *miniDriver) call(ctx context.Context, op, method, path string, body []byte, idempotent bool) (*miniPayment, error) {
	h := http.Header{"Authorization": {"Bearer " + d.key}}
	if body != nil {
		h.Set("Content-Type", "application/json")
	}
	resp, err := d.http.Do(ctx, kit.HTTPRequest{Op: op, Method: method, URL: d.base + path, Header: h, Body: body, Idempotent: idempotent})
	if err != nil {
		return nil, err
	}
	if !resp.OK() {
		var e struct{ Error string }
		_ = json.Unmarshal(resp.Body, &e)
		return nil, d.http.StatusError(op, resp, e.Error, e.Error)
	}
	var w miniPayment
	if err := json.Unmarshal(resp.Body, &w); err != nil {
		return nil, malformedMini(op)
	}
	return &w, nil
}

func malformedMini(op string) error {
	kind := mfspay.ErrUnavailable
	if op == mfspay.OpCreate {
		kind = mfspay.ErrOutcomeUnknown
	}
	return &mfspay.Error{Kind: kind, Provider: miniName, Op: op, Message: "malformed answer"}
}
