package main

import (
	"cmp"
	"context"
	"fmt"
	"strings"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/providers/bkash"
	"github.com/mfspay/mfspay/providers/bkash/bkashtest"
	"github.com/mfspay/mfspay/providers/eazzpay"
	"github.com/mfspay/mfspay/providers/eazzpay/eazzpaytest"
	"github.com/mfspay/mfspay/providers/kit"
	"github.com/mfspay/mfspay/providers/uddoktapay"
	"github.com/mfspay/mfspay/providers/uddoktapay/uddoktapaytest"
	"github.com/mfspay/mfspay/providers/wezopay"
	"github.com/mfspay/mfspay/providers/wezopay/wezopaytest"
)

// The environment variables that switch a provider from its simulator to
// its real API. A provider is real when its credential is set.
const (
	envWezoBaseURL        = "MFSPAY_WEZOPAY_BASE_URL"
	envWezoAPIKey         = "MFSPAY_WEZOPAY_API_KEY"
	envWezoWebhookSecrets = "MFSPAY_WEZOPAY_WEBHOOK_SECRETS"
	envEazzBaseURL        = "MFSPAY_EAZZPAY_BASE_URL"
	envEazzClientSecret   = "MFSPAY_EAZZPAY_CLIENT_SECRET"
	envBkashBaseURL       = "MFSPAY_BKASH_BASE_URL"
	envBkashUsername      = "MFSPAY_BKASH_USERNAME"
	envBkashPassword      = "MFSPAY_BKASH_PASSWORD"
	envBkashAppKey        = "MFSPAY_BKASH_APP_KEY"
	envBkashAppSecret     = "MFSPAY_BKASH_APP_SECRET"
	envBkashTopicARNs     = "MFSPAY_BKASH_SNS_TOPIC_ARNS"
	envUddoktaBaseURL     = "MFSPAY_UDDOKTAPAY_BASE_URL"
	envUddoktaAPIKey      = "MFSPAY_UDDOKTAPAY_API_KEY"
	envUddoktaOldKeys     = "MFSPAY_UDDOKTAPAY_ACCEPTED_KEYS"
)

// providerEnv lists every variable that switches a provider to its real
// API, for -demo to refuse them.
var providerEnv = []string{
	envWezoAPIKey, envWezoWebhookSecrets, envWezoBaseURL,
	envEazzClientSecret, envEazzBaseURL,
	envBkashUsername, envBkashPassword, envBkashAppKey, envBkashAppSecret, envBkashTopicARNs, envBkashBaseURL,
	envUddoktaAPIKey, envUddoktaOldKeys, envUddoktaBaseURL,
}

// providerSetup says how to reach one provider: its simulator (the default)
// or its real API.
type providerSetup struct {
	Name  string
	Title string
	Real  bool
	// DashboardURL is the simulator's dashboard, empty for a real provider.
	DashboardURL string
	// NeedsEmail: the provider refuses a payment without the customer's
	// email address (UddoktaPay).
	NeedsEmail bool
	// Settings are the adapter's FromSettings keys, credentials included:
	// what the adapter is built from in process and what a plugin is
	// configured with over RPC. They are never printed.
	Settings map[string]string
	// fromSettings is the adapter's FromSettings.
	fromSettings func(map[string]string, mfspay.Resilience) (mfspay.Gateway, error)
}

// inProcess builds the adapter in this process, with retries and the
// circuit breaker r configures.
func (p providerSetup) inProcess(r mfspay.Resilience) (mfspay.Gateway, error) {
	return p.fromSettings(p.Settings, r)
}

// simulators are the simulated providers the shop started.
type simulators struct {
	wezo    *wezopaytest.Server
	eazz    *eazzpaytest.Server
	bkash   *bkashtest.Server
	uddokta *uddoktapaytest.Server
}

// Close stops every simulator.
func (s *simulators) Close() {
	if s.wezo != nil {
		s.wezo.Close()
	}
	if s.eazz != nil {
		s.eazz.Close()
	}
	if s.bkash != nil {
		s.bkash.Close()
	}
	if s.uddokta != nil {
		s.uddokta.Close()
	}
}

