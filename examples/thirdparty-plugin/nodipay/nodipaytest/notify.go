package nodipaytest

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/mfspay/mfspay"
)

// SignatureHeader carries a webhook's timestamp and signatures.
const SignatureHeader = "Nodi-Signature"

// deliveryAttempts and deliveryBackoff shape webhook retries: a delivery
// that gets no 2xx is tried again, newly signed, after 100ms, then 400ms.
const (
	deliveryAttempts = 3
	deliveryBackoff  = 100 * time.Millisecond
)

// note is one webhook as first delivered.
type note struct {
	header http.Header
	body   []byte
}

// eventJSON is a webhook body.
type eventJSON struct {
	ID        string      `json:"id"`
	Type      string      `json:"type"`
	CreatedAt time.Time   `json:"created_at"`
	Payment   paymentJSON `json:"payment"`
}

// settle lapses an open payment whose time is up. Callers hold s.mu.
func (s *Server) settle(p *payment) {
	if p.status == statusOpen && !s.now().Before(p.expiresAt) {
		s.finish(p, statusLapsed)
	}
}

// finish moves p to a final status and announces it. Callers hold s.mu.
func (s *Server) finish(p *payment, status string) {
	p.status = status
	now := s.now().UTC()
	body, _ := json.Marshal(eventJSON{ // nothing in it can fail to encode
		ID:        "evt_" + randomHex(10),
		Type:      "payment." + status,
		CreatedAt: now,
		Payment:   s.object(p),
	})
	n := note{header: s.signedHeader(body, now), body: body}
	s.notes[p.id] = append(s.notes[p.id], n)
	if p.webhookURL != "" && !s.closed {
		s.wg.Add(1)
		go s.deliver(p.webhookURL, n)
	}
}

// signedHeader returns the headers of a delivery at time t: one v1 per
// secret, over "<t>.<body>".
func (s *Server) signedHeader(body []byte, t time.Time) http.Header {
	ts := strconv.FormatInt(t.Unix(), 10)
	parts := []string{"t=" + ts}
	for _, sec := range s.secrets {
		m := hmac.New(sha256.New, []byte(sec))
		m.Write([]byte(ts))
		m.Write([]byte{'.'})
		m.Write(body)
		parts = append(parts, "v1="+hex.EncodeToString(m.Sum(nil)))
	}
	return http.Header{
		"Content-Type":  {"application/json"},
		"User-Agent":    {"NodiPay-Webhooks/1"},
		SignatureHeader: {strings.Join(parts, ",")},
	}
}

// deliver POSTs a webhook until it gets a 2xx, signing each retry anew.
func (s *Server) deliver(url string, n note) {
	defer s.wg.Done()
	header := n.header
	for attempt := 0; attempt < deliveryAttempts; attempt++ {
		if attempt > 0 {
			if !wait(deliveryBackoff<<(2*(attempt-1)), s.ctx, s.ctx) {
				return
			}
			header = s.signedHeader(n.body, s.now())
		}
		if s.post(url, header, n.body) {
			return
		}
	}
}

func (s *Server) post(url string, header http.Header, body []byte) bool {
	req, err := http.NewRequestWithContext(s.ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return false
	}
	req.Header = header.Clone()
	resp, err := s.client.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode >= 200 && resp.StatusCode < 300
}

// Notifications returns every webhook produced about the payment, in order,
// as first delivered: headers (with their signature) and raw body.
func (s *Server) Notifications(_ context.Context, paymentID string) ([]mfspay.WebhookRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.byID[paymentID] == nil {
		return nil, errNoPayment(paymentID)
	}
	out := make([]mfspay.WebhookRequest, 0, len(s.notes[paymentID]))
	for _, n := range s.notes[paymentID] {
		out = append(out, mfspay.WebhookRequest{Header: n.header.Clone(), Body: bytes.Clone(n.body)})
	}
	return out, nil
}
