package eazzpaytest_test

import (
	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/conformance/simctl"
)

func simctlPayer(method string) simctl.Payer {
	return simctl.Payer{Method: mfspay.ParseMethod(method), Sender: "01911111111", TrxID: "TRX9988776"}
}

func simctlFault(status int, afterProcessing bool) simctl.Fault {
	return simctl.Fault{Status: status, AfterProcessing: afterProcessing}
}