// sendMoney is the customer sending amount from a wallet to the merchant
// before typing the transaction id on a provider's page. Only UddoktaPay's
// panel notices: it reads the incoming-money SMS on the merchant's phone
// and completes the payment whose transaction id matches it. Without it
// the payment would wait, PENDING, for the merchant to approve it.
func (s *simulators) sendMoney(provider, trxID string, amount mfspay.Amount) {
	if provider == uddoktapay.ProviderName && s.uddokta != nil {
		s.uddokta.AddSMS(uddoktapaytest.SMS{TrxID: trxID, Amount: amount})
	}
}

// setupProviders decides, from the environment, how to reach each provider
// and starts a simulator for each one left offline. webhookBase is the shop's
// public URL: the simulators that notify a fixed merchant URL rather than
// the one in each payment (EazzPay's wallet transactions, bKash's SNS
// subscription) send to webhookBase+"/webhooks/{provider}", as the merchant
// sets it up in the provider's dashboard or with its support.
func setupProviders(getenv func(string) string, webhookBase string) (_ []providerSetup, _ *simulators, err error) {
	sims := &simulators{}
	defer func() {
		if err != nil {
			sims.Close()
		}
	}()
	var setups []providerSetup
	for _, setup := range []func(func(string) string, string, *simulators) (providerSetup, error){
		setupWezoPay, setupEazzPay, setupBkash, setupUddoktaPay,
	} {
		p, err := setup(getenv, webhookBase, sims)
		if err != nil {
			return nil, nil, err
		}
		setups = append(setups, p)
	}
	return setups, sims, nil
}

// setupWezoPay reads MFSPAY_WEZOPAY_*, or starts WezoPay's simulator.
func setupWezoPay(getenv func(string) string, _ string, sims *simulators) (providerSetup, error) {
	p := providerSetup{Name: wezopay.ProviderName, Title: "WezoPay", fromSettings: wezopay.FromSettings}
	key := getenv(envWezoAPIKey)
	switch {
	case key != "":
		secrets := kit.SettingList(getenv(envWezoWebhookSecrets))
		if len(secrets) == 0 {
			return p, fmt.Errorf("%s is set but %s is empty: every WezoPay webhook would be refused", envWezoAPIKey, envWezoWebhookSecrets)
		}
		p.Real = true
		p.Settings = map[string]string{
			wezopay.SettingBaseURL:        cmp.Or(getenv(envWezoBaseURL), wezopay.DefaultBaseURL),
			wezopay.SettingAPIKey:         key,
			wezopay.SettingWebhookSecrets: strings.Join(secrets, ","),
		}
	case getenv(envWezoBaseURL) != "":
		return p, fmt.Errorf("%s is set without %s", envWezoBaseURL, envWezoAPIKey)
	default:
		sims.wezo = wezopaytest.NewServer()
		p.DashboardURL = sims.wezo.URL + "/_dashboard"
		p.Settings = sims.wezo.SettingsMap()
	}
	return p, nil
}

// setupEazzPay reads MFSPAY_EAZZPAY_*, or starts EazzPay's simulator, which
// sends its wallet-transaction notifications to the shop's
// /webhooks/eazzpay (the URL a merchant types into EazzPay's dashboard).
func setupEazzPay(getenv func(string) string, webhookBase string, sims *simulators) (providerSetup, error) {
	p := providerSetup{Name: eazzpay.ProviderName, Title: "EazzPay", fromSettings: eazzpay.FromSettings}
	switch secret := getenv(envEazzClientSecret); {
	case secret != "":
		p.Real = true
		p.Settings = map[string]string{"base_url": cmp.Or(getenv(envEazzBaseURL), eazzpay.DefaultBaseURL), "client_secret": secret}
	case getenv(envEazzBaseURL) != "":
		return p, fmt.Errorf("%s is set without %s", envEazzBaseURL, envEazzClientSecret)
	default:
		sims.eazz = eazzpaytest.NewServer(eazzpaytest.WithWebhookURL(webhookBase + "/webhooks/" + eazzpay.ProviderName))
		p.DashboardURL = sims.eazz.URL + "/_dashboard"
		s, err := sims.eazz.Settings(context.Background())
		if err != nil {
			return p, fmt.Errorf("EazzPay's simulator: %w", err)
		}
		p.Settings = s.Values
	}
	return p, nil
}

