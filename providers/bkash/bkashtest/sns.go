package bkashtest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	_ "crypto/sha1" // SignatureVersion 1
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/providers/simkit"
)

// snsHost stands in for sns.<region>.amazonaws.com: an https server whose
// certificate, and the SNS signing certificate it serves, come from a
// certificate authority made at start.
type snsHost struct {
	srv       *httptest.Server
	caPEM     []byte
	key       *rsa.PrivateKey
	certURL   string
	topic     string
	version   string
	tokens    sync.Map // subscription tokens handed out
	confirmed atomic.Int64
}

// issue signs a certificate from template for pub under the CA (self-signed
// when ca is nil) and returns its DER bytes.
func issue(template, ca *x509.Certificate, pub any, caKey crypto.Signer) []byte {
	template.NotBefore = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC) // valid whatever a test's clock says
	template.NotAfter = time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)
	if ca == nil {
		ca = template
	}
	der, err := x509.CreateCertificate(rand.Reader, template, ca, pub, caKey)
	if err != nil {
		panic("bkashtest: cannot make a certificate: " + err.Error()) // only with a broken crypto/rand
	}
	return der
}

func newSNSHost(version string) *snsHost {
	h := &snsHost{version: version, topic: "arn:aws:sns:ap-southeast-1:354285753755:bpt_" + rand.Text()[:10]}
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caDER := issue(&x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "bkashtest SNS CA"},
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}, nil, caKey.Public(), caKey)
	ca, _ := x509.ParseCertificate(caDER)
	h.caPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})
	h.key, _ = rsa.GenerateKey(rand.Reader, 2048)
	signing := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: issue(&x509.Certificate{SerialNumber: big.NewInt(2),
		Subject: pkix.Name{CommonName: "sns.amazonaws.com"}, KeyUsage: x509.KeyUsageDigitalSignature}, ca, h.key.Public(), caKey)})
	tlsKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tlsDER := issue(&x509.Certificate{SerialNumber: big.NewInt(3), Subject: pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		KeyUsage: x509.KeyUsageDigitalSignature}, ca, tlsKey.Public(), caKey)

	path := "/SimpleNotificationService-" + hex.EncodeToString([]byte(rand.Text()[:16])) + ".pem"
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+path, func(w http.ResponseWriter, _ *http.Request) { w.Write(signing) })
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if _, ok := h.tokens.Load(q.Get("Token")); !ok || q.Get("Action") != "ConfirmSubscription" || q.Get("TopicArn") != h.topic {
			http.Error(w, "<ErrorResponse><Error><Code>InvalidParameter</Code></Error></ErrorResponse>", http.StatusBadRequest)
			return
		}
		h.confirmed.Add(1)
		fmt.Fprintf(w, "<ConfirmSubscriptionResponse><ConfirmSubscriptionResult><SubscriptionArn>%s:%s</SubscriptionArn>"+
			"</ConfirmSubscriptionResult></ConfirmSubscriptionResponse>", h.topic, uuid())
	})
	h.srv = httptest.NewUnstartedServer(mux)
	h.srv.Config.ErrorLog = log.New(io.Discard, "", 0) // clients that refuse the CA are the point of some tests
	h.srv.TLS = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{tlsDER}, PrivateKey: tlsKey}}}
	h.srv.StartTLS()
	h.certURL = h.srv.URL + path
	return h
}

