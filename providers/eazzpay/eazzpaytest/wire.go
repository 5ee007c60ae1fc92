package eazzpaytest

import (
	"encoding/json"
	"net/http"
	"regexp"

	"github.com/mfspay/mfspay/conformance/simctl"
	"github.com/mfspay/mfspay/providers/simkit"
)

// The provider's payment statuses. INITIATED is what initiate answers; the
// others are the IPN's.
const (
	StatusInitiated = "INITIATED"
	StatusPending   = "PENDING"
	StatusCompleted = "COMPLETED"
	StatusFailed    = "FAILED"
	StatusCanceled  = "CANCELED"
)

// The IPN's payment_method values.
const (
	PaymentMethodMobileBanking = "MOBILE_BANKING"
	PaymentMethodBank          = "BANK"
)

// Wallets are the documented mfs_payment_method values, in the order the
// hosted page offers them.
var Wallets = []string{"BKASH", "NAGAD", "ROCKET", "UPAY", "CELLFIN", "TAP", "OK_WALLET", "IPAY"}

// checkPayer validates what the customer entered: a sending wallet or
// account number, and a transaction id of the webhook listener's
// documented 6 to 15 characters.
func checkPayer(sender, trxID string) string {
	if !senderPattern.MatchString(sender) {
		return "Enter the sending wallet or account number (digits only)."
	}
	if !trxIDPattern.MatchString(trxID) {
		return "The transaction id must be 6 to 15 letters or digits."
	}
	return ""
}

var (
	senderPattern = regexp.MustCompile(`^[0-9]{5,20}$`)
	trxIDPattern  = regexp.MustCompile(`^[A-Za-z0-9]{6,15}$`)
)

// tampers are the lies EazzPay's wire format can tell. It has no payment
// reads, so only the initiate answer can lie: an undocumented status, or a
// script for the checkout URL.
var tampers = map[simctl.Tamper]simkit.TamperFunc{
	simctl.TamperUnknownStatus: simkit.RewriteJSON(isInitiate, "data", func(d map[string]any) { d["transaction_status"] = "ON_HOLD" }),
	simctl.TamperBadRedirect:   simkit.RewriteJSON(isInitiate, "data", func(d map[string]any) { d["eazzpay_url"] = simkit.BadRedirect }),
}

func isInitiate(r *http.Request) bool { return r.Method == http.MethodPost }

// IPNMethods are the documented ipn_method values.
var IPNMethods = []string{"GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"}

// SecretHeader carries the client secret on API requests and notifications.
const SecretHeader = "eazzpay-client-secret"

// apiError is the body of every error answer; its code mirrors the status.
type apiError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

// initiated is the 201 answer to initiate. Amount is a JSON number literal
// built from integer poisha.
type initiated struct {
	Code    int           `json:"code"`
	Message string        `json:"message"`
	Data    initiatedData `json:"data"`
}

type initiatedData struct {
	PaymentID         string      `json:"payment_id"`
	Reference         string      `json:"reference"`
	TransactionStatus string      `json:"transaction_status"`
	Amount            json.Number `json:"amount"`
	EazzpayURL        string      `json:"eazzpay_url"`
}

// ipnBody is the documented IPN. The wallet fields appear for mobile
// banking, the bank fields for BANK, neither when no method was chosen.
type ipnBody struct {
	PaymentID      string      `json:"payment_id"`
	Reference      string      `json:"reference"`
	Amount         json.Number `json:"amount"`
	TransactionFee json.Number `json:"transaction_fee"`
	Total          json.Number `json:"total"`
	Metadata       string      `json:"metadata"`
	PaymentMethod  string      `json:"payment_method,omitempty"`

	MFSPaymentMethod      string `json:"mfs_payment_method,omitempty"`
	MFSPaymentAccountType string `json:"mfs_payment_account_type,omitempty"`

	AccountName   string `json:"account_name,omitempty"`
	AccountNumber string `json:"account_number,omitempty"`
	BranchName    string `json:"branch_name,omitempty"`
	BankName      string `json:"bank_name,omitempty"`

	Status string `json:"status"`
}

// listenerBody is the documented webhook-listener notification.
type listenerBody struct {
	Amount        string `json:"amount"`
	PaymentMethod string `json:"payment_method"`
	SenderNumber  string `json:"sender_number"`
	TransactionID string `json:"transaction_id"`
	Reference     string `json:"reference,omitempty"`
	DateTime      string `json:"date_time"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"code":500,"message":"Internal Server Error"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(b)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, apiError{Code: status, Message: msg})
}

// errorBody is the provider's body for an injected status fault.
func errorBody(status int) string {
	b, _ := json.Marshal(apiError{Code: status, Message: http.StatusText(status)})
	return string(b)
}
