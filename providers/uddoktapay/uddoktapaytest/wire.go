package uddoktapaytest

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/conformance/simctl"
	"github.com/mfspay/mfspay/providers/kit"
	"github.com/mfspay/mfspay/providers/simkit"
)

// The panel's payment states. INITIATED (created, nothing submitted) is
// reported as PENDING by verify; a rejected submission is ERROR.
const (
	StatusInitiated = "INITIATED"
	StatusPending   = "PENDING"
	StatusCompleted = "COMPLETED"
	StatusError     = "ERROR"
)

// Keys of simkit.Payment.Extra.
const (
	extraToken      = "token"       // the 40 hex digits of payment_url
	extraMetadata   = "metadata"    // the request's metadata, verbatim
	extraReturnType = "return_type" // GET or POST
	extraFee        = "fee"         // fixed at create
)

// methods are the wallets the hosted page offers, by UddoktaPay's slugs.
var methods = []simkit.MethodOption{
	{Value: "bkash", Label: "bKash", Method: mfspay.MethodBKash},
	{Value: "nagad", Label: "Nagad", Method: mfspay.MethodNagad},
	{Value: "rocket", Label: "Rocket", Method: mfspay.MethodRocket},
	{Value: "upay", Label: "Upay", Method: mfspay.MethodUpay},
}

// paymentBody is verify's answer and the IPN's body. Amounts are strings
// with two decimals, built from integer poisha.
type paymentBody struct {
	FullName      string          `json:"full_name"`
	Email         string          `json:"email"`
	Amount        string          `json:"amount"`
	Fee           string          `json:"fee"`
	ChargedAmount string          `json:"charged_amount"`
	InvoiceID     string          `json:"invoice_id"`
	Metadata      json.RawMessage `json:"metadata"`
	PaymentMethod string          `json:"payment_method"`
	SenderNumber  string          `json:"sender_number"`
	TransactionID string          `json:"transaction_id"`
	Date          string          `json:"date"`
	Status        string          `json:"status"`
}

// bodyOf describes p as verify answers it.
func bodyOf(p simkit.Payment) paymentBody {
	fee, _ := mfspay.ParseAmount(p.Extra[extraFee])
	status, date := p.Status, p.UpdatedAt
	if status == StatusInitiated {
		status = StatusPending
	}
	if !p.PaidAt.IsZero() {
		date = p.PaidAt
	}
	return paymentBody{
		FullName: p.CustomerName, Email: p.CustomerEmail, InvoiceID: p.ID,
		Amount: p.Amount.String(), Fee: fee.String(), ChargedAmount: (p.Amount + fee).String(),
		Metadata:      json.RawMessage(p.Extra[extraMetadata]),
		PaymentMethod: p.Method, SenderNumber: p.Sender, TransactionID: p.TrxID,
		Date: date.In(kit.BangladeshTime).Format("2006-01-02 15:04:05"), Status: status,
	}
}

// fee is bp/10000 of a, rounded down to the poisha. Splitting a into whole
// ten-thousands and the rest keeps every product below a and 10000², so it
// cannot overflow for any amount, and it is exactly floor(a*bp/10000).
func fee(a mfspay.Amount, bp int64) mfspay.Amount {
	return a/10000*mfspay.Amount(bp) + a%10000*mfspay.Amount(bp)/10000
}

// tampers are the lies the wire format can tell: verify's answer about a
// payment, and create's payment_url.
var tampers = map[simctl.Tamper]simkit.TamperFunc{
	simctl.TamperPaidZeroAmount: onPayment(func(o map[string]any) { o["status"], o["amount"] = StatusCompleted, "0.00" }),
	simctl.TamperOtherPayment: onPayment(func(o map[string]any) {
		o["status"], o["invoice_id"] = StatusCompleted, newInvoiceID()
		o["metadata"] = map[string]string{"order_id": "OTHER-" + newInvoiceID()}
	}),
	simctl.TamperUnknownStatus: onPayment(func(o map[string]any) { o["status"] = "ON_HOLD" }),
	simctl.TamperNegativeAmount: onPayment(func(o map[string]any) {
		o["status"], o["amount"] = StatusCompleted, "-"+fmt.Sprint(o["amount"])
	}),
	simctl.TamperBadRedirect: simkit.RewriteJSON(isRoute("/api/checkout-v2"), "",
		func(o map[string]any) { o["payment_url"] = simkit.BadRedirect }),
}

// onPayment rewrites verify answers that describe a payment, not the
// error envelope.
func onPayment(change func(map[string]any)) simkit.TamperFunc {
	rewrite := simkit.RewriteJSON(isRoute("/api/verify-payment"), "", change)
	return func(r *http.Request, status int, body []byte) ([]byte, bool) {
		if !bytes.Contains(body, []byte(`"invoice_id"`)) {
			return nil, false
		}
		return rewrite(r, status, body)
	}
}

func isRoute(suffix string) func(*http.Request) bool {
	return func(r *http.Request) bool { return strings.HasSuffix(r.URL.Path, suffix) }
}

// withInvoice appends invoice_id to the merchant's URL, after any query it
// already has, as the panel sends the customer back.
func withInvoice(raw, invoiceID string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	if u.RawQuery != "" {
		u.RawQuery += "&"
	}
	u.RawQuery += "invoice_id=" + url.QueryEscape(invoiceID)
	return u.String()
}

// newInvoiceID is 20 letters and digits, like UddoktaPay's invoice ids.
func newInvoiceID() string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 20)
	rand.Read(b) // crypto/rand.Read never fails on supported platforms.
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// writeError answers create's error envelope, {"status": false, …}.
func writeError(w http.ResponseWriter, status int, msg string) {
	simkit.WriteJSON(w, status, map[string]any{"status": false, "message": msg})
}

// errorBody is the panel's body for an injected status fault.
func errorBody(status int) string {
	b, _ := json.Marshal(map[string]any{"status": false, "message": http.StatusText(status)})
	return string(b)
}
