package bkashtest

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/json"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/conformance/simctl"
	"github.com/mfspay/mfspay/providers/kit"
	"github.com/mfspay/mfspay/providers/simkit"
)

// messages are the error table's texts for the codes the simulator answers.
var messages = map[string]string{
	"2001": "Invalid App Key", "2002": "Invalid Payment ID", "2006": "Invalid amount", "2007": "Invalid currency",
	"2008": "Invalid intent", "2023": "Insufficient Balance", "2031": "Invalid merchant invoice number",
	"2037": "Debit party identity tag prohibits execution of this transaction", "2048": "Invalid Payer Reference",
	"2049": "Invalid Merchant Callback URL", "2056": "Invalid Payment State", "2063": "Mode is not valid as per request data",
	"2065": "Mandatory field missing", "2117": "Payment execution already been called before",
	"9999": "Invalid credentials.",
}

// writeCode answers a business failure as bKash does: HTTP 200.
func writeCode(w http.ResponseWriter, code string) {
	simkit.WriteJSON(w, http.StatusOK, map[string]string{"statusCode": code, "statusMessage": messages[code]})
}

// gateway answers as the AWS API Gateway in front of bKash.
func gateway(w http.ResponseWriter, status int, msg string) {
	simkit.WriteJSON(w, status, map[string]string{"message": msg})
}

// errorBody is the body of an injected status fault.
func errorBody(status int) string {
	b, _ := json.Marshal(map[string]string{"message": http.StatusText(status)})
	return string(b)
}

// HTML502 is the fault of a proxy in front of bKash failing with its own
// HTML page.
var HTML502 = simctl.Fault{Status: http.StatusBadGateway, ContentType: "text/html",
	Body: "<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>"}

// request is every field of a request body; all are strings on the wire,
// and anything else is the gateway's "Invalid request body".
type request struct {
	AppKey       string `json:"app_key"`
	AppSecret    string `json:"app_secret"`
	RefreshToken string `json:"refresh_token"`

	Mode, PayerReference, CallbackURL, Amount, Currency, Intent, MerchantInvoiceNumber string
	PaymentID                                                                          string `json:"paymentID"`
}

func readRequest(w http.ResponseWriter, r *http.Request) (request, bool) {
	var b request
	if json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10)).Decode(&b) != nil {
		gateway(w, http.StatusBadRequest, "Invalid request body")
		return b, false
	}
	return b, true
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	base := "POST " + APIPrefix + "/tokenized/checkout/"
	mux.HandleFunc(base+"token/grant", s.token)
	mux.HandleFunc(base+"token/refresh", s.token)
	mux.HandleFunc(base+"create", s.authed(s.create))
	mux.HandleFunc(base+"execute", s.authed(s.execute))
	mux.HandleFunc(base+"payment/status", s.authed(s.query))
	mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) {
		gateway(w, http.StatusForbidden, "Missing Authentication Token")
	})
	return mux
}

func same(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

// token grants (or refreshes) an id_token for the configured credentials.
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	b, ok := readRequest(w, r)
	if !ok {
		return
	}
	now, c := s.Now(), s.cfg
	switch {
	case !s.tokens.Call(now):
		gateway(w, http.StatusTooManyRequests, "Too Many Requests")
	case !same(r.Header.Get("username"), c.username) || !same(r.Header.Get("password"), c.password) ||
		!same(b.AppSecret, c.appSecret):
		if c.rawNewline {
			w.Write([]byte("{\"statusCode\":\"9999\",\"statusMessage\":\"Invalid credentials.\n\"}"))
			return
		}
		writeCode(w, "9999")
	case !same(b.AppKey, c.appKey):
		writeCode(w, "2001")
	default:
		id, rt, ok := "", "", true
		if strings.HasSuffix(r.URL.Path, "/refresh") {
			id, rt, ok = s.tokens.Refresh(now, b.RefreshToken) // refresh tokens rotate
		} else {
			id, rt = s.tokens.Grant(now)
		}
		if !ok {
			simkit.WriteJSON(w, http.StatusOK, map[string]string{"statusCode": "9999", "statusMessage": "Invalid refresh token."})
			return
		}
		simkit.WriteJSON(w, http.StatusOK, map[string]any{"statusCode": "0000", "statusMessage": "Successful", "id_token": id,
			"token_type": "Bearer", "expires_in": json.Number(strconv.Itoa(int(c.tokenLife / time.Second))), "refresh_token": rt})
	}
}

