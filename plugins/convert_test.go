package plugins

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	protobuf "google.golang.org/protobuf/proto"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/conformance/simctl"
	pb "github.com/mfspay/mfspay/plugins/proto"
	"github.com/mfspay/mfspay/providers/kit"
)

// wire sends m through protobuf's encoding, as the connection does.
func wire[M protobuf.Message](t *testing.T, m M) M {
	t.Helper()
	b, err := protobuf.Marshal(m)
	require.NoError(t, err)
	out := m.ProtoReflect().New().Interface().(M)
	require.NoError(t, protobuf.Unmarshal(b, out))
	return out
}

var (
	paidAt    = time.Date(2026, 6, 8, 11, 45, 0, 123456789, time.UTC)
	expiresAt = time.Date(2026, 6, 8, 12, 30, 0, 0, time.UTC)
)

func TestConvertGatewayTypesRoundTrip(t *testing.T) {
	payment := mfspay.Payment{Provider: "p", PaymentID: "pay_1", InvoiceID: "INV-1", Status: mfspay.StatusPaid,
		Amount: mfspay.Poisha(25050), TrxID: "TRX", Method: mfspay.MethodNagad, Sender: "01712345678", PaidAt: paidAt}

	t.Run("retry policy", func(t *testing.T) {
		for _, p := range []mfspay.RetryPolicy{{}, {MaxAttempts: 3, MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond,
			MaxRetryAfter: time.Second, AttemptTimeout: 200 * time.Millisecond}} {
			assert.Equal(t, p, fromPBRetry(wire(t, toPBRetry(p))))
		}
	})
	t.Run("capabilities", func(t *testing.T) {
		for _, c := range []mfspay.Capabilities{{}, {VerifyByInvoice: true, VerifyByPaymentID: true, List: true, ListByStatus: true,
			MaxPerPage: 100, Webhook: mfspay.WebhookHMACSHA256,
			EventTypes: []mfspay.EventType{mfspay.EventPaymentCompleted, mfspay.EventTransactionReceived}},
			{VerifyByPaymentID: true, Statuses: []mfspay.Status{mfspay.StatusPending, mfspay.StatusPaid},
				Return: mfspay.ReturnVerify, PaymentIDLater: true}} {
			assert.Equal(t, c, fromPBCapabilities(wire(t, toPBCapabilities(c))))
		}
	})
	t.Run("create request", func(t *testing.T) {
		for _, r := range []mfspay.CreatePaymentRequest{{}, {InvoiceID: "INV-1", Amount: mfspay.Poisha(1<<62 + 7),
			Customer:   mfspay.Customer{Name: "Rahim", Email: "r@example.com", Phone: "+8801712345678"},
			SuccessURL: "https://s.test/ok", CancelURL: "https://s.test/no", WebhookURL: "https://s.test/hook",
			Metadata: map[string]string{"order_id": "ORD-1", "ভাষা": "বাংলা"}}} {
			assert.Equal(t, r, fromPBCreate(wire(t, toPBCreate(r))))
		}
	})
	t.Run("checkout", func(t *testing.T) {
		for _, c := range []*mfspay.Checkout{nil, {}, {Provider: "p", PaymentID: "pay_1", InvoiceID: "INV-1",
			RedirectURL: "https://p.test/p/pay_1", ExpiresAt: expiresAt, Status: mfspay.StatusPending}} {
			got := toPBCheckout(c)
			if got != nil {
				got = wire(t, got)
			}
			assert.Equal(t, c, fromPBCheckout(got))
		}
	})
	t.Run("payment ref", func(t *testing.T) {
		for _, r := range []mfspay.PaymentRef{{}, {InvoiceID: "INV-1"}, {PaymentID: "pay_1"}} {
			assert.Equal(t, r, fromPBRef(wire(t, toPBRef(r))))
		}
	})
	t.Run("payment", func(t *testing.T) {
		for _, p := range []mfspay.Payment{{}, payment} {
			assert.Equal(t, p, fromPBPayment(wire(t, toPBPayment(p))))
		}
	})
	t.Run("list query", func(t *testing.T) {
		for _, q := range []mfspay.ListQuery{{}, {Status: mfspay.StatusPaid, Page: 3, PerPage: 100}} {
			assert.Equal(t, q, fromPBListQuery(wire(t, toPBListQuery(q))))
		}
	})
	t.Run("page", func(t *testing.T) {
		for _, p := range []*mfspay.PaymentPage{nil, {}, {Payments: []mfspay.Payment{payment, {PaymentID: "pay_2"}},
			Page: 2, PerPage: 2, Total: 57, HasMore: true}} {
			got := toPBPage(p)
			if got != nil {
				got = wire(t, got)
			}
			assert.Equal(t, p, fromPBPage(got))
		}
	})
	t.Run("webhook request keeps names and bytes exactly", func(t *testing.T) {
		for _, r := range []mfspay.WebhookRequest{{}, {
			Header: http.Header{"X-WezoPay-Signature": {"abc"}, "x-lower-case": {"1", "2"}, "Empty": nil},
			Query:  url.Values{"invoice": {"INV-1"}, "a": {"", "b"}},
			Body:   []byte("{\"amount\": 250.00}\x00\xff not even utf-8"),
		}} {
			assert.Equal(t, r, fromPBWebhook(wire(t, toPBWebhook(r))))
		}
	})
	t.Run("event", func(t *testing.T) {
		for _, e := range []*mfspay.Event{nil, {}, {ID: "evt_1", Provider: "p", Type: mfspay.EventTransactionReceived,
			Payment: payment, Reference: "REF-9"}} {
			got := toPBEvent(e)
			if got != nil {
				got = wire(t, got)
			}
			assert.Equal(t, e, fromPBEvent(got))
		}
	})
	t.Run("times cross as UTC instants", func(t *testing.T) {
		dhaka := time.FixedZone("BDT", 6*3600)
		p := fromPBPayment(wire(t, toPBPayment(mfspay.Payment{PaidAt: paidAt.In(dhaka)})))
		assert.True(t, p.PaidAt.Equal(paidAt))
		assert.Equal(t, time.UTC, p.PaidAt.Location())
	})
}

