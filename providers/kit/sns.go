package kit

import (
	"context"
	"crypto"
	"crypto/rsa"
	_ "crypto/sha1" // SignatureVersion 1
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/mfspay/mfspay"
)

// DefaultSNSCertHost is the host a SigningCertURL or SubscribeURL must have
// when SNSConfig.CertHost is nil: AWS SNS in any region
// (sns.<region>.amazonaws.com, .com.cn in China).
const DefaultSNSCertHost = `^sns\.[a-zA-Z0-9\-]{3,}\.amazonaws\.com(\.cn)?$`

// The Codes of the mfspay.ErrNoEvent that SNSVerifier.Notification answers
// for an authentic message that is not a notification: the subscription was
// confirmed, or its end acknowledged. webhook.Handler answers both 200.
const (
	CodeSNSSubscriptionConfirmed   = "sns_subscription_confirmed"
	CodeSNSUnsubscribeConfirmation = "sns_unsubscribe_confirmation"
)

// The settings SNSConfigFromSettings reads, the same for every adapter
// whose provider notifies through SNS.
const (
	// SettingSNSTopicARNs lists the topics messages may come from
	// (comma-separated).
	SettingSNSTopicARNs = "sns_topic_arns"
	// SettingSNSCertHost overrides DefaultSNSCertHost.
	SettingSNSCertHost = "sns_cert_host"
	// SettingSNSCertRoots is PEM: when set, certificates and subscription
	// confirmations are fetched trusting only these roots (a simulator's
	// own certificate authority in tests).
	SettingSNSCertRoots = "sns_cert_roots"
)

// snsFetchTimeout bounds fetching a signing certificate or confirming a
// subscription with the default client.
const snsFetchTimeout = 10 * time.Second

// opWebhook names notification parsing in errors.
const opWebhook = "webhook"

// SNSMessage is an AWS SNS HTTP(S) delivery of any type, its fields named
// as in the JSON body.
type SNSMessage struct {
	Type, MessageId, Token, TopicArn, Subject, Message, Timestamp string
	SignatureVersion, Signature, SigningCertURL, SubscribeURL     string
}

