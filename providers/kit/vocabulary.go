package kit

import (
	"strings"

	"github.com/mfspay/mfspay"
)

// MapStatus looks raw up in an adapter's exact table, returning StatusUnknown
// for anything the table does not list.
func MapStatus(table map[string]mfspay.Status, raw string) mfspay.Status {
	if s, ok := table[raw]; ok {
		return s
	}
	return mfspay.StatusUnknown
}

// ParseMethod maps a wallet name in any letter case ("BKASH", "bKash") to a
// Method, or MethodUnknown.
func ParseMethod(raw string) mfspay.Method {
	switch mfspay.Method(strings.ToLower(raw)) {
	case mfspay.MethodBKash:
		return mfspay.MethodBKash
	case mfspay.MethodNagad:
		return mfspay.MethodNagad
	case mfspay.MethodRocket:
		return mfspay.MethodRocket
	case mfspay.MethodUpay, "upai":
		return mfspay.MethodUpay
	case mfspay.MethodCellfin:
		return mfspay.MethodCellfin
	case mfspay.MethodTap:
		return mfspay.MethodTap
	case mfspay.MethodOKWallet, "ok_wallet":
		return mfspay.MethodOKWallet
	case mfspay.MethodIPay:
		return mfspay.MethodIPay
	case mfspay.MethodBank:
		return mfspay.MethodBank
	}
	return mfspay.MethodUnknown
}

// EventFor is the event announcing a payment p the adapter read from its
// provider (a verify after a notification or a customer's return), with
// ID id: the payment.* type its status names, or for a status the adapter
// could not map (StatusUnknown) a pending event, which announces nothing to
// act on.
func EventFor(provider, id string, p mfspay.Payment) *mfspay.Event {
	t, ok := mfspay.EventTypeFor(p.Status)
	if !ok {
		t = mfspay.EventPaymentPending
	}
	return &mfspay.Event{ID: id, Provider: provider, Type: t, Payment: p}
}
