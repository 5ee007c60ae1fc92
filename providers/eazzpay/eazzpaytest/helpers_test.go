package eazzpaytest_test

import (
	"github.com/mfspay/mfspay/conformance/simctl"
	"github.com/mfspay/mfspay/providers/kit"
)

func simctlPayer(method string) simctl.Payer {
	return simctl.Payer{Method: kit.ParseMethod(method), Sender: "01911111111", TrxID: "TRX9988776"}
}

func simctlFault(status int, afterProcessing bool) simctl.Fault {
	return simctl.Fault{Status: status, AfterProcessing: afterProcessing}
}
