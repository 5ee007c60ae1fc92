package plugins_test

import (
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestProductionPluginsCarryNoSimulator: the plugin binaries link their
// simulators (and so net/http/httptest and the simulator kit) only when
// built with -tags mfspaysim, as conformance runs build them.
func TestProductionPluginsCarryNoSimulator(t *testing.T) {
	mains := []string{"./cmd/mfspay-plugin-wezopay", "./cmd/mfspay-plugin-eazzpay", "./cmd/mfspay-plugin-uddoktapay",
		"./cmd/mfspay-plugin-bkash", "../examples/thirdparty-plugin"}
	for _, tags := range []string{"", "mfspaysim"} {
		for _, main := range mains {
			out, err := exec.Command("go", "list", "-tags", tags, "-deps", main).Output()
			require.NoError(t, err, main)
			deps := strings.Fields(string(out))
			links := func(pkg string) bool { return slices.Contains(deps, pkg) }
			if tags == "" {
				assert.False(t, links("github.com/mfspay/mfspay/providers/simkit"), "%s links the simulator kit", main)
				assert.False(t, links("net/http/httptest"), "%s links net/http/httptest", main)
			} else {
				assert.True(t, links("github.com/mfspay/mfspay/providers/simkit"), "%s -tags %s lacks its simulator", main, tags)
			}
		}
	}
}