// setupBkash reads MFSPAY_BKASH_*, or starts bKash's simulator. The four
// credentials go together. The simulator's SNS notifications go to the
// shop's /webhooks/bkash, signed under its own certificate authority; its
// settings tell the adapter to fetch signing certificates from the
// simulator's SNS host only, trusting only that authority.
func setupBkash(getenv func(string) string, webhookBase string, sims *simulators) (providerSetup, error) {
	p := providerSetup{Name: bkash.ProviderName, Title: "bKash", fromSettings: bkash.FromSettings}
	creds := map[string]string{
		bkash.SettingUsername: getenv(envBkashUsername), bkash.SettingPassword: getenv(envBkashPassword),
		bkash.SettingAppKey: getenv(envBkashAppKey), bkash.SettingAppSecret: getenv(envBkashAppSecret),
	}
	var missing []string
	for _, env := range []string{envBkashUsername, envBkashPassword, envBkashAppKey, envBkashAppSecret} {
		if getenv(env) == "" {
			missing = append(missing, env)
		}
	}
	switch {
	case len(missing) == 0:
		p.Real = true
		p.Settings = creds
		p.Settings[bkash.SettingBaseURL] = cmp.Or(getenv(envBkashBaseURL), bkash.DefaultBaseURL)
		// Without topics every SNS message is refused; orders still turn
		// paid on the customer's return (README).
		p.Settings[kit.SettingSNSTopicARNs] = strings.Join(kit.SettingList(getenv(envBkashTopicARNs)), ",")
	case len(missing) < 4:
		return p, fmt.Errorf("bKash needs all four credentials; %s not set", strings.Join(missing, ", "))
	case getenv(envBkashBaseURL) != "" || getenv(envBkashTopicARNs) != "":
		return p, fmt.Errorf("%s or %s is set without bKash's credentials (%s and the rest)", envBkashBaseURL, envBkashTopicARNs, envBkashUsername)
	default:
		sims.bkash = bkashtest.NewServer(bkashtest.WithListener(webhookBase + "/webhooks/" + bkash.ProviderName))
		p.DashboardURL = sims.bkash.URL + "/_dashboard"
		s, err := sims.bkash.Settings(context.Background())
		if err != nil {
			return p, fmt.Errorf("bKash's simulator: %w", err)
		}
		p.Settings = s.Values
	}
	return p, nil
}

// setupUddoktaPay reads MFSPAY_UDDOKTAPAY_*, or starts UddoktaPay's
// simulated panel. A real panel is the merchant's own, so its base URL is
// required with the key.
func setupUddoktaPay(getenv func(string) string, _ string, sims *simulators) (providerSetup, error) {
	p := providerSetup{Name: uddoktapay.ProviderName, Title: "UddoktaPay", NeedsEmail: true, fromSettings: uddoktapay.FromSettings}
	key, base := getenv(envUddoktaAPIKey), getenv(envUddoktaBaseURL)
	switch {
	case key != "" && base != "":
		p.Real = true
		p.Settings = map[string]string{
			uddoktapay.SettingBaseURL: base, uddoktapay.SettingAPIKey: key,
			uddoktapay.SettingAcceptedKeys: strings.Join(kit.SettingList(getenv(envUddoktaOldKeys)), ","),
		}
	case key != "":
		return p, fmt.Errorf("%s is set without %s: UddoktaPay runs on the merchant's own panel (sandbox: %s)",
			envUddoktaAPIKey, envUddoktaBaseURL, uddoktapay.SandboxBaseURL)
	case base != "" || getenv(envUddoktaOldKeys) != "":
		return p, fmt.Errorf("%s or %s is set without %s", envUddoktaBaseURL, envUddoktaOldKeys, envUddoktaAPIKey)
	default:
		sims.uddokta = uddoktapaytest.NewServer()
		p.DashboardURL = sims.uddokta.URL + "/_dashboard"
		s, err := sims.uddokta.Settings(context.Background())
		if err != nil {
			return p, fmt.Errorf("UddoktaPay's simulator: %w", err)
		}
		p.Settings = s.Values
	}
	return p, nil
}

// buildInProcess builds every adapter in this process.
func buildInProcess(setups []providerSetup) ([]gatewayInfo, error) {
	var out []gatewayInfo
	for _, p := range setups {
		gw, err := p.inProcess(mfspay.Resilience{}) // the zero value: default retries and breaker.
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p.Name, err)
		}
		out = append(out, newGatewayInfo(p, gw, "in-process"))
	}
	return out, nil
}
