// Command gencorpus writes the seed corpora of the webhook fuzz targets, in
// the "go test fuzz v1" format, under the directory it is given:
//
//	go run ./webhook/testdata/gencorpus webhook/testdata/fuzz
//
// It lives under testdata so that the go tool neither builds nor vets it.
package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

type seed struct {
	name        string
	body        string
	header      string
	contentType string
	query       string
	mode        byte
}

const (
	modeCurrent = iota
	modePrevious
	modeFuzzed
	modeAbsent
	modeRepeated
)

func sign(body, secret string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(body))
	return hex.EncodeToString(m.Sum(nil))
}

func write(dir string, seeds []seed) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		panic(err)
	}
	for _, s := range seeds {
		var b strings.Builder
		b.WriteString("go test fuzz v1\n")
		fmt.Fprintf(&b, "[]byte(%q)\n", []byte(s.body))
		fmt.Fprintf(&b, "string(%q)\n", s.header)
		fmt.Fprintf(&b, "string(%q)\n", s.contentType)
		fmt.Fprintf(&b, "string(%q)\n", s.query)
		fmt.Fprintf(&b, "byte(%q)\n", s.mode)
		if err := os.WriteFile(filepath.Join(dir, s.name), []byte(b.String()), 0o644); err != nil {
			panic(err)
		}
	}
}