func TestConvertSimulatorTypesRoundTrip(t *testing.T) {
	t.Run("settings", func(t *testing.T) {
		for _, s := range []simctl.Settings{{}, {Values: map[string]string{"api_key": "k1"},
			BadCredentials: map[string]string{"api_key": "bad"}, Secrets: []string{"k1", "s1"}}} {
			assert.Equal(t, s, fromPBSettings(wire(t, toPBSettings(s))))
		}
	})
	t.Run("payer", func(t *testing.T) {
		for _, p := range []simctl.Payer{{}, {Method: mfspay.MethodBKash, Sender: "01712345678", TrxID: "8N2K3TEST12"}, {Pending: true}} {
			assert.Equal(t, p, fromPBPayer(wire(t, toPBPayer(p))))
		}
	})
	t.Run("fault", func(t *testing.T) {
		for _, f := range []simctl.Fault{{}, {Count: 3, Status: 503, Body: "<html>", ContentType: "text/html",
			RetryAfter: 2 * time.Second, Delay: 150 * time.Millisecond, Reset: true, ResetMidBody: true, AfterProcessing: true},
			{Tamper: simctl.TamperOtherPayment}} {
			assert.Equal(t, f, fromPBFault(wire(t, toPBFault(f))))
		}
	})
	t.Run("notifications", func(t *testing.T) {
		for _, n := range [][]mfspay.WebhookRequest{nil, {{Header: http.Header{"X-Sig": {"a"}}, Body: []byte("{}")}, {Body: []byte("x")}}} {
			resp := wire(t, &pb.NotificationsResponse{Notifications: toPBNotifications(n)})
			assert.Equal(t, n, fromPBNotifications(resp.GetNotifications()))
		}
	})
}

