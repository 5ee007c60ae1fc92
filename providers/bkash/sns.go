package bkash

import (
	"cmp"
	"context"
	"crypto"
	"crypto/rsa"
	_ "crypto/sha1" // SignatureVersion 1
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/providers/kit"
)

// The Code of the mfspay.ErrNoEvent that ParseNotification answers for an
// authentic SNS message that is not a notification: the subscription was
// confirmed (or its end acknowledged) and there is no event to deliver.
// webhook.Handler answers such messages 200.
const (
	CodeSubscriptionConfirmed   = "sns_subscription_confirmed"
	CodeUnsubscribeConfirmation = "sns_unsubscribe_confirmation"
)

// certTimeout bounds fetching a signing certificate or confirming a
// subscription.
const certTimeout = 10 * time.Second

// opWebhook names notification parsing in errors.
const opWebhook = "webhook"

// snsMessage is an SNS HTTP(S) delivery, of any type.
type snsMessage struct {
	Type, MessageId, Token, TopicArn, Subject, Message, Timestamp string
	SignatureVersion, Signature, SigningCertURL, SubscribeURL     string
}

// StringToSign returns what SNS signs for a message of body's Type, as AWS
// defines it: for a Notification the keys Message, MessageId, Subject (only
// when it has one), Timestamp, TopicArn and Type; for SubscriptionConfirmation
// and UnsubscribeConfirmation Message, MessageId, SubscribeURL, Timestamp,
// Token, TopicArn and Type; each as "key\nvalue\n", in that order. It
// reports false for a body that is not an SNS message of a known type.
func StringToSign(body []byte) (string, bool) {
	var m snsMessage
	if json.Unmarshal(body, &m) != nil {
		return "", false
	}
	return m.stringToSign()
}

func (m *snsMessage) stringToSign() (string, bool) {
	var pairs []string
	switch m.Type {
	case "Notification":
		pairs = []string{"Message", m.Message, "MessageId", m.MessageId}
		if m.Subject != "" {
			pairs = append(pairs, "Subject", m.Subject)
		}
		pairs = append(pairs, "Timestamp", m.Timestamp, "TopicArn", m.TopicArn, "Type", m.Type)
	case "SubscriptionConfirmation", "UnsubscribeConfirmation":
		pairs = []string{"Message", m.Message, "MessageId", m.MessageId, "SubscribeURL", m.SubscribeURL,
			"Timestamp", m.Timestamp, "Token", m.Token, "TopicArn", m.TopicArn, "Type", m.Type}
	default:
		return "", false
	}
	return strings.Join(pairs, "\n") + "\n", true
}

// ParseNotification authenticates an SNS message and only then reads it
// (see "Notifications" in the package doc).
func (d *driver) ParseNotification(ctx context.Context, req mfspay.WebhookRequest) (*mfspay.Event, error) {
	m, err := d.authenticate(ctx, req)
	if err != nil {
		return nil, err
	}
	switch m.Type {
	case "SubscriptionConfirmation":
		return nil, d.confirm(ctx, m)
	case "UnsubscribeConfirmation":
		return nil, &mfspay.Error{Kind: mfspay.ErrNoEvent, Provider: ProviderName, Op: opWebhook,
			Code: CodeUnsubscribeConfirmation, Message: "the SNS subscription ended; the message carries no event"}
	}
	var n struct {
		DateTime, DebitMSISDN, TrxID, TransactionStatus, Currency, TransactionReference, MerchantInvoiceNumber string
		Amount                                                                                                 mfspay.Amount
	}
	switch {
	case json.Unmarshal([]byte(m.Message), &n) != nil:
		return nil, kit.Invalid(ProviderName, opWebhook, "Message", "is not the bKash notification JSON")
	case n.TransactionStatus != "Completed":
		return nil, kit.Invalid(ProviderName, opWebhook, "transactionStatus", "is not Completed")
	case n.Amount <= 0 || n.TrxID == "" || n.Currency != "BDT":
		return nil, kit.Invalid(ProviderName, opWebhook, "Message", "lacks a positive BDT amount or a trxID")
	}
	if len(n.DebitMSISDN) == 13 && strings.HasPrefix(n.DebitMSISDN, "8801") {
		n.DebitMSISDN = n.DebitMSISDN[2:]
	}
	return &mfspay.Event{ID: m.MessageId, Provider: ProviderName, Type: mfspay.EventTransactionReceived,
		Reference: cmp.Or(n.MerchantInvoiceNumber, n.TransactionReference),
		Payment: mfspay.Payment{Provider: ProviderName, Status: mfspay.StatusPaid, Amount: n.Amount, TrxID: n.TrxID,
			Method: mfspay.MethodBKash, Sender: n.DebitMSISDN, PaidAt: parseTime(n.DateTime)}}, nil
}

func invalidSignature(msg string) error {
	return &mfspay.Error{Kind: mfspay.ErrInvalidSignature, Provider: ProviderName, Op: opWebhook, Message: msg}
}

