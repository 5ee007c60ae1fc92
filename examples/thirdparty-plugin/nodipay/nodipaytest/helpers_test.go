package nodipaytest_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay/conformance/simctl"
	"github.com/mfspay/mfspay/examples/thirdparty-plugin/nodipay/nodipaytest"
)

const (
	apiKey = "nsk_test_fixedkey_0001"
	whsec  = "nwhsec_fixed_secret_0001"
)

func newServer(t *testing.T, opts ...nodipaytest.Option) *nodipaytest.Server {
	t.Helper()
	s := nodipaytest.NewServer(append([]nodipaytest.Option{
		nodipaytest.WithAPIKey(apiKey), nodipaytest.WithWebhookSecrets(whsec),
	}, opts...)...)
	t.Cleanup(s.Close)
	return s
}

// answer is one HTTP exchange with the simulator.
type answer struct {
	status int
	header http.Header
	body   string
}

// call sends an API request with the right key (key "" sends none).
func call(t *testing.T, s *nodipaytest.Server, method, path, key, body string) answer {
	t.Helper()
	req, err := http.NewRequest(method, s.URL+path, strings.NewReader(body))
	require.NoError(t, err)
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return answer{resp.StatusCode, resp.Header, string(b)}
}

const createBody = `{"invoice_id":"INV-1","amount":25050,"currency":"BDT","success_url":"https://shop.example/ok",` +
	`"cancel_url":"https://shop.example/no"}`

// create makes a payment and returns its id.
func create(t *testing.T, s *nodipaytest.Server, invoice string) string {
	t.Helper()
	a := call(t, s, "POST", "/v1/payments", apiKey, strings.Replace(createBody, "INV-1", invoice, 1))
	require.Equal(t, http.StatusCreated, a.status, a.body)
	var p struct{ ID string }
	require.NoError(t, jsonUnmarshal(a.body, &p))
	return p.ID
}

func requests(t *testing.T, s *nodipaytest.Server) int {
	t.Helper()
	n, err := s.RequestCount(context.Background())
	require.NoError(t, err)
	return n
}

func fail(t *testing.T, s *nodipaytest.Server, f simctl.Fault) {
	t.Helper()
	require.NoError(t, s.Fail(context.Background(), f))
}
