package simkit_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/conformance/simctl"
	"github.com/mfspay/mfspay/providers/simkit"
)

// acmeSim is a whole simulated provider, "AcmePay": one create endpoint,
// one status endpoint and a JSON notification. Everything else comes from
// the kit.
type acmeSim struct {
	*simkit.Server
}

func newAcmeSim() *acmeSim {
	s := &acmeSim{}
	api := http.NewServeMux()
	api.HandleFunc("POST /v1/payments", s.create)
	api.HandleFunc("GET /v1/payments/{id}", s.get)
	s.Server = simkit.NewServer(simkit.Spec{
		Name: "AcmePay", APIPrefix: "/v1", API: api, PagePath: "/pay/",
		Methods: []simkit.MethodOption{{Value: "bkash", Label: "bKash", Method: mfspay.MethodBKash}},
		Open:    "OPEN", Paid: "PAID", Cancelled: "CANCELLED", Failed: "FAILED", Expired: "EXPIRED",
		Announce: func(k *simkit.Server, p simkit.Payment) {
			body, _ := json.Marshal(map[string]any{"id": p.ID, "status": p.Status, "amount": p.Amount})
			k.Notifier.Send(simkit.Notification{PaymentID: p.ID, URL: p.WebhookURL, Body: body})
		},
		ErrorBody: func(status int) string { return fmt.Sprintf(`{"error":%d}`, status) },
	}, simkit.Options{})
	return s
}

// Settings is the one simctl.Controller method the kit cannot know.
func (s *acmeSim) Settings(context.Context) (simctl.Settings, error) {
	return simctl.Settings{Values: map[string]string{"base_url": s.BaseURL()}}, nil
}

func (s *acmeSim) create(w http.ResponseWriter, r *http.Request) {
	f, err := simkit.ReadFields(r.Body)
	if err != nil {
		http.Error(w, `{"error":400}`, http.StatusBadRequest)
		return
	}
	p := simkit.Payment{ID: simkit.NewID("acme_", 4), InvoiceID: f.String("invoice", true, 64), Amount: f.Amount("amount")}
	if !f.OK() {
		http.Error(w, `{"error":"`+f.First()+`"}`, http.StatusUnprocessableEntity)
		return
	}
	p, _ = s.Insert(p, true)
	json.NewEncoder(w).Encode(map[string]any{"id": p.ID, "status": p.Status})
}

func (s *acmeSim) get(w http.ResponseWriter, r *http.Request) {
	p, ok := s.Refresh(r.PathValue("id"))
	if !ok {
		http.Error(w, `{"error":404}`, http.StatusNotFound)
		return
	}
	json.NewEncoder(w).Encode(map[string]any{"id": p.ID, "status": p.Status, "amount": p.Amount})
}

// A simulated provider in sixty lines: the kit serves the hosted page,
// faults, the request log, notifications and the simctl.Controller.
func ExampleNewServer() {
	sim := newAcmeSim()
	defer sim.Close()
	var _ simctl.Controller = sim
	ctx := context.Background()

	resp, _ := http.Post(sim.BaseURL()+"/payments", "application/json", strings.NewReader(`{"invoice":"INV-1","amount":250.50}`))
	var created struct{ ID, Status string }
	json.NewDecoder(resp.Body).Decode(&created)
	resp.Body.Close()
	fmt.Println("created:", created.Status)

	sim.Fail(ctx, simctl.Fault{Status: http.StatusServiceUnavailable})
	resp, _ = http.Get(sim.BaseURL() + "/payments/" + created.ID)
	resp.Body.Close()
	fmt.Println("faulted:", resp.StatusCode)

	if err := sim.Pay(ctx, created.ID, simctl.Payer{}); err != nil {
		fmt.Println(err)
	}
	notes, _ := sim.Notifications(ctx, created.ID)
	fmt.Println("notified:", strings.Contains(string(notes[0].Body), `"status":"PAID"`))
	n, _ := sim.RequestCount(ctx)
	fmt.Println("API requests:", n)
	// Output:
	// created: OPEN
	// faulted: 503
	// notified: true
	// API requests: 2
}
