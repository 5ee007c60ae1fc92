package conformance_test

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/conformance/simctl"
	"github.com/mfspay/mfspay/providers/kit"
	"github.com/mfspay/mfspay/providers/simkit"
)

// miniSim is MiniPay on the simulator kit (see minipay_driver_test.go for
// the wire). Everything but the wire format is the kit's.
type miniSim struct {
	*simkit.Server
	returns             mfspay.ReturnAction
	ids                 miniIDs
	notices             miniNotices
	key, badKey, secret string
}

var _ simctl.Controller = (*miniSim)(nil)

// newMiniSim starts a MiniPay whose customers return as mode says, whose
// create answer names the payment or not, as ids says, and whose
// notifications announce what notices says.
func newMiniSim(mode mfspay.ReturnAction, ids miniIDs, notices miniNotices) *miniSim {
	s := &miniSim{returns: mode, ids: ids, notices: notices,
		key: simkit.NewID("mk_", 12), badKey: simkit.NewID("mk_", 12), secret: simkit.NewID("mwh_", 12)}
	api := http.NewServeMux()
	api.HandleFunc("POST /api/payments", s.create)
	api.HandleFunc("GET /api/payments/{id}", s.get)
	api.HandleFunc("POST /api/payments/{id}/execute", s.execute)
	spec := simkit.Spec{
		Name: "MiniPay", APIPrefix: "/api", API: s.authenticate(api), PagePath: "/pay/",
		Methods: []simkit.MethodOption{{Value: "bkash", Label: "bKash", Method: mfspay.MethodBKash}},
		// Three statuses: a cancel or a lapse is an ERROR.
		Open: miniPending, Pending: miniPending, Paid: miniCompleted,
		Cancelled: miniError, Failed: miniError, Expired: miniError,
		Announce:  s.announce,
		ErrorBody: func(status int) string { return `{"error":"` + http.StatusText(status) + `"}` },
		Tampers:   miniTampers,
	}
	if mode == mfspay.ReturnExecute {
		spec.Paid = miniAuthorized // debited only by the merchant's execute
	}
	if mode != mfspay.ReturnNone {
		spec.ReturnURL = miniReturnURL
	}
	if notices == miniNoticesMoney {
		// As bKash: no pending is ever announced, and a cancel on the page
		// leaves the payment reading PENDING (only the return tells it).
		spec.Pending, spec.Cancelled = "", miniPending
	}
	s.Server = simkit.NewServer(spec, simkit.Options{})
	return s
}

// Settings configure miniDriverFromSettings against this simulator.
func (s *miniSim) Settings(context.Context) (simctl.Settings, error) {
	good := map[string]string{"base_url": s.BaseURL(), "api_key": s.key, "webhook_secret": s.secret,
		miniSettingMode: string(s.returns), miniSettingIDs: string(s.ids), miniSettingNotices: string(s.notices)}
	bad := maps.Clone(good)
	bad["api_key"] = s.badKey
	return simctl.Settings{Values: good, BadCredentials: bad, Secrets: []string{s.key, s.badKey, s.secret}}, nil
}

// miniReturnURL sends the browser to the merchant's return URL with the
// payment and what the customer did.
func miniReturnURL(p simkit.Payment, outcome string) string {
	u, err := url.Parse(p.Extra["return_url"])
	if err != nil || p.Extra["return_url"] == "" {
		return p.CancelURL
	}
	q := u.Query()
	q.Set("payment_id", p.ID)
	q.Set("status", map[string]string{simkit.OutcomePaid: "success", simkit.OutcomeCancelled: "cancel"}[outcome])
	if q.Get("status") == "" {
		q.Set("status", "failure")
	}
	u.RawQuery = q.Encode()
	return u.String()
}