func TestConvertErrorsRoundTrip(t *testing.T) {
	cases := []struct {
		name string
		err  *mfspay.Error
		code codes.Code
	}{
		{"every field", &mfspay.Error{Kind: mfspay.ErrRateLimited, Provider: "wezopay", Op: "verify", HTTPStatus: 429,
			Code: "slow_down", Message: "Too Many Requests", Field: "x", RetryAfter: 3 * time.Second, Err: errors.New("boom")},
			codes.ResourceExhausted},
		{"invalid request", kit.Invalid("p", "create", "amount", "must be greater than zero"), codes.InvalidArgument},
		{"unauthorized", &mfspay.Error{Kind: mfspay.ErrUnauthorized, HTTPStatus: 401}, codes.Unauthenticated},
		{"forbidden", &mfspay.Error{Kind: mfspay.ErrForbidden}, codes.PermissionDenied},
		{"not found", &mfspay.Error{Kind: mfspay.ErrNotFound}, codes.NotFound},
		{"duplicate", &mfspay.Error{Kind: mfspay.ErrDuplicate}, codes.AlreadyExists},
		{"unavailable", &mfspay.Error{Kind: mfspay.ErrUnavailable, HTTPStatus: 503}, codes.Unavailable},
		{"circuit open", &mfspay.Error{Kind: mfspay.ErrCircuitOpen}, codes.Unavailable},
		{"unsupported", kit.Unsupported("eazzpay", "verify"), codes.Unimplemented},
		{"invalid signature", &mfspay.Error{Kind: mfspay.ErrInvalidSignature}, codes.Unauthenticated},
		{"outcome unknown", &mfspay.Error{Kind: mfspay.ErrOutcomeUnknown}, codes.Unknown},
		{"canceled", &mfspay.Error{Kind: mfspay.ErrUnavailable, Err: context.Canceled}, codes.Unavailable},
		{"deadline", &mfspay.Error{Kind: mfspay.ErrUnavailable, Err: fmt.Errorf("attempt: %w", context.DeadlineExceeded)}, codes.Unavailable},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st := toStatus(tc.err)
			assert.Equal(t, tc.code, status.Code(st))
			got, ok := fromStatus(wireStatus(t, st))
			require.True(t, ok)
			assert.Equal(t, tc.err.Error(), got.Error())
			assert.ErrorIs(t, got, tc.err.Kind)
			assert.Equal(t, tc.err.Kind, got.Kind)
			assert.Equal(t, tc.err.RetryAfter, got.RetryAfter)
			for _, ctxErr := range []error{context.Canceled, context.DeadlineExceeded} {
				assert.Equal(t, errors.Is(tc.err, ctxErr), errors.Is(got, ctxErr), ctxErr)
			}
		})
	}
	t.Run("a bare error keeps its text and has no kind", func(t *testing.T) {
		got, ok := fromStatus(wireStatus(t, toStatus(errors.New("fakepay: no payment x"))))
		require.True(t, ok)
		assert.Nil(t, got.Kind)
		assert.Equal(t, "fakepay: no payment x", got.Message)
	})
	t.Run("a sentinel that is no *Error of a known kind carries no kind", func(t *testing.T) {
		// As in process (the layer's stamp): the host falls back to
		// ErrUnavailable, or ErrOutcomeUnknown for a create.
		for _, err := range []error{
			mfspay.ErrInvalidSignature,
			fmt.Errorf("acme: %w", mfspay.ErrNotFound),
			fmt.Errorf("%w: amount %q is not a decimal with at most two places", mfspay.ErrInvalidRequest, "250.505"),
			&mfspay.Error{Kind: errors.New("invalid request"), Message: "a kind of the same name is not the kind"},
		} {
			st := toStatus(err)
			assert.Equal(t, codes.Unknown, status.Code(st), "%v", err)
			got, ok := fromStatus(wireStatus(t, st))
			require.True(t, ok)
			assert.Nil(t, got.Kind, "%v", err)
		}
	})
	t.Run("a bare context error", func(t *testing.T) {
		st := toStatus(context.DeadlineExceeded)
		assert.Equal(t, codes.DeadlineExceeded, status.Code(st))
		got, ok := fromStatus(wireStatus(t, st))
		require.True(t, ok)
		assert.ErrorIs(t, got, context.DeadlineExceeded)
	})
	// It used to take the kind of the gRPC code instead, usually
	// ErrUnavailable ("nothing was sent"), which for a create invited a
	// second one; the host now falls back as the layer does in process
	// (see TestCallErrorWithoutAKnownKind).
	t.Run("a kind this host does not know is no kind", func(t *testing.T) {
		st, err := status.New(codes.NotFound, "x").WithDetails(&pb.ErrorDetail{Kind: "a kind from the future"})
		require.NoError(t, err)
		got, ok := fromStatus(st.Err())
		require.True(t, ok)
		assert.Nil(t, got.Kind)
	})
	t.Run("a status without details is not a plugin answer", func(t *testing.T) {
		_, ok := fromStatus(status.Error(codes.Unavailable, "connection reset"))
		assert.False(t, ok)
		_, ok = fromStatus(errors.New("not a status"))
		assert.False(t, ok)
	})
}

// TestCallErrorWithoutAKnownKind: a plugin's answer without a kind this
// host knows (a newer plugin's kind, or a peer that sets none) is what the
// layer makes in process of a driver error without one, whatever the gRPC
// code says: ErrOutcomeUnknown for a create, which may have happened, and
// ErrUnavailable otherwise.
func TestCallErrorWithoutAKnownKind(t *testing.T) {
	c := newClient(Config{}.withDefaults(), nil)
	for _, kind := range []string{"", "a kind from the future"} {
		for _, code := range []codes.Code{codes.Unknown, codes.Unavailable, codes.NotFound, codes.InvalidArgument, codes.AlreadyExists} {
			st, err := status.New(code, "x").WithDetails(&pb.ErrorDetail{Kind: kind, Message: "sent"})
			require.NoError(t, err)
			for op, want := range map[string]error{
				mfspay.OpCreate: mfspay.ErrOutcomeUnknown,
				mfspay.OpVerify: mfspay.ErrUnavailable,
				mfspay.OpList:   mfspay.ErrUnavailable,
				opWebhook:       mfspay.ErrUnavailable,
				mfspay.OpReturn: mfspay.ErrUnavailable,
				"configure":     mfspay.ErrUnavailable,
			} {
				got := c.callError(context.Background(), op, nil, wireStatus(t, st.Err()))
				assert.Equal(t, want, mfspay.KindOf(got), "kind %q, code %v, op %s: %v", kind, code, op, got)
			}
		}
	}
}

// wireStatus sends a status through protobuf's encoding.
func wireStatus(t *testing.T, err error) error {
	t.Helper()
	return status.ErrorProto(wire(t, status.Convert(err).Proto()))
}
