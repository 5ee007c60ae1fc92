package mfspay

// Status is the neutral state of a payment. Every adapter maps its provider's
// strings through an exact table; anything unlisted is StatusUnknown, which is
// never treated as paid.
type Status string

// The neutral payment statuses.
const (
	StatusUnknown   Status = "unknown"
	StatusPending   Status = "pending"
	StatusPaid      Status = "paid"
	StatusFailed    Status = "failed"
	StatusCancelled Status = "cancelled"
	StatusExpired   Status = "expired"
)

// Valid reports whether s is one of the neutral statuses.
func (s Status) Valid() bool {
	switch s {
	case StatusUnknown, StatusPending, StatusPaid, StatusFailed, StatusCancelled, StatusExpired:
		return true
	}
	return false
}

// Final reports whether the payment can no longer change.
func (s Status) Final() bool {
	switch s {
	case StatusPaid, StatusFailed, StatusCancelled, StatusExpired:
		return true
	}
	return false
}

// MapStatus looks raw up in an adapter's exact table, returning StatusUnknown
// for anything the table does not list.
func MapStatus(table map[string]Status, raw string) Status {
	if s, ok := table[raw]; ok {
		return s
	}
	return StatusUnknown
}

// Method is the mobile wallet (or bank) a customer paid with.
type Method string

// The wallets the built-in adapters know.
const (
	MethodUnknown  Method = "unknown"
	MethodBKash    Method = "bkash"
	MethodNagad    Method = "nagad"
	MethodRocket   Method = "rocket"
	MethodUpay     Method = "upay"
	MethodCellfin  Method = "cellfin"
	MethodTap      Method = "tap"
	MethodOKWallet Method = "okwallet"
	MethodIPay     Method = "ipay"
	MethodBank     Method = "bank"
)

// ParseMethod maps a wallet name in any letter case ("BKASH", "bKash") to a
// Method, or MethodUnknown.
func ParseMethod(raw string) Method {
	switch Method(lowerASCII(raw)) {
	case MethodBKash:
		return MethodBKash
	case MethodNagad:
		return MethodNagad
	case MethodRocket:
		return MethodRocket
	case MethodUpay, "upai":
		return MethodUpay
	case MethodCellfin:
		return MethodCellfin
	case MethodTap:
		return MethodTap
	case MethodOKWallet, "ok_wallet":
		return MethodOKWallet
	case MethodIPay:
		return MethodIPay
	case MethodBank:
		return MethodBank
	}
	return MethodUnknown
}

func lowerASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
