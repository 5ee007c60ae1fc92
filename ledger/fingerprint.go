package ledger

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"maps"
	"slices"
	"strconv"

	"github.com/mfspay/mfspay"
)

// Fingerprint identifies a create request at a provider: a hex SHA-256 over
// every field of the request (metadata in key order), each field
// length-prefixed so that no two requests share an encoding. Two calls with
// the same request have the same fingerprint; a request that reuses an
// invoice id with anything else changed does not. The customer's details
// enter only hashed.
func Fingerprint(provider string, req mfspay.CreatePaymentRequest) string {
	h := sha256.New()
	field := func(s string) {
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(len(s)))
		h.Write(n[:])
		h.Write([]byte(s))
	}
	field(provider)
	field(req.InvoiceID)
	field(strconv.FormatInt(int64(req.Amount), 10))
	field(req.Customer.Name)
	field(req.Customer.Email)
	field(req.Customer.Phone)
	field(req.SuccessURL)
	field(req.CancelURL)
	field(req.WebhookURL)
	keys := slices.Sorted(maps.Keys(req.Metadata))
	field(strconv.Itoa(len(keys)))
	for _, k := range keys {
		field(k)
		field(req.Metadata[k])
	}
	return hex.EncodeToString(h.Sum(nil))
}