// authenticate checks the message as ParseNotification says.
func (d *driver) authenticate(ctx context.Context, req mfspay.WebhookRequest) (*snsMessage, error) {
	var m snsMessage
	if json.Unmarshal(req.Body, &m) != nil {
		return nil, invalidSignature("the body is not an SNS message")
	}
	same := func(header, value string) bool { v := req.Header.Get(header); return v == "" || v == value }
	hashes := map[string]crypto.Hash{"1": crypto.SHA1, "2": crypto.SHA256}
	hash, known := hashes[m.SignatureVersion]
	toSign, ok := m.stringToSign()
	switch {
	case !ok || req.Header.Get("X-Amz-Sns-Message-Type") != m.Type:
		return nil, invalidSignature("the message type is missing, unknown or not the one the header names")
	case !same("X-Amz-Sns-Message-Id", m.MessageId) || !same("X-Amz-Sns-Topic-Arn", m.TopicArn):
		return nil, invalidSignature("the x-amz-sns headers disagree with the body")
	case !d.topics[m.TopicArn]:
		return nil, invalidSignature("the topic is not one this gateway accepts")
	case !known:
		return nil, invalidSignature("the SignatureVersion is not 1 or 2")
	}
	if !d.snsURL(m.SigningCertURL, true) {
		return nil, invalidSignature("the SigningCertURL is not an https .pem URL on an allowed SNS host")
	}
	key, err := d.certs.key(ctx, m.SigningCertURL, d.clock())
	if err != nil {
		return nil, err
	}
	sig, err := base64.StdEncoding.DecodeString(m.Signature)
	h := hash.New()
	h.Write([]byte(toSign))
	if err != nil || rsa.VerifyPKCS1v15(key, hash, h.Sum(nil), sig) != nil {
		return nil, invalidSignature("the signature does not verify")
	}
	return &m, nil
}

// snsURL reports whether raw is https on a host CertHost matches, with a
// .pem path when pem is set.
func (d *driver) snsURL(raw string, pem bool) bool {
	u, err := url.Parse(raw)
	return err == nil && u.Scheme == "https" && u.User == nil && d.certHost.MatchString(u.Host) &&
		(!pem || strings.HasSuffix(u.Path, ".pem") && u.RawQuery == "")
}

// confirm gets the SubscribeURL of an authentic SubscriptionConfirmation.
func (d *driver) confirm(ctx context.Context, m *snsMessage) error {
	if !d.snsURL(m.SubscribeURL, false) {
		return invalidSignature("the SubscribeURL is not an https URL on an allowed SNS host")
	}
	resp, err := d.certs.get(ctx, m.SubscribeURL)
	if err != nil {
		return err
	}
	resp.Body.Close()
	return &mfspay.Error{Kind: mfspay.ErrNoEvent, Provider: ProviderName, Op: opWebhook, Code: CodeSubscriptionConfirmed,
		Message: "the SNS subscription was confirmed; the message carries no event"}
}

// certCache fetches signing certificates and keeps them by URL.
type certCache struct {
	client *http.Client
	flight singleflight.Group
	mu     sync.Mutex
	certs  map[string]*x509.Certificate
}

func newCertCache(client *http.Client) *certCache {
	if client == nil {
		client = &http.Client{Timeout: certTimeout}
	}
	noRedirects := *client
	noRedirects.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &certCache{client: &noRedirects, certs: map[string]*x509.Certificate{}}
}

// get fetches raw, which must answer 200.
func (c *certCache) get(ctx context.Context, raw string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, raw, nil)
	if err != nil {
		return nil, invalidSignature("the URL cannot be fetched")
	}
	resp, err := c.client.Do(req)
	if err == nil && resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		err = io.ErrUnexpectedEOF
	}
	if err != nil {
		return nil, &mfspay.Error{Kind: mfspay.ErrUnavailable, Provider: ProviderName, Op: opWebhook,
			Message: "fetching from the SNS host failed"}
	}
	return resp, nil
}

// key returns the RSA key of the certificate at raw, valid at now.
func (c *certCache) key(ctx context.Context, raw string, now time.Time) (*rsa.PublicKey, error) {
	c.mu.Lock()
	cert := c.certs[raw]
	c.mu.Unlock()
	if cert == nil {
		v, err, _ := c.flight.Do(raw, func() (any, error) {
			resp, err := c.get(ctx, raw)
			if err != nil {
				return nil, err
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
			block, _ := pem.Decode(b)
			if block == nil || block.Type != "CERTIFICATE" {
				return nil, invalidSignature("the SigningCertURL holds no PEM certificate")
			}
			cert, err := x509.ParseCertificate(block.Bytes)
			if err != nil {
				return nil, invalidSignature("the SigningCertURL holds no valid certificate")
			}
			c.mu.Lock()
			defer c.mu.Unlock()
			if len(c.certs) >= 64 { // AWS rotates rarely; stay bounded
				clear(c.certs)
			}
			c.certs[raw] = cert
			return cert, nil
		})
		if err != nil {
			return nil, err
		}
		cert = v.(*x509.Certificate)
	}
	key, ok := cert.PublicKey.(*rsa.PublicKey)
	if !ok || now.Before(cert.NotBefore) || now.After(cert.NotAfter) {
		return nil, invalidSignature("the signing certificate is not an RSA certificate valid now")
	}
	return key, nil
}