// authed checks the token (bare or "Bearer ") and X-APP-Key, as the API
// gateway does, then runs h with the request body.
func (s *Server) authed(h func(http.ResponseWriter, *http.Request, request)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		known, fresh := s.tokens.Check(s.Now(), strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "))
		switch {
		case !known || !same(r.Header.Get("X-App-Key"), s.cfg.appKey):
			gateway(w, http.StatusUnauthorized, "Unauthorized")
		case !fresh:
			gateway(w, http.StatusUnauthorized, "The incoming token has expired")
		default:
			if b, ok := readRequest(w, r); ok {
				h(w, r, b)
			}
		}
	}
}

var amounts = regexp.MustCompile(`^[0-9]+(\.[0-9]{1,2})?$`)

// create registers a payment. Each create is a new paymentID, even for an
// invoice number already used: nothing says bKash refuses duplicates.
func (s *Server) create(w http.ResponseWriter, _ *http.Request, b request) {
	amount, err := mfspay.ParseAmount(b.Amount)
	code := ""
	switch {
	case b.Mode == "" || b.CallbackURL == "" || b.Amount == "" || b.Currency == "" || b.Intent == "" || b.MerchantInvoiceNumber == "":
		code = "2065"
	case b.Mode != "0011":
		code = "2063"
	case !amounts.MatchString(b.Amount) || err != nil || amount <= 0:
		code = "2006"
	case b.Currency != "BDT":
		code = "2007"
	case b.Intent != "sale":
		code = "2008"
	case len(b.MerchantInvoiceNumber) > 255 || strings.ContainsAny(b.MerchantInvoiceNumber, "<>&"):
		code = "2031"
	case !simkit.ValidURL(b.CallbackURL) || len(b.CallbackURL) > 2048:
		code = "2049"
	case len(b.PayerReference) > 255:
		code = "2048"
	}
	if code != "" {
		writeCode(w, code)
		return
	}
	now := s.Now()
	p, err := s.Insert(simkit.Payment{ID: "TR0011" + rand.Text()[:7] + strconv.FormatInt(now.UnixMilli(), 10),
		InvoiceID: b.MerchantInvoiceNumber, Amount: amount, SuccessURL: b.CallbackURL, CustomerPhone: b.PayerReference,
		Extra: map[string]string{"amount": b.Amount, "signature": rand.Text()[:10], "hash": rand.Text()}}, false)
	if err != nil {
		writeCode(w, "2065")
		return
	}
	simkit.WriteJSON(w, http.StatusOK, map[string]string{
		"paymentID": p.ID, "bkashURL": s.PagesURL() + "/?paymentId=" + p.ID + "&hash=" + p.Extra["hash"] + "&mode=0011&apiVersion=v1.2.0-beta/",
		"callbackURL": b.CallbackURL, "successCallbackURL": callbackURL(p, "success"),
		"failureCallbackURL": callbackURL(p, "failure"), "cancelledCallbackURL": callbackURL(p, "cancel"),
		"amount": b.Amount, "intent": "sale", "currency": "BDT", "paymentCreateTime": stamp(p.CreatedAt),
		"transactionStatus": "Initiated", "merchantInvoiceNumber": p.InvoiceID, "statusCode": "0000", "statusMessage": "Successful"})
}

// execute captures an approved payment, once.
func (s *Server) execute(w http.ResponseWriter, r *http.Request, b request) {
	now, code := s.Now(), ""
	p, err := s.Store.Update(b.PaymentID, func(p *simkit.Payment) error {
		switch {
		case p.Status == StateCompleted:
			code = "2117"
		case p.Status != StateApproved || !now.Before(p.CreatedAt.Add(PaymentLife)):
			code = "2056"
		case p.Sender == InsufficientBalance:
			code, p.Status = "2023", StateFailed
		case p.Sender == DebitBlocked:
			code, p.Status = "2037", StateFailed
		default:
			p.Status, p.PaidAt = StateCompleted, now
		}
		return nil
	})
	switch {
	case err != nil:
		writeCode(w, "2002")
		return
	case code != "":
		writeCode(w, code)
		return
	}
	s.notify(p)
	s.mu.Lock()
	hang := s.hangExecute
	s.hangExecute = 0
	s.mu.Unlock()
	if hang > 0 {
		t := time.NewTimer(hang)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
			return
		}
	}
	simkit.WriteJSON(w, http.StatusOK, map[string]string{
		"paymentID": p.ID, "trxID": p.TrxID, "transactionStatus": "Completed", "amount": p.Extra["amount"], "currency": "BDT",
		"intent": "sale", "paymentExecuteTime": stamp(p.PaidAt), "merchantInvoiceNumber": p.InvoiceID, "payerType": "Customer",
		"payerReference": p.CustomerPhone, "customerMsisdn": p.Sender, "payerAccount": p.Sender,
		"maxRefundableAmount": p.Extra["amount"], "statusCode": "0000", "statusMessage": "Successful"})
}

// query answers payment/status: Initiated until executed, whatever the
// customer did.
func (s *Server) query(w http.ResponseWriter, _ *http.Request, b request) {
	p, ok := s.Refresh(b.PaymentID)
	if !ok {
		writeCode(w, "2002")
		return
	}
	m := map[string]string{"paymentID": p.ID, "mode": "0011", "paymentCreateTime": stamp(p.CreatedAt),
		"amount": p.Extra["amount"], "currency": "BDT", "intent": "sale", "merchantInvoice": p.InvoiceID,
		"transactionStatus": "Initiated", "verificationStatus": "Incomplete", "payerReference": p.CustomerPhone,
		"statusCode": "0000", "statusMessage": "Successful"}
	if p.Method != "" { // the customer entered wallet, OTP and PIN
		m["verificationStatus"] = "Complete"
	}
	if p.Status == StateCompleted {
		m["transactionStatus"], m["trxID"], m["paymentExecuteTime"] = "Completed", p.TrxID, stamp(p.PaidAt)
	}
	simkit.WriteJSON(w, http.StatusOK, m)
}

// stamp writes bKash's timestamp: "2025-11-02T14:29:02:166 GMT+0600".
func stamp(t time.Time) string {
	s := t.In(kit.BangladeshTime).Format("2006-01-02T15:04:05.000 GMT-0700")
	return s[:19] + ":" + s[20:]
}

// tampers are the lies bKash's wire format can tell: a query answering
// Completed with no or negative money, about another payment, or in a state
// bKash's tokenized checkout never reports; a create answering a script as
// the bkashURL.
var tampers = map[simctl.Tamper]simkit.TamperFunc{
	simctl.TamperPaidZeroAmount: onQuery(func(m map[string]any) { m["transactionStatus"], m["amount"] = "Completed", "0" }),
	simctl.TamperNegativeAmount: onQuery(func(m map[string]any) {
		m["transactionStatus"], m["amount"] = "Completed", "-"+m["amount"].(string)
	}),
	simctl.TamperUnknownStatus: onQuery(func(m map[string]any) { m["transactionStatus"] = "Authorized" }),
	simctl.TamperOtherPayment: onQuery(func(m map[string]any) {
		m["paymentID"], m["merchantInvoice"], m["transactionStatus"] = "TR0011"+rand.Text()[:20], "INV-"+rand.Text()[:6], "Completed"
	}),
	simctl.TamperBadRedirect: simkit.RewriteJSON(func(r *http.Request) bool { return strings.HasSuffix(r.URL.Path, "/create") },
		"", func(m map[string]any) { m["bkashURL"] = simkit.BadRedirect }),
}

func onQuery(change func(map[string]any)) simkit.TamperFunc {
	return simkit.RewriteJSON(func(r *http.Request) bool { return strings.HasSuffix(r.URL.Path, "/payment/status") }, "",
		func(m map[string]any) {
			if m["statusCode"] == "0000" {
				change(m)
			}
		})
}