func main() {
	root := os.Args[1]
	const js = "application/json"

	// WezoPay. {{PAID}} and {{PENDING}} are replaced by the harness.
	const wezoSecret = "whsec_wezo_fuzz_current_5d1e"
	wz := func(event, token, invoice, status, amount, extra string) string {
		return `{"event":"` + event + `","token":"` + token + `","invoice_id":"` + invoice + `","status":"` + status +
			`","amount":` + amount + `,"trx_id":"8N2K3TEST12","paid_at":"2026-06-08T11:45:00Z"` + extra + `}`
	}
	unknownTok := wz("payment.completed", "pay_abc123xyz", "INV-1001", "paid", "100.00", "")
	write(filepath.Join(root, "FuzzHandlerWezoPay"), []seed{
		{"genuine-paid", wz("payment.completed", "{{PAID}}", "INV-1001", "paid", "100.00", `,"method":"bkash","sender":"01712345678"`), "", js, "", modeCurrent},
		{"genuine-paid-rotated-secret", wz("payment.completed", "{{PAID}}", "INV-1001", "paid", "100.00", ""), "", js + "; charset=utf-8", "", modePrevious},
		{"forged-paid-for-pending", wz("payment.completed", "{{PENDING}}", "INV-1002", "paid", "50.00", ""), "", js, "", modeCurrent},
		{"short-amount-paid", wz("payment.completed", "{{PAID}}", "INV-1001", "paid", "99.99", ""), "", js, "", modeCurrent},
		{"pending", `{"event":"payment.pending","token":"{{PENDING}}","invoice_id":"INV-1002","status":"pending","amount":50.00,"trx_id":null,"paid_at":null}`, "", js, "", modeCurrent},
		{"failed", wz("payment.failed", "{{PENDING}}", "INV-1002", "failed", "50.00", ""), "", js, "", modeCurrent},
		{"unknown-event", wz("payment.refunded", "{{PAID}}", "INV-1001", "refunded", "100.00", ""), "", js, "", modeCurrent},
		{"contradicting-status", wz("payment.completed", "{{PENDING}}", "INV-1002", "pending", "50.00", ""), "", js, "", modeCurrent},
		{"wrong-invoice", wz("payment.completed", "{{PAID}}", "INV-OTHER", "paid", "100.00", ""), "", js, "", modeCurrent},
		{"unknown-token", unknownTok, "", js, "", modeCurrent},
		{"amount-string", wz("payment.completed", "{{PAID}}", "INV-1001", "paid", `"100.00"`, ""), "", js, "", modeCurrent},
		{"amount-three-decimals", wz("payment.completed", "{{PAID}}", "INV-1001", "paid", "100.001", ""), "", js, "", modeCurrent},
		{"amount-exponent", wz("payment.completed", "{{PAID}}", "INV-1001", "paid", "1e2", ""), "", js, "", modeCurrent},
		{"amount-negative", wz("payment.completed", "{{PAID}}", "INV-1001", "paid", "-100.00", ""), "", js, "", modeCurrent},
		{"amount-huge", wz("payment.completed", "{{PAID}}", "INV-1001", "paid", "99999999999999999999999.99", ""), "", js, "", modeCurrent},
		{"duplicate-keys", `{"event":"payment.pending","status":"pending","event":"payment.completed","token":"{{PENDING}}","invoice_id":"INV-1002","status":"paid","amount":50.00}`, "", js, "", modeCurrent},
		{"trailing-data", unknownTok + `{"event":"payment.completed"}`, "", js, "", modeCurrent},
		{"not-an-object", `[{"event":"payment.completed"}]`, "", js, "", modeCurrent},
		{"invalid-utf8", "{\"event\":\"payment.completed\",\"token\":\"pay_\xff\xfe\",\"invoice_id\":\"INV-1001\",\"status\":\"paid\",\"amount\":1}", "", js, "", modeCurrent},
		{"empty-body", "", "", js, "", modeCurrent},
		{"uppercase-hex-signature", unknownTok, strings.ToUpper(sign(unknownTok, wezoSecret)), js, "", modeFuzzed},
		{"signature-with-spaces", unknownTok, "  " + sign(unknownTok, wezoSecret) + "\t", js, "", modeFuzzed},
		{"signature-of-other-body", unknownTok, sign(unknownTok+" ", wezoSecret), js, "", modeFuzzed},
		{"signature-truncated", unknownTok, sign(unknownTok, wezoSecret)[:62], js, "", modeFuzzed},
		{"signature-empty-secret", unknownTok, sign(unknownTok, ""), js, "", modeFuzzed},
		{"no-signature", wz("payment.completed", "{{PAID}}", "INV-1001", "paid", "100.00", ""), "", js, "", modeAbsent},
		{"forged-first-header", wz("payment.completed", "{{PAID}}", "INV-1001", "paid", "100.00", ""), "00", js, "", modeRepeated},
		{"form-content-type", unknownTok, "", "application/x-www-form-urlencoded", "", modeCurrent},
		{"garbled-content-type", unknownTok, "", "application/json; ;;=", "", modeCurrent},
		{"no-content-type", wz("payment.completed", "{{PAID}}", "INV-1001", "paid", "100.00", ""), "", "", "token=x", modeCurrent},
	})

	// EazzPay.
	ipn := func(status, amount, metadata, extra string) string {
		return `{"payment_id":"67adb1d9a7436e9d01c5a1b2","reference":"REF123456","amount":` + amount +
			`,"transaction_fee":1.85,"total":101.85,"metadata":"` + metadata + `","payment_method":"MOBILE_BANKING",` +
			`"mfs_payment_method":"BKASH","mfs_payment_account_type":"PERSONAL","status":"` + status + `"` + extra + `}`
	}
	meta := `{\"invoice_id\":\"INV-1001\"}`
	bank := `{"payment_id":"67adb1d9a7436e9d01c5a1b3","reference":"REF123457","amount":100.00,"transaction_fee":1.85,` +
		`"total":101.85,"metadata":"","payment_method":"BANK","account_name":"Rahim Khan","account_number":"1234567890",` +
		`"branch_name":"Motijheel","bank_name":"Demo Bank PLC","status":"COMPLETED"}`
	listener := func(amount, trx, ref, at string) string {
		return `{"amount":` + amount + `,"payment_method":"BKASH","sender_number":"01311111111","transaction_id":"` + trx +
			`","reference":"` + ref + `","date_time":"` + at + `"}`
	}
	const sec = "sk_eazz_fuzz_current_7f3a"
	write(filepath.Join(root, "FuzzHandlerEazzPay"), []seed{
		{"ipn-completed-metadata", ipn("COMPLETED", "100.00", meta, ""), "", js, "", modeCurrent},
		{"ipn-completed-query", ipn("COMPLETED", "100.00", "", ""), "", js, "invoice_id=INV-1001", modeCurrent},
		{"ipn-completed-rotated-secret", ipn("COMPLETED", "100.00", meta, ""), "", js, "invoice_id=INV-1001", modePrevious},
		{"ipn-one-poisha-short", ipn("COMPLETED", "99.99", meta, ""), "", js, "", modeCurrent},
		{"ipn-unknown-invoice", ipn("COMPLETED", "100.00", "", ""), "", js, "invoice_id=INV-9999", modeCurrent},
		{"ipn-invoice-conflict", ipn("COMPLETED", "100.00", meta, ""), "", js, "invoice_id=INV-1002", modeCurrent},
		{"ipn-invoice-repeated", ipn("COMPLETED", "100.00", "", ""), "", js, "invoice_id=INV-1001&invoice_id=INV-1002", modeCurrent},
		{"ipn-pending", ipn("PENDING", "100.00", meta, ""), "", js, "", modeCurrent},
		{"ipn-failed", ipn("FAILED", "100.00", meta, ""), "", js, "", modeCurrent},
		{"ipn-canceled", ipn("CANCELED", "100.00", meta, ""), "", js, "", modeCurrent},
		{"ipn-cancelled-two-ls", ipn("CANCELLED", "100.00", meta, ""), "", js, "", modeCurrent},
		{"ipn-lowercase-status", ipn("completed", "100.00", meta, ""), "", js, "", modeCurrent},
		{"ipn-amount-string", ipn("COMPLETED", `"100.00"`, meta, ""), "", js, "", modeCurrent},
		{"ipn-amount-zero", ipn("COMPLETED", "0", meta, ""), "", js, "", modeCurrent},
		{"ipn-amount-exponent", ipn("COMPLETED", "1e2", meta, ""), "", js, "", modeCurrent},
		{"ipn-amount-three-decimals", ipn("COMPLETED", "100.001", meta, ""), "", js, "", modeCurrent},
		{"ipn-unknown-wallet", strings.Replace(ipn("COMPLETED", "100.00", meta, ""), "BKASH", "ZAPPAY", 1), "", js, "", modeCurrent},
		{"ipn-bank", bank, "", js, "invoice_id=INV-1001", modeCurrent},
		{"listener", listener(`"100.00"`, "TRX12345", "INV-1001", "2023-11-27 12:34:56"), "", js, "", modeCurrent},
		{"listener-number-amount", listener("100.00", "TRX12346", "", "2023-11-27 12:34:56"), "", js, "", modeCurrent},
		{"listener-short-reference", listener(`"100.00"`, "TRX12347", "ORD1", "2023-11-27 12:34:56"), "", js, "", modeCurrent},
		{"listener-long-trx", listener(`"100.00"`, "TRX1234567890123456", "ORDER123", "2023-11-27 12:34:56"), "", js, "", modeCurrent},
		{"listener-bad-time", listener(`"100.00"`, "TRX12348", "ORDER123", "2023-11-27T12:34:56Z"), "", js, "", modeCurrent},
		{"neither-kind", `{"amount":"100.00"}`, "", js, "", modeCurrent},
		{"trailing-data", ipn("COMPLETED", "100.00", meta, "") + "{}", "", js, "", modeCurrent},
		{"null-body", "null", "", js, "", modeCurrent},
		{"secret-wrong-case", ipn("COMPLETED", "100.00", meta, ""), strings.ToUpper(sec), js, "", modeFuzzed},
		{"secret-trailing-space", ipn("COMPLETED", "100.00", meta, ""), sec + " ", js, "", modeFuzzed},
		{"secret-prefix", ipn("COMPLETED", "100.00", meta, ""), sec[:len(sec)-1], js, "", modeFuzzed},
		{"secret-empty", ipn("COMPLETED", "100.00", meta, ""), "", js, "", modeFuzzed},
		{"secret-absent", ipn("COMPLETED", "100.00", meta, ""), "", js, "", modeAbsent},
		{"secret-repeated", ipn("COMPLETED", "100.00", meta, ""), sec, js, "", modeRepeated},
		{"text-plain", ipn("COMPLETED", "100.00", meta, ""), "", "text/plain", "", modeCurrent},
		{"json-uppercase-type", ipn("COMPLETED", "100.00", meta, ""), "", "Application/JSON; charset=UTF-8", "", modeCurrent},
	})
}