// StringToSign returns what SNS signs for a message of m's Type, as AWS
// defines it: for a Notification the keys Message, MessageId, Subject (only
// when it has one), Timestamp, TopicArn and Type; for a
// SubscriptionConfirmation or an UnsubscribeConfirmation Message,
// MessageId, SubscribeURL, Timestamp, Token, TopicArn and Type; each as
// "key\nvalue\n", in that order. It reports false for another Type.
func (m *SNSMessage) StringToSign() (string, bool) {
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

// SNSHash is the hash a SignatureVersion signs with: SHA1 for "1", SHA256
// for "2". It reports false for any other version.
func SNSHash(signatureVersion string) (crypto.Hash, bool) {
	switch signatureVersion {
	case "1":
		return crypto.SHA1, true
	case "2":
		return crypto.SHA256, true
	}
	return 0, false
}

// SNSConfig configures an SNSVerifier.
type SNSConfig struct {
	// TopicARNs are the topics messages may come from; with none, every
	// message fails authentication.
	TopicARNs []string
	// CertHost must match the whole host (port included) of a
	// SigningCertURL and a SubscribeURL; nil means DefaultSNSCertHost.
	CertHost *regexp.Regexp
	// CertClient fetches signing certificates and confirms subscriptions;
	// nil means a client with the system roots. Redirects are never
	// followed.
	CertClient *http.Client
	// Clock tells the time a certificate must be valid at; nil means
	// time.Now.
	Clock func() time.Time
}

// SNSConfigFromSettings reads the SettingSNS* settings. A cert host that
// is not a regular expression, or roots that hold no PEM certificate, are
// an ErrInvalidRequest naming the setting.
func SNSConfigFromSettings(provider string, settings map[string]string) (SNSConfig, error) {
	cfg := SNSConfig{TopicARNs: SettingList(settings[SettingSNSTopicARNs])}
	if p := settings[SettingSNSCertHost]; p != "" {
		re, err := regexp.Compile(p)
		if err != nil {
			return cfg, Invalid(provider, "configure", SettingSNSCertHost, "is not a regular expression")
		}
		cfg.CertHost = re
	}
	if roots := settings[SettingSNSCertRoots]; roots != "" {
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM([]byte(roots)) {
			return cfg, Invalid(provider, "configure", SettingSNSCertRoots, "holds no PEM certificate")
		}
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
		cfg.CertClient = &http.Client{Transport: tr, Timeout: snsFetchTimeout}
	}
	return cfg, nil
}

// SNSVerifier authenticates AWS SNS HTTP(S) deliveries for an adapter whose
// provider notifies through an SNS topic, and fails closed
// (mfspay.ErrInvalidSignature) on anything amiss: a body that is not an SNS
// message; an x-amz-sns-message-type header that is missing or names
// another type, or message id or topic headers that disagree with the
// body; a TopicArn not among SNSConfig.TopicARNs; a SignatureVersion other
// than 1 (SHA1) or 2 (SHA256); a SigningCertURL that is not https on a host
// matching SNSConfig.CertHost with a path ending .pem; a certificate that
// is not a valid RSA one now; an RSA PKCS#1 v1.5 signature that does not
// verify over the string to sign (SNSMessage.StringToSign). A certificate
// that cannot be fetched is ErrUnavailable, so that SNS retries;
// certificates are cached by URL, and fetched once for concurrent
// messages. It is safe for concurrent use.
type SNSVerifier struct {
	provider string
	topics   map[string]bool
	certHost *regexp.Regexp
	client   *http.Client
	clock    func() time.Time

	flight singleflight.Group
	mu     sync.Mutex
	certs  map[string]*x509.Certificate
}

// NewSNSVerifier returns a verifier for cfg; provider names the adapter in
// its errors.
func NewSNSVerifier(provider string, cfg SNSConfig) *SNSVerifier {
	if cfg.CertHost == nil {
		cfg.CertHost = regexp.MustCompile(DefaultSNSCertHost)
	}
	if cfg.CertClient == nil {
		cfg.CertClient = &http.Client{Timeout: snsFetchTimeout}
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	noRedirects := *cfg.CertClient
	noRedirects.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	v := &SNSVerifier{provider: provider, topics: map[string]bool{}, client: &noRedirects, clock: cfg.Clock,
		certHost: regexp.MustCompile("^(?:" + cfg.CertHost.String() + ")$"), // the whole host
		certs:    map[string]*x509.Certificate{}}
	for _, t := range cfg.TopicARNs {
		v.topics[t] = true
	}
	return v
}

// Notification authenticates req as SNSVerifier says and returns the
// message when it is a Notification. An authentic SubscriptionConfirmation
// is confirmed by getting its SubscribeURL (https, on a CertHost host) and
// answered ErrNoEvent with Code CodeSNSSubscriptionConfirmed; an
// UnsubscribeConfirmation ErrNoEvent with CodeSNSUnsubscribeConfirmation.
func (v *SNSVerifier) Notification(ctx context.Context, req mfspay.WebhookRequest) (*SNSMessage, error) {
	m, err := v.Authenticate(ctx, req)
	if err != nil {
		return nil, err
	}
	switch m.Type {
	case "SubscriptionConfirmation":
		return nil, v.confirm(ctx, m)
	case "UnsubscribeConfirmation":
		return nil, &mfspay.Error{Kind: mfspay.ErrNoEvent, Provider: v.provider, Op: opWebhook,
			Code: CodeSNSUnsubscribeConfirmation, Message: "the SNS subscription ended; the message carries no event"}
	}
	return m, nil
}

func (v *SNSVerifier) invalid(msg string) error {
	return &mfspay.Error{Kind: mfspay.ErrInvalidSignature, Provider: v.provider, Op: opWebhook, Message: msg}
}

// Authenticate checks a message of any type as SNSVerifier says and
// returns it.
func (v *SNSVerifier) Authenticate(ctx context.Context, req mfspay.WebhookRequest) (*SNSMessage, error) {
	var m SNSMessage
	if json.Unmarshal(req.Body, &m) != nil {
		return nil, v.invalid("the body is not an SNS message")
	}
	same := func(header, value string) bool { h := req.Header.Get(header); return h == "" || h == value }
	hash, known := SNSHash(m.SignatureVersion)
	toSign, ok := m.StringToSign()
	switch {
	case !ok || req.Header.Get("X-Amz-Sns-Message-Type") != m.Type:
		return nil, v.invalid("the message type is missing, unknown or not the one the header names")
	case !same("X-Amz-Sns-Message-Id", m.MessageId) || !same("X-Amz-Sns-Topic-Arn", m.TopicArn):
		return nil, v.invalid("the x-amz-sns headers disagree with the body")
	case !v.topics[m.TopicArn]:
		return nil, v.invalid("the topic is not one this gateway accepts")
	case !known:
		return nil, v.invalid("the SignatureVersion is not 1 or 2")
	case !v.snsURL(m.SigningCertURL, true):
		return nil, v.invalid("the SigningCertURL is not an https .pem URL on an allowed SNS host")
	}
	key, err := v.key(ctx, m.SigningCertURL)
	if err != nil {
		return nil, err
	}
	sig, err := base64.StdEncoding.DecodeString(m.Signature)
	h := hash.New()
	h.Write([]byte(toSign))
	if err != nil || rsa.VerifyPKCS1v15(key, hash, h.Sum(nil), sig) != nil {
		return nil, v.invalid("the signature does not verify")
	}
	return &m, nil
}

// snsURL reports whether raw is https on a host CertHost matches, with a
// .pem path and no query when pem is set.
func (v *SNSVerifier) snsURL(raw string, pem bool) bool {
	u, err := url.Parse(raw)
	return err == nil && u.Scheme == "https" && u.User == nil && v.certHost.MatchString(u.Host) &&
		(!pem || strings.HasSuffix(u.Path, ".pem") && u.RawQuery == "")
}

// confirm gets the SubscribeURL of an authentic SubscriptionConfirmation.
func (v *SNSVerifier) confirm(ctx context.Context, m *SNSMessage) error {
	if !v.snsURL(m.SubscribeURL, false) {
		return v.invalid("the SubscribeURL is not an https URL on an allowed SNS host")
	}
	resp, err := v.get(ctx, m.SubscribeURL)
	if err != nil {
		return err
	}
	resp.Body.Close()
	return &mfspay.Error{Kind: mfspay.ErrNoEvent, Provider: v.provider, Op: opWebhook, Code: CodeSNSSubscriptionConfirmed,
		Message: "the SNS subscription was confirmed; the message carries no event"}
}

// get fetches raw, which must answer 200.
func (v *SNSVerifier) get(ctx context.Context, raw string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, raw, nil)
	if err != nil {
		return nil, v.invalid("the URL cannot be fetched")
	}
	resp, err := v.client.Do(req)
	if err == nil && resp.StatusCode == http.StatusOK {
		return resp, nil
	}
	if err == nil {
		resp.Body.Close()
	}
	return nil, &mfspay.Error{Kind: mfspay.ErrUnavailable, Provider: v.provider, Op: opWebhook,
		Message: "fetching from the SNS host failed"}
}

// key returns the RSA key of the certificate at raw, valid now.
func (v *SNSVerifier) key(ctx context.Context, raw string) (*rsa.PublicKey, error) {
	v.mu.Lock()
	cert := v.certs[raw]
	v.mu.Unlock()
	if cert == nil {
		c, err, _ := v.flight.Do(raw, func() (any, error) { return v.fetchCert(ctx, raw) })
		if err != nil {
			return nil, err
		}
		cert = c.(*x509.Certificate)
	}
	now := v.clock()
	key, ok := cert.PublicKey.(*rsa.PublicKey)
	if !ok || now.Before(cert.NotBefore) || now.After(cert.NotAfter) {
		return nil, v.invalid("the signing certificate is not an RSA certificate valid now")
	}
	return key, nil
}

// fetchCert gets the PEM certificate at raw and caches it.
func (v *SNSVerifier) fetchCert(ctx context.Context, raw string) (*x509.Certificate, error) {
	resp, err := v.get(ctx, raw)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	block, _ := pem.Decode(b)
	if block == nil || block.Type != "CERTIFICATE" {
		return nil, v.invalid("the SigningCertURL holds no PEM certificate")
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return nil, v.invalid("the SigningCertURL holds no valid certificate")
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if len(v.certs) >= 64 { // AWS rotates rarely; stay bounded
		clear(v.certs)
	}
	v.certs[raw] = cert
	return cert, nil
}
