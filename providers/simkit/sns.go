package simkit

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
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
	"regexp"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mfspay/mfspay/providers/kit"
)

// SNSHost stands in for AWS SNS (sns.<region>.amazonaws.com) for a
// simulator whose provider delivers notifications through an SNS topic: an
// https server on 127.0.0.1 whose TLS certificate and SNS signing
// certificate come from a certificate authority made at start. It serves
// the signing certificate, confirms subscriptions at the SubscribeURLs it
// hands out, and signs messages as SNS does (RSA PKCS#1 v1.5 over
// kit.SNSMessage.StringToSign). An adapter trusts it through Settings, which
// carries the CA for kit.SNSConfigFromSettings. Its methods are safe for
// concurrent use.
type SNSHost struct {
	// URL is the host's https origin.
	URL string
	// TopicARN is the topic every message comes from.
	TopicARN string

	srv       *httptest.Server
	caPEM     []byte
	key       *rsa.PrivateKey
	certURL   string
	version   string
	tokens    sync.Map // subscription tokens handed out
	confirmed atomic.Int64
}

// NewSNSHost starts an SNS stand-in for topicARN, signing with
// signatureVersion "1" (SHA1) or "2" (SHA256). Close it when done.
func NewSNSHost(topicARN, signatureVersion string) *SNSHost {
	h := &SNSHost{TopicARN: topicARN, version: signatureVersion}
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caDER := issue(&x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "simkit SNS CA"},
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

	path := "/" + NewID("SimpleNotificationService-", 16) + ".pem" // 32 hex digits, as AWS names them
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+path, func(w http.ResponseWriter, _ *http.Request) { w.Write(signing) })
	mux.HandleFunc("GET /{$}", h.subscribe)
	h.srv = httptest.NewUnstartedServer(mux)
	h.srv.Config.ErrorLog = log.New(io.Discard, "", 0) // clients that refuse the CA are the point of some tests
	h.srv.TLS = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{tlsDER}, PrivateKey: tlsKey}}}
	h.srv.StartTLS()
	h.URL, h.certURL = h.srv.URL, h.srv.URL+path
	return h
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
		panic("simkit: cannot make a certificate: " + err.Error()) // only with a broken crypto/rand
	}
	return der
}

// subscribe is the SubscribeURL: it confirms a subscription token it
// handed out, for its topic, as SNS answers ConfirmSubscription.
func (h *SNSHost) subscribe(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if _, ok := h.tokens.Load(q.Get("Token")); !ok || q.Get("Action") != "ConfirmSubscription" || q.Get("TopicArn") != h.TopicARN {
		http.Error(w, "<ErrorResponse><Error><Code>InvalidParameter</Code></Error></ErrorResponse>", http.StatusBadRequest)
		return
	}
	h.confirmed.Add(1)
	fmt.Fprintf(w, "<ConfirmSubscriptionResponse><ConfirmSubscriptionResult><SubscriptionArn>%s:%s</SubscriptionArn>"+
		"</ConfirmSubscriptionResult></ConfirmSubscriptionResponse>", h.TopicARN, uuid())
}

// Close shuts the host down.
func (h *SNSHost) Close() { h.srv.Close() }

// Settings are the kit.SettingSNS* settings that make an adapter accept
// this host's messages: its topic, its host exactly, and its CA as the
// only root.
func (h *SNSHost) Settings() map[string]string {
	return map[string]string{kit.SettingSNSTopicARNs: h.TopicARN,
		kit.SettingSNSCertHost:  regexp.QuoteMeta(h.srv.Listener.Addr().String()),
		kit.SettingSNSCertRoots: string(h.caPEM)}
}

// Confirmations is how many times a SubscribeURL was visited with a valid
// token.
func (h *SNSHost) Confirmations() int { return int(h.confirmed.Load()) }

// snsEnvelope is an SNS HTTP(S) delivery, its fields in SNS's order.
type snsEnvelope struct {
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

// Notification returns the body and headers of an SNS Notification
// carrying message, published at now.
func (h *SNSHost) Notification(message string, now time.Time) ([]byte, http.Header) {
	return h.seal(&snsEnvelope{Type: "Notification", Message: message, Timestamp: snsTime(now),
		UnsubscribeURL: h.URL + "/?Action=Unsubscribe&SubscriptionArn=" + h.TopicARN + ":" + uuid()})
}

// SubscriptionConfirmation returns the body and headers of the message SNS
// sends when an endpoint is subscribed to the topic, at now. Its
// SubscribeURL confirms once visited (Confirmations counts).
func (h *SNSHost) SubscriptionConfirmation(now time.Time) ([]byte, http.Header) {
	token := NewID("", 26)
	h.tokens.Store(token, true)
	return h.seal(&snsEnvelope{Type: "SubscriptionConfirmation", Token: token, Timestamp: snsTime(now),
		Message: "You have chosen to subscribe to the topic " + h.TopicARN +
			".\nTo confirm the subscription, visit the SubscribeURL included in this message.",
		SubscribeURL: h.URL + "/?Action=ConfirmSubscription&TopicArn=" + url.QueryEscape(h.TopicARN) + "&Token=" + token})
}

// seal signs e as SNS does and returns the body and headers of its
// delivery.
func (h *SNSHost) seal(e *snsEnvelope) ([]byte, http.Header) {
	e.TopicArn, e.MessageId, e.SignatureVersion, e.SigningCertURL = h.TopicARN, uuid(), h.version, h.certURL
	m := kit.SNSMessage{Type: e.Type, MessageId: e.MessageId, Token: e.Token, TopicArn: e.TopicArn,
		Message: e.Message, Timestamp: e.Timestamp, SubscribeURL: e.SubscribeURL}
	toSign, _ := m.StringToSign() // both types are known
	hash, ok := kit.SNSHash(h.version)
	if !ok {
		hash = crypto.SHA1
	}
	digest := hash.New()
	digest.Write([]byte(toSign))
	sig, _ := rsa.SignPKCS1v15(rand.Reader, h.key, hash, digest.Sum(nil))
	e.Signature = base64.StdEncoding.EncodeToString(sig)
	body, _ := json.Marshal(e)
	return body, http.Header{"X-Amz-Sns-Message-Type": {e.Type}, "X-Amz-Sns-Message-Id": {e.MessageId},
		"X-Amz-Sns-Topic-Arn": {e.TopicArn}, "Content-Type": {"text/plain; charset=UTF-8"},
		"User-Agent": {"Amazon Simple Notification Service Agent"}}
}

// uuid is a random id in the 8-4-4-4-12 form SNS's message ids have.
func uuid() string {
	b := make([]byte, 16)
	rand.Read(b)
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[:4], b[4:6], b[6:8], b[8:10], b[10:])
}

func snsTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }
