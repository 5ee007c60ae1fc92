package main

import (
	"context"
	"testing"

	"github.com/mfspay/mfspay/providers/eazzpay"
	"github.com/mfspay/mfspay/providers/wezopay"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSetupProvidersFromEnvironment(t *testing.T) {
	tests := []struct {
		name     string
		env      map[string]string
		wantErr  string
		wantReal [2]bool
		check    func(t *testing.T, wezo, eazz providerSetup)
	}{
		{name: "offline by default", check: func(t *testing.T, wezo, eazz providerSetup) {
			assert.Contains(t, wezo.DashboardURL, "http://127.0.0.1:")
			assert.Contains(t, eazz.DashboardURL, "http://127.0.0.1:")
		}},
		{name: "real WezoPay", env: map[string]string{envWezoAPIKey: "wpk_live_1", envWezoWebhookSecrets: " s1, s2 ,"},
			wantReal: [2]bool{true, false}, check: func(t *testing.T, wezo, _ providerSetup) {
				assert.Equal(t, wezopay.DefaultBaseURL, wezo.wezo.BaseURL)
				assert.Equal(t, []string{"s1", "s2"}, wezo.wezo.WebhookSecrets)
				assert.Empty(t, wezo.DashboardURL)
				assert.Equal(t, "s1,s2", wezo.settings()[wezopay.SettingWebhookSecrets])
			}},
		{name: "real EazzPay sandbox", env: map[string]string{envEazzClientSecret: "cs", envEazzBaseURL: eazzpay.SandboxBaseURL},
			wantReal: [2]bool{false, true}, check: func(t *testing.T, _, eazz providerSetup) {
				assert.Equal(t, eazzpay.SandboxBaseURL, eazz.eazz.BaseURL)
				assert.Equal(t, map[string]string{"base_url": eazzpay.SandboxBaseURL, "client_secret": "cs", "accepted_secrets": ""}, eazz.settings())
			}},
		{name: "WezoPay key without secrets", env: map[string]string{envWezoAPIKey: "wpk_live_1"}, wantErr: envWezoWebhookSecrets},
		{name: "WezoPay base URL without key", env: map[string]string{envWezoBaseURL: "https://x.example"}, wantErr: envWezoAPIKey},
		{name: "EazzPay base URL without secret", env: map[string]string{envEazzBaseURL: "https://x.example"}, wantErr: envEazzClientSecret},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			setups, sims, err := setupProviders(envMap(tt.env), "http://127.0.0.1:1")
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				assert.NotContains(t, err.Error(), "wpk_live_1", "no secret in the error")
				return
			}
			require.NoError(t, err)
			t.Cleanup(sims.Close)
			require.Len(t, setups, 2)
			assert.Equal(t, tt.wantReal, [2]bool{setups[0].Real, setups[1].Real})
			tt.check(t, setups[0], setups[1])
			gws, err := buildInProcess(setups)
			require.NoError(t, err)
			assert.Equal(t, []string{"wezopay", "eazzpay"}, []string{gws[0].GW.Provider(), gws[1].GW.Provider()})
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