func (s *miniSim) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || !kit.CheckSharedSecret(key, []string{s.key}) {
			writeMiniError(w, http.StatusUnauthorized, "unauthorized")
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (s *miniSim) create(w http.ResponseWriter, r *http.Request) {
	f, err := simkit.ReadFields(r.Body)
	if err != nil {
		writeMiniError(w, http.StatusBadRequest, "bad_json")
		return
	}
	p := simkit.Payment{
		ID: simkit.NewID("mp_", 8), InvoiceID: f.String("invoice", true, 64),
		SuccessURL: f.URL("success_url", true, 0), CancelURL: f.URL("cancel_url", true, 0),
		WebhookURL: f.URL("webhook_url", false, 0), Extra: map[string]string{"return_url": f.URL("return_url", false, 0)},
	}
	raw, _ := f.Raw("amount")
	poisha, perr := strconv.ParseInt(string(raw), 10, 64)
	if !f.OK() || perr != nil || poisha <= 0 {
		writeMiniError(w, http.StatusUnprocessableEntity, "invalid_request")
		return
	}
	p.Amount = mfspay.Poisha(poisha)
	if p, err = s.Insert(p, false); err != nil {
		writeMiniError(w, http.StatusInternalServerError, "store")
		return
	}
	ans := s.wirePayment(p, "", s.PageURL(p.ID))
	if s.ids == miniIDsLater {
		ans.ID = "" // only the page to send the customer to
	}
	s.send(w, http.StatusCreated, ans)
}

func (s *miniSim) get(w http.ResponseWriter, r *http.Request) {
	p, ok := s.Refresh(r.PathValue("id"))
	if !ok {
		writeMiniError(w, http.StatusNotFound, "not_found")
		return
	}
	s.answer(w, http.StatusOK, p, "")
}

// errNotAuthorized and errExecuted are MiniPay's refusals of an execute.
var (
	errNotAuthorized = errors.New("not_authorized")
	errExecuted      = errors.New("already_executed")
)

// execute debits an AUTHORIZED payment, once.
func (s *miniSim) execute(w http.ResponseWriter, r *http.Request) {
	p, err := s.Store.Update(r.PathValue("id"), func(p *simkit.Payment) error {
		switch p.Status {
		case miniAuthorized:
			p.Status, p.UpdatedAt = miniCompleted, s.Now()
			return nil
		case miniCompleted:
			return errExecuted
		}
		return errNotAuthorized
	})
	switch {
	case errors.Is(err, simkit.ErrPaymentNotFound):
		writeMiniError(w, http.StatusNotFound, "not_found")
	case err != nil:
		writeMiniError(w, http.StatusConflict, err.Error())
	default:
		s.announce(s.Server, p)
		s.answer(w, http.StatusOK, p, "")
	}
}

// announce notifies every status but AUTHORIZED, which only the merchant
// learns of, from the customer's return; with money notices, only the
// money of a COMPLETED payment, naming no payment.
func (s *miniSim) announce(k *simkit.Server, p simkit.Payment) {
	var body []byte
	switch {
	case p.Status == miniAuthorized:
		return
	case s.notices == miniNoticesMoney && p.Status != miniCompleted:
		return
	case s.notices == miniNoticesMoney:
		body, _ = json.Marshal(miniMoney{EventID: simkit.NewID("evt_", 8), TrxID: p.TrxID,
			Amount: json.Number(strconv.FormatInt(p.Amount.Poisha(), 10)), Sender: p.Sender, Method: p.Method, Reference: p.InvoiceID})
	default:
		body, _ = json.Marshal(s.wirePayment(p, simkit.NewID("evt_", 8), ""))
	}
	k.Notifier.Send(simkit.Notification{
		PaymentID: p.ID, URL: p.WebhookURL, Body: body,
		Header: http.Header{miniSignature: {kit.SignHMACSHA256(body, s.secret)}, "Content-Type": {"application/json"}},
	})
}

func (s *miniSim) answer(w http.ResponseWriter, status int, p simkit.Payment, eventID string) {
	s.send(w, status, s.wirePayment(p, eventID, s.PageURL(p.ID)))
}

func (s *miniSim) send(w http.ResponseWriter, status int, ans miniPayment) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(ans)
}

// wirePayment is p on the wire; with money notices, as bKash's reads, it
// carries no payer's number.
func (s *miniSim) wirePayment(p simkit.Payment, eventID, payURL string) miniPayment {
	w := miniPayment{
		EventID: eventID, ID: p.ID, Invoice: p.InvoiceID, Status: p.Status,
		Amount: json.Number(strconv.FormatInt(p.Amount.Poisha(), 10)), TrxID: p.TrxID, Sender: p.Sender, Method: p.Method, PayURL: payURL,
	}
	if s.notices == miniNoticesMoney {
		w.Sender = ""
	}
	return w
}

func writeMiniError(w http.ResponseWriter, status int, code string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"error": code})
}

// miniTampers are the lies MiniPay's wire can tell (simctl.Tamper).
var miniTampers = map[simctl.Tamper]simkit.TamperFunc{
	simctl.TamperPaidZeroAmount: simkit.RewriteJSON(isMiniRead, "", func(p map[string]any) {
		p["status"], p["amount"] = miniCompleted, json.Number("0")
	}),
	simctl.TamperNegativeAmount: simkit.RewriteJSON(isMiniRead, "", func(p map[string]any) {
		p["status"], p["amount"] = miniCompleted, simkit.Negate(p["amount"])
	}),
	simctl.TamperOtherPayment: simkit.RewriteJSON(isMiniRead, "", func(p map[string]any) {
		p["id"], p["invoice"], p["status"] = simkit.NewID("mp_", 8), simkit.NewID("INV-", 4), miniCompleted
	}),
	simctl.TamperUnknownStatus: simkit.RewriteJSON(func(r *http.Request) bool { return isMiniRead(r) || isMiniCreate(r) }, "",
		func(p map[string]any) { p["status"] = "ON_HOLD" }),
	simctl.TamperBadRedirect: simkit.RewriteJSON(isMiniCreate, "", func(p map[string]any) { p["pay_url"] = simkit.BadRedirect }),
}

func isMiniRead(r *http.Request) bool {
	return r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/api/payments/")
}

func isMiniCreate(r *http.Request) bool {
	return r.Method == http.MethodPost && r.URL.Path == "/api/payments"
}
