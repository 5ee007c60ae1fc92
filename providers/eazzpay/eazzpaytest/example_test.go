package eazzpaytest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/conformance/simctl"
	"github.com/mfspay/mfspay/providers/eazzpay/eazzpaytest"
)

// Start a simulated EazzPay, initiate a payment over its API, let the
// customer pay, and receive the IPN it sends to ipn_url.
func ExampleNewServer() {
	statuses := make(chan string, 1)
	merchant := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var ipn struct{ Status string }
		json.NewDecoder(r.Body).Decode(&ipn)
		statuses <- r.URL.Query().Get("invoice_id") + " " + ipn.Status
	}))
	defer merchant.Close()

	sim := eazzpaytest.NewServer()
	defer sim.Close()

	body := `{"cus_name":"Rahim Khan","amount":250.00,"metadata":"{\"invoice_id\":\"INV-7\"}",` +
		`"success_url":"https://shop.example/ok","cancel_url":"https://shop.example/no",` +
		`"ipn_url":"` + merchant.URL + `/ipn?invoice_id=INV-7","ipn_method":"POST"}`
	req, _ := http.NewRequest(http.MethodPost, sim.BaseURL()+"/payments/initiate", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("eazzpay-client-secret", sim.ClientSecret())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		log.Fatal(err)
	}
	var created struct {
		Code int
		Data struct {
			PaymentID  string `json:"payment_id"`
			EazzpayURL string `json:"eazzpay_url"`
		}
	}
	json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&created)
	resp.Body.Close()
	fmt.Println(created.Code, created.Data.EazzpayURL == sim.CheckoutURL(created.Data.PaymentID))

	// The customer pays on the hosted page; the controller does the same.
	if err := sim.Pay(context.Background(), created.Data.PaymentID, simctl.Payer{Method: mfspay.MethodNagad}); err != nil {
		log.Fatal(err)
	}
	fmt.Println(<-statuses)
	// Output:
	// 201 true
	// INV-7 COMPLETED
}