func uuid() string {
	b := make([]byte, 16)
	rand.Read(b)
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// envelope is an SNS HTTP(S) delivery, its fields in SNS's order.
type envelope struct {
	Type             string
	MessageId        string
	Token            string `json:",omitempty"`
	TopicArn         string
	Message          string
	SubscribeURL     string `json:",omitempty"`
	Timestamp        string
	SignatureVersion string
	Signature        string
	SigningCertURL   string
	UnsubscribeURL   string `json:",omitempty"`
}

// seal signs e as SNS does (RSA PKCS#1 v1.5 over the string to sign of its
// type) and returns the body and headers of its delivery.
func (h *snsHost) seal(e *envelope) ([]byte, http.Header) {
	e.TopicArn, e.MessageId, e.SignatureVersion, e.SigningCertURL = h.topic, uuid(), h.version, h.certURL
	keys := map[string]string{"Message": e.Message, "MessageId": e.MessageId, "SubscribeURL": e.SubscribeURL,
		"Timestamp": e.Timestamp, "Token": e.Token, "TopicArn": e.TopicArn, "Type": e.Type}
	order := []string{"Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"}
	if e.Type == "Notification" {
		order = []string{"Message", "MessageId", "Timestamp", "TopicArn", "Type"}
	}
	var b strings.Builder
	for _, k := range order {
		b.WriteString(k + "\n" + keys[k] + "\n")
	}
	hash := crypto.SHA1
	if h.version == "2" {
		hash = crypto.SHA256
	}
	digest := hash.New()
	digest.Write([]byte(b.String()))
	sig, _ := rsa.SignPKCS1v15(rand.Reader, h.key, hash, digest.Sum(nil))
	e.Signature = base64.StdEncoding.EncodeToString(sig)
	body, _ := json.Marshal(e)
	return body, http.Header{"X-Amz-Sns-Message-Type": {e.Type}, "X-Amz-Sns-Message-Id": {e.MessageId},
		"X-Amz-Sns-Topic-Arn": {e.TopicArn}, "Content-Type": {"text/plain; charset=UTF-8"},
		"User-Agent": {"Amazon Simple Notification Service Agent"}}
}

// notify sends the webhook (Instant Payment Notification) of an executed
// payment: an SNS Notification whose Message is bKash's JSON, the amount
// as the create sent it.
func (s *Server) notify(p simkit.Payment) {
	msg, _ := json.Marshal(map[string]string{"dateTime": p.PaidAt.In(bangladesh).Format("20060102150405"),
		"debitMSISDN": "88" + p.Sender, "creditOrganizationName": "bkashtest merchant", "creditShortCode": "ORG001",
		"trxID": p.TrxID, "transactionStatus": "Completed", "transactionType": "10002294", "amount": p.Extra["amount"],
		"currency": "BDT", "merchantInvoiceNumber": p.InvoiceID})
	body, header := s.sns.seal(&envelope{Type: "Notification", Message: string(msg), Timestamp: snsTime(s.Now()),
		UnsubscribeURL: s.sns.srv.URL + "/?Action=Unsubscribe&SubscriptionArn=" + s.sns.topic + ":" + uuid()})
	s.Notifier.Send(simkit.Notification{PaymentID: p.ID, URL: s.cfg.listener, Header: header, Body: body})
}

// SubscriptionConfirmation makes the message SNS sends when the merchant's
// endpoint is subscribed to the topic, sends it to the listener when there
// is one, and returns it. Its SubscribeURL, on the SNS host, confirms once
// visited (Confirmations counts).
func (s *Server) SubscriptionConfirmation() mfspay.WebhookRequest {
	token := hex.EncodeToString([]byte(rand.Text()))
	s.sns.tokens.Store(token, true)
	body, header := s.sns.seal(&envelope{Type: "SubscriptionConfirmation", Token: token, Timestamp: snsTime(s.Now()),
		Message: "You have chosen to subscribe to the topic " + s.sns.topic +
			".\nTo confirm the subscription, visit the SubscribeURL included in this message.",
		SubscribeURL: s.sns.srv.URL + "/?Action=ConfirmSubscription&TopicArn=" + url.QueryEscape(s.sns.topic) + "&Token=" + token})
	s.Notifier.Send(simkit.Notification{URL: s.cfg.listener, Header: header, Body: body})
	return mfspay.WebhookRequest{Header: header, Body: body}
}

func snsTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }
