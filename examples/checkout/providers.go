package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/plugins"
	"github.com/mfspay/mfspay/providers/eazzpay"
	"github.com/mfspay/mfspay/providers/eazzpay/eazzpaytest"
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
)

// providerSetup says how to reach one provider: its simulator (the default)
// or its real API. Exactly one of wezo and eazz is set.
type providerSetup struct {
	Name  string
	Title string
	Real  bool
	// DashboardURL is the simulator's dashboard, empty for a real provider.
	DashboardURL string
	wezo         *wezopay.Config
	eazz         *eazzpay.Config
}

// settings are the adapter's FromSettings keys, what a plugin is configured
// with.
func (p providerSetup) settings() map[string]string {
	if p.wezo != nil {
		return map[string]string{
			wezopay.SettingBaseURL:        p.wezo.BaseURL,
			wezopay.SettingAPIKey:         p.wezo.APIKey,
			wezopay.SettingWebhookSecrets: strings.Join(p.wezo.WebhookSecrets, ","),
		}
	}
	return map[string]string{
		"base_url":         p.eazz.BaseURL,
		"client_secret":    p.eazz.ClientSecret,
		"accepted_secrets": strings.Join(p.eazz.AcceptedSecrets, ","),
	}
}

// inProcess builds the adapter in this process, with retries and the
// circuit breaker r configures.
func (p providerSetup) inProcess(r mfspay.Resilience) (mfspay.Gateway, error) {
	if p.wezo != nil {
		cfg := *p.wezo
		cfg.Resilience = r
		return wezopay.New(cfg)
	}
	cfg := *p.eazz
	cfg.Resilience = r
	return eazzpay.New(cfg)
}

// simulators are the simulated providers the shop started.
type simulators struct {
	wezo *wezopaytest.Server
	eazz *eazzpaytest.Server
}

// Close stops every simulator.
func (s *simulators) Close() {
	if s.wezo != nil {
		s.wezo.Close()
	}
	if s.eazz != nil {
		s.eazz.Close()
	}
}

// setupProviders decides, from the environment, how to reach each provider
// and starts a simulator for each one left offline. webhookBase is the shop's
// public URL: EazzPay's simulator sends its wallet-transaction notifications
// to webhookBase+"/webhooks/eazzpay", the URL a merchant types into EazzPay's
// dashboard.
func setupProviders(getenv func(string) string, webhookBase string) ([]providerSetup, *simulators, error) {
	sims := &simulators{}
	var setups []providerSetup

	wezo := providerSetup{Name: wezopay.ProviderName, Title: "WezoPay"}
	if key := getenv(envWezoAPIKey); key != "" {
		secrets := splitList(getenv(envWezoWebhookSecrets))
		if len(secrets) == 0 {
			return nil, nil, fmt.Errorf("%s is set but %s is empty: every WezoPay webhook would be refused", envWezoAPIKey, envWezoWebhookSecrets)
		}
		wezo.Real = true
		wezo.wezo = &wezopay.Config{
			BaseURL:        cmp.Or(getenv(envWezoBaseURL), wezopay.DefaultBaseURL),
			APIKey:         key,
			WebhookSecrets: secrets,
		}
	} else if getenv(envWezoBaseURL) != "" {
		return nil, nil, fmt.Errorf("%s is set without %s", envWezoBaseURL, envWezoAPIKey)
	} else {
		sims.wezo = wezopaytest.NewServer()
		wezo.DashboardURL = sims.wezo.URL + "/_dashboard"
		wezo.wezo = &wezopay.Config{
			BaseURL:        sims.wezo.BaseURL(),
			APIKey:         sims.wezo.APIKey(),
			WebhookSecrets: []string{sims.wezo.WebhookSecret()},
		}
	}
	setups = append(setups, wezo)

	eazz := providerSetup{Name: eazzpay.ProviderName, Title: "EazzPay"}
	if secret := getenv(envEazzClientSecret); secret != "" {
		eazz.Real = true
		eazz.eazz = &eazzpay.Config{
			BaseURL:      cmp.Or(getenv(envEazzBaseURL), eazzpay.DefaultBaseURL),
			ClientSecret: secret,
		}
	} else if getenv(envEazzBaseURL) != "" {
		sims.Close()
		return nil, nil, fmt.Errorf("%s is set without %s", envEazzBaseURL, envEazzClientSecret)
	} else {
		sims.eazz = eazzpaytest.NewServer(eazzpaytest.WithWebhookURL(webhookBase + "/webhooks/" + eazzpay.ProviderName))
		eazz.DashboardURL = sims.eazz.URL + "/_dashboard"
		eazz.eazz = &eazzpay.Config{
			BaseURL:      sims.eazz.BaseURL(),
			ClientSecret: sims.eazz.ClientSecret(),
		}
	}
	setups = append(setups, eazz)
	return setups, sims, nil
}

// splitList splits a comma-separated list, dropping blanks.
func splitList(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
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

// pluginPackages are the plugin binaries built from this module.
var pluginPackages = []string{
	"github.com/mfspay/mfspay/plugins/cmd/mfspay-plugin-wezopay",
	"github.com/mfspay/mfspay/plugins/cmd/mfspay-plugin-eazzpay",
}

// buildPlugins compiles the built-in plugin binaries into a new temporary
// directory with the go tool, which needs this module's source (run from
// inside the repository). remove deletes the directory.
func buildPlugins(ctx context.Context, progress io.Writer) (dir string, remove func(), err error) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		return "", nil, errors.New("-plugins builds the plugin binaries with the go tool, which is not on PATH; build them yourself and pass -plugin-dir")
	}
	dir, err = os.MkdirTemp("", "mfspay-plugins-")
	if err != nil {
		return "", nil, err
	}
	remove = func() { os.RemoveAll(dir) }
	fmt.Fprintf(progress, "building the plugins into %s …\n", dir)
	cmd := exec.CommandContext(ctx, goTool, append([]string{"build", "-o", dir + string(filepath.Separator)}, pluginPackages...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		remove()
		return "", nil, fmt.Errorf("go build of the plugins failed (run from inside the mfspay repository, or pass -plugin-dir): %w\n%s", err, out)
	}
	return dir, remove, nil
}

// openPlugins starts the plugin binary of every provider from dir, found
// with plugins.Discover, and configures it over RPC. The returned close
// stops them all.
func openPlugins(ctx context.Context, setups []providerSetup, dir string, logger *slog.Logger) (gws []gatewayInfo, closeAll func(), err error) {
	found, err := plugins.Discover(dir)
	if err != nil {
		return nil, nil, fmt.Errorf("looking for plugins in %s: %w", dir, err)
	}
	paths := map[string]string{}
	for _, info := range found {
		paths[info.Name] = info.Path
	}
	var clients []*plugins.Client
	closeAll = func() {
		for _, c := range clients {
			c.Close()
		}
	}
	for _, p := range setups {
		path, ok := paths[p.Name]
		if !ok {
			closeAll()
			return nil, nil, fmt.Errorf("no %s%s plugin in %s", plugins.BinaryPrefix, p.Name, dir)
		}
		// The settings, secrets included, go to the plugin over RPC, never on
		// its command line or in its environment.
		c, err := plugins.Open(ctx, path, plugins.Config{Settings: p.settings(), Logger: logger})
		if err != nil {
			closeAll()
			return nil, nil, fmt.Errorf("opening the %s plugin: %w", p.Name, err)
		}
		clients = append(clients, c)
		gws = append(gws, newGatewayInfo(p, c, "plugin "+filepath.Base(path)))
	}
	return gws, closeAll, nil
}
