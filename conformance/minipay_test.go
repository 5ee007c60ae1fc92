package conformance_test

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/conformance"
	"github.com/mfspay/mfspay/plugins"
)

// skipNoter is a conformance.Reporter of the kind an outside author writes
// to add to go test's own reporting: it runs rules as subtests, so go test
// -v still reads as the checklist, and notes every skipped rule with its
// reason.
type skipNoter struct {
	*testing.T
	root  string
	mu    *sync.Mutex
	skips map[string]string
}

func (r skipNoter) Skipf(format string, args ...any) {
	r.mu.Lock()
	r.skips[strings.TrimPrefix(r.Name(), r.root)] = fmt.Sprintf(format, args...)
	r.mu.Unlock()
	r.T.Skipf(format, args...)
}

func (r skipNoter) Run(name string, rule func(conformance.Reporter)) bool {
	return r.T.Run(name, func(t *testing.T) { rule(skipNoter{t, r.root, r.mu, r.skips}) })
}

// runNotingSkips runs the suite as subtests of t and returns the rules it
// skipped, by name, with their reasons.
func runNotingSkips(t *testing.T, h conformance.Harness) map[string]string {
	r := skipNoter{T: t, root: t.Name() + "/", mu: &sync.Mutex{}, skips: map[string]string{}}
	conformance.RunRules(r, h)
	r.mu.Lock()
	defer r.mu.Unlock()
	return maps.Clone(r.skips)
}

// miniPayRoutes run MiniPay linked in and behind the plugin protocol.
var miniPayRoutes = []struct {
	name    string
	harness func(sim *miniSim) conformance.Harness
	// skips are the rules the route itself leaves out.
	skips []string
}{
	{"InProcess", func(sim *miniSim) conformance.Harness { return conformance.InProcess(sim, miniFromSettings) }, nil},
	{"InMemoryPlugin", func(sim *miniSim) conformance.Harness {
		serve := plugins.ServeConfig{Name: miniName, Factory: miniDriverFromSettings}
		return pluginHarness(sim, func(ctx context.Context, cfg plugins.Config) (*plugins.Client, error) {
			return plugins.OpenInMemory(ctx, serve, cfg)
		})
	}, []string{"Resilience/CreateNotReplayedBelowThePolicy"}},
}

// miniPaySkips are the rules MiniPay's declarations leave out, whatever
// its return: no lookup by invoice, no list, no cancelled and no expired
// status, and a return to act on.
var miniPaySkips = []string{
	"Verify/ByInvoiceReturnsThePendingPayment",
	"Verify/UnknownInvoiceIsNotFound",
	"Status/CancelledAfterCancel",
	"Status/ExpiredAfterExpire",
	"List",
	"Returns/UnsupportedWithoutTraffic",
	"Resilience/RetriesListPaymentsThroughTransientServerErrors",
	"Resilience/RetriesListPaymentsAfterAttemptTimeout",
	"Resilience/ListPaymentsUnderPersistentServerErrorsIsUnavailable",
}

// TestConformanceHonestProviderWithThreeStatuses runs the whole suite
// against MiniPay, a provider whose only statuses are PENDING, COMPLETED
// and ERROR and which declares exactly that, with the customer's return
// verified (as UddoktaPay's) or executed (as bKash's): it passes, and the
// rules about what it lacks are skipped with their reasons, never failed.
func TestConformanceHonestProviderWithThreeStatuses(t *testing.T) {
	for _, mode := range []struct {
		name   string
		action mfspay.ReturnAction
	}{{"ReturnVerify", mfspay.ReturnVerify}, {"ReturnExecute", mfspay.ReturnExecute}} {
		for _, rt := range miniPayRoutes {
			t.Run(mode.name+"/"+rt.name, func(t *testing.T) {
				t.Parallel()
				sim := newMiniSim(mode.action, miniIDsAtCreate, miniNoticesPayments)
				t.Cleanup(sim.Close)
				skips := runNotingSkips(t, rt.harness(sim))
				want := slices.Concat(miniPaySkips, rt.skips)
				slices.Sort(want)
				got := slices.Sorted(maps.Keys(skips))
				assert.Equal(t, want, got, "the rules skipped")
				for rule, why := range skips {
					assert.True(t, strings.HasPrefix(why, "not applicable: "), "%s is skipped without a reason: %q", rule, why)
				}
				assert.Contains(t, skips["Status/CancelledAfterCancel"], "declares no cancelled status")
				assert.Contains(t, skips["Status/ExpiredAfterExpire"], "declares no expired status")
			})
		}
	}
}

