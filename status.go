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
