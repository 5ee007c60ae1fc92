package main

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mfspay/mfspay/providers/bkash"
	"github.com/mfspay/mfspay/providers/bkash/bkashtest"
	"github.com/mfspay/mfspay/providers/eazzpay"
	"github.com/mfspay/mfspay/providers/kit"
	"github.com/mfspay/mfspay/providers/uddoktapay"
	"github.com/mfspay/mfspay/providers/uddoktapay/uddoktapaytest"
	"github.com/mfspay/mfspay/providers/wezopay"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// bkashCreds are a complete set of bKash credentials in the environment.
var bkashCreds = map[string]string{
	envBkashUsername: "merchant-user-1", envBkashPassword: "pw-secret-1", envBkashAppKey: "appkey-secret-1", envBkashAppSecret: "appsecret-secret-1",
}

func with(m map[string]string, kv ...string) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}

func TestSetupProvidersFromEnvironment(t *testing.T) {
	secrets := []string{"wpk_live_1", "s1", "cs-secret", "merchant-user-1", "pw-secret-1", "appkey-secret-1", "appsecret-secret-1", "udk-secret-1"}
	tests := []struct {
		name     string
		env      map[string]string
		wantErr  string
		wantReal [4]bool
		// check looks at the setups of wezopay, eazzpay, bkash, uddoktapay.
		check func(t *testing.T, p []providerSetup)
	}{
		{name: "offline by default", check: func(t *testing.T, p []providerSetup) {
			for _, s := range p {
				assert.Contains(t, s.DashboardURL, "http://127.0.0.1:", s.Name)
			}
			// The simulated bKash's settings make the adapter trust its own
			// SNS host and certificate authority only.
			assert.Contains(t, p[2].Settings[kit.SettingSNSCertRoots], "BEGIN CERTIFICATE")
			assert.NotEmpty(t, p[2].Settings[kit.SettingSNSCertHost])
			assert.NotEmpty(t, p[2].Settings[kit.SettingSNSTopicARNs])
			assert.True(t, p[3].NeedsEmail)
		}},
		{name: "real WezoPay", env: map[string]string{envWezoAPIKey: "wpk_live_1", envWezoWebhookSecrets: " s1, s2 ,"},
			wantReal: [4]bool{true, false, false, false}, check: func(t *testing.T, p []providerSetup) {
				assert.Equal(t, map[string]string{wezopay.SettingBaseURL: wezopay.DefaultBaseURL, wezopay.SettingAPIKey: "wpk_live_1",
					wezopay.SettingWebhookSecrets: "s1,s2"}, p[0].Settings)
				assert.Empty(t, p[0].DashboardURL)
			}},
		{name: "real EazzPay sandbox", env: map[string]string{envEazzClientSecret: "cs-secret", envEazzBaseURL: eazzpay.SandboxBaseURL},
			wantReal: [4]bool{false, true, false, false}, check: func(t *testing.T, p []providerSetup) {
				assert.Equal(t, map[string]string{"base_url": eazzpay.SandboxBaseURL, "client_secret": "cs-secret"}, p[1].Settings)
			}},
		{name: "real bKash sandbox", env: with(bkashCreds, envBkashBaseURL, bkash.SandboxBaseURL, envBkashTopicARNs, "arn:a, arn:b"),
			wantReal: [4]bool{false, false, true, false}, check: func(t *testing.T, p []providerSetup) {
				assert.Equal(t, map[string]string{bkash.SettingBaseURL: bkash.SandboxBaseURL, bkash.SettingUsername: "merchant-user-1",
					bkash.SettingPassword: "pw-secret-1", bkash.SettingAppKey: "appkey-secret-1", bkash.SettingAppSecret: "appsecret-secret-1",
					kit.SettingSNSTopicARNs: "arn:a,arn:b"}, p[2].Settings, "no certificate host or roots: the adapter's AWS defaults")
				assert.Empty(t, p[2].DashboardURL)
			}},
		{name: "real bKash production without topics", env: bkashCreds,
			wantReal: [4]bool{false, false, true, false}, check: func(t *testing.T, p []providerSetup) {
				assert.Equal(t, bkash.DefaultBaseURL, p[2].Settings[bkash.SettingBaseURL])
			}},
		{name: "real UddoktaPay panel", env: map[string]string{envUddoktaAPIKey: "udk-secret-1", envUddoktaBaseURL: "https://pay.shop.example/brand",
			envUddoktaOldKeys: "old-1,"}, wantReal: [4]bool{false, false, false, true}, check: func(t *testing.T, p []providerSetup) {
			assert.Equal(t, map[string]string{uddoktapay.SettingBaseURL: "https://pay.shop.example/brand", uddoktapay.SettingAPIKey: "udk-secret-1",
				uddoktapay.SettingAcceptedKeys: "old-1"}, p[3].Settings)
		}},
		{name: "WezoPay key without secrets", env: map[string]string{envWezoAPIKey: "wpk_live_1"}, wantErr: envWezoWebhookSecrets},
		{name: "WezoPay base URL without key", env: map[string]string{envWezoBaseURL: "https://x.example"}, wantErr: envWezoAPIKey},
		{name: "EazzPay base URL without secret", env: map[string]string{envEazzBaseURL: "https://x.example"}, wantErr: envEazzClientSecret},
		{name: "bKash with three credentials of four", env: with(bkashCreds, envBkashAppSecret, ""), wantErr: envBkashAppSecret},
		{name: "bKash topics without credentials", env: map[string]string{envBkashTopicARNs: "arn:a"}, wantErr: envBkashUsername},
		{name: "UddoktaPay key without its panel", env: map[string]string{envUddoktaAPIKey: "udk-secret-1"}, wantErr: envUddoktaBaseURL},
		{name: "UddoktaPay panel without key", env: map[string]string{envUddoktaBaseURL: "https://pay.shop.example"}, wantErr: envUddoktaAPIKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			setups, sims, err := setupProviders(envMap(tt.env), "http://127.0.0.1:1")
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				for _, s := range secrets {
					assert.NotContains(t, err.Error(), s, "no secret in the error")
				}
				return
			}
			require.NoError(t, err)
			t.Cleanup(sims.Close)
			require.Len(t, setups, 4)
			assert.Equal(t, tt.wantReal, [4]bool{setups[0].Real, setups[1].Real, setups[2].Real, setups[3].Real})
			tt.check(t, setups)
			gws, err := buildInProcess(setups)
			require.NoError(t, err)
			var names []string
			for _, g := range gws {
				names = append(names, g.GW.Provider())
			}
			assert.Equal(t, []string{"wezopay", "eazzpay", "bkash", "uddoktapay"}, names)
		})
	}
}

func TestOpenPluginsNamesTheMissingBinary(t *testing.T) {
	setups, sims, err := setupProviders(envMap(nil), "http://127.0.0.1:1")
	require.NoError(t, err)
	t.Cleanup(sims.Close)
	dir := t.TempDir()
	_, _, err = openPlugins(context.Background(), setups, dir, nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "no mfspay-plugin-wezopay plugin in "+dir)
}

// The real providers' credentials, refused by the provider, appear nowhere
// the shop writes: not in its log (at debug level), its pages, an order's
// JSON, or the start-up lines. bKash and UddoktaPay are the real ones here,
// their simulators standing in, given credentials they refuse.
func TestRealCredentialsAreNeverShown(t *testing.T) {
	ctx := context.Background()
	bk := bkashtest.NewServer()
	t.Cleanup(bk.Close)
	ud := uddoktapaytest.NewServer()
	t.Cleanup(ud.Close)
	bkSettings, err := bk.Settings(ctx)
	require.NoError(t, err)
	udSettings, err := ud.Settings(ctx)
	require.NoError(t, err)
	bad := bkSettings.BadCredentials
	env := map[string]string{
		envBkashBaseURL: bad[bkash.SettingBaseURL], envBkashUsername: bad[bkash.SettingUsername],
		envBkashPassword: bad[bkash.SettingPassword], envBkashAppKey: bad[bkash.SettingAppKey],
		envBkashAppSecret: bad[bkash.SettingAppSecret], envBkashTopicARNs: bad[kit.SettingSNSTopicARNs],
		envUddoktaBaseURL: udSettings.BadCredentials[uddoktapay.SettingBaseURL],
		envUddoktaAPIKey:  udSettings.BadCredentials[uddoktapay.SettingAPIKey],
	}
	secrets := append(append([]string{}, bkSettings.Secrets...), udSettings.Secrets...)

	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	a := startTestApp(t, appConfig{Getenv: envMap(env), Log: logger, DB: filepath.Join(t.TempDir(), "shop.db")})
	var shown strings.Builder
	for _, provider := range []string{"bkash", "uddoktapay"} {
		code, page := postForm(t, a.URL+"/orders", url.Values{"product": {catalog[0].ID}, "provider": {provider},
			"name": {"Karim"}, "email": {"karim@example.com"}})
		assert.Equal(t, http.StatusBadGateway, code, provider)
		assert.Contains(t, page, "account is misconfigured", provider)
		shown.WriteString(page)
	}
	_, home := getPage(t, a.URL+"/")
	shown.WriteString(home)
	all, err := a.shop.orders.all(ctx)
	require.NoError(t, err)
	require.Len(t, all, 2)
	for _, o := range all {
		_, body := getPage(t, a.URL+"/orders/"+o.ID+"/status")
		_, page := getPage(t, a.URL+"/orders/"+o.ID)
		shown.WriteString(body + page)
	}
	var startup bytes.Buffer
	printDatabase(&startup, a, time.Minute)
	require.Contains(t, logs.String(), "create payment failed", "the failures were logged")
	for _, s := range secrets {
		assert.NotContains(t, logs.String(), s, "log")
		assert.NotContains(t, shown.String(), s, "pages")
		assert.NotContains(t, startup.String(), s, "start-up lines")
	}
}