// TestConformanceProviderNamingPaymentsLater runs the whole suite against
// MiniPay answering its creates with the payment page only, as UddoktaPay
// does, and declaring it (Capabilities.PaymentIDLater): the suite names
// each payment to the simulator by its RedirectURL, learns the id from the
// customer's return (verified or executed) or, without returns, from the
// notification, and passes; only the rules that need the id of a payment
// nobody has paid yet are skipped, with the reason.
func TestConformanceProviderNamingPaymentsLater(t *testing.T) {
	for _, mode := range []struct {
		name   string
		action mfspay.ReturnAction
	}{{"NoReturn", mfspay.ReturnNone}, {"ReturnVerify", mfspay.ReturnVerify}, {"ReturnExecute", mfspay.ReturnExecute}} {
		t.Run(mode.name, func(t *testing.T) {
			t.Parallel()
			sim := newMiniSim(mode.action, miniIDsLater, miniNoticesPayments)
			t.Cleanup(sim.Close)
			skips := runNotingSkips(t, conformance.InProcess(sim, miniFromSettings))
			want := slices.Concat(miniPaySkips, []string{"Verify/ByPaymentIDReturnsThePendingPayment"})
			if mode.action == mfspay.ReturnNone {
				want = slices.DeleteFunc(want, func(rule string) bool { return rule == "Returns/UnsupportedWithoutTraffic" })
				want = append(want, "Returns/PaidAfterPay", "Returns/NeverPaidAfterCancel",
					"Returns/ForgedReturnNeverPaysTheRealInvoice", "Returns/ConcurrentRepeatsReportOneOutcome")
			}
			slices.Sort(want)
			assert.Equal(t, want, slices.Sorted(maps.Keys(skips)), "the rules skipped")
			assert.Contains(t, skips["Verify/ByPaymentIDReturnsThePendingPayment"], "names no payment until the customer returns")
		})
	}
}

// TestConformanceProviderAnnouncingOnlyMoney runs the whole suite against
// MiniPay in bKash's shape: its notifications announce only the money
// received (transaction.received, naming no payment), a cancel on its page
// is told only by the customer's return (its reads keep answering PENDING),
// its reads carry no payer's number, and it never announces a pending
// payment. With a return to act on, verified or executed, it passes: the
// suite learns each outcome from the return, takes the money notice as the
// notification about the payment's money, and accepts a read that still
// says pending after the return reported the cancel.
func TestConformanceProviderAnnouncingOnlyMoney(t *testing.T) {
	for _, mode := range []struct {
		name   string
		action mfspay.ReturnAction
	}{{"ReturnVerify", mfspay.ReturnVerify}, {"ReturnExecute", mfspay.ReturnExecute}} {
		for _, rt := range miniPayRoutes {
			t.Run(mode.name+"/"+rt.name, func(t *testing.T) {
				t.Parallel()
				sim := newMiniSim(mode.action, miniIDsAtCreate, miniNoticesMoney)
				t.Cleanup(sim.Close)
				skips := runNotingSkips(t, rt.harness(sim))
				// It declares the cancelled status, and never announces a
				// pending payment.
				want := slices.DeleteFunc(slices.Clone(miniPaySkips), func(rule string) bool { return rule == "Status/CancelledAfterCancel" })
				want = slices.Concat(want, rt.skips, []string{
					"Status/PendingWhileTheWalletHasNotConfirmed", "Webhooks/PendingNotificationIsNotCompleted",
				})
				slices.Sort(want)
				assert.Equal(t, want, slices.Sorted(maps.Keys(skips)), "the rules skipped")
				assert.Contains(t, skips["Webhooks/PendingNotificationIsNotCompleted"], "cannot leave a payment pending")
			})
		}
	}
}
