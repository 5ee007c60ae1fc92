package plugins

import (
	"net/http"
	"net/url"
	"time"

	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/mfspay/mfspay"
	pb "github.com/mfspay/mfspay/plugins/proto"
)

// The conversions below are the only place where mfspay types meet protobuf
// types; every pair is tested to round-trip. Times cross as UTC instants,
// and empty maps and slices arrive as nil.

func toPBRetry(p mfspay.RetryPolicy) *pb.RetryPolicy {
	return &pb.RetryPolicy{
		MaxAttempts:    int32(min(p.MaxAttempts, 1<<30)),
		MinBackoff:     toPBDuration(p.MinBackoff),
		MaxBackoff:     toPBDuration(p.MaxBackoff),
		MaxRetryAfter:  toPBDuration(p.MaxRetryAfter),
		AttemptTimeout: toPBDuration(p.AttemptTimeout),
	}
}

func fromPBRetry(p *pb.RetryPolicy) mfspay.RetryPolicy {
	return mfspay.RetryPolicy{
		MaxAttempts:    int(p.GetMaxAttempts()),
		MinBackoff:     fromPBDuration(p.GetMinBackoff()),
		MaxBackoff:     fromPBDuration(p.GetMaxBackoff()),
		MaxRetryAfter:  fromPBDuration(p.GetMaxRetryAfter()),
		AttemptTimeout: fromPBDuration(p.GetAttemptTimeout()),
	}
}

func toPBCapabilities(c mfspay.Capabilities) *pb.Capabilities {
	out := &pb.Capabilities{
		VerifyByInvoice:   c.VerifyByInvoice,
		VerifyByPaymentId: c.VerifyByPaymentID,
		List:              c.List,
		ListByStatus:      c.ListByStatus,
		MaxPerPage:        int32(min(c.MaxPerPage, 1<<30)),
		Webhook:           string(c.Webhook),
	}
	for _, t := range c.EventTypes {
		out.EventTypes = append(out.EventTypes, string(t))
	}
	for _, st := range c.Statuses {
		out.Statuses = append(out.Statuses, string(st))
	}
	out.ReturnAction = string(c.Return)
	out.PaymentIdLater = c.PaymentIDLater
	return out
}

func fromPBCapabilities(c *pb.Capabilities) mfspay.Capabilities {
	out := mfspay.Capabilities{
		VerifyByInvoice:   c.GetVerifyByInvoice(),
		VerifyByPaymentID: c.GetVerifyByPaymentId(),
		List:              c.GetList(),
		ListByStatus:      c.GetListByStatus(),
		MaxPerPage:        int(c.GetMaxPerPage()),
		Webhook:           mfspay.WebhookAuth(c.GetWebhook()),
	}
	for _, t := range c.GetEventTypes() {
		out.EventTypes = append(out.EventTypes, mfspay.EventType(t))
	}
	for _, st := range c.GetStatuses() {
		out.Statuses = append(out.Statuses, mfspay.Status(st))
	}
	out.Return = mfspay.ReturnAction(c.GetReturnAction())
	out.PaymentIDLater = c.GetPaymentIdLater()
	return out
}

func toPBCreate(r mfspay.CreatePaymentRequest) *pb.CreatePaymentRequest {
	return &pb.CreatePaymentRequest{
		InvoiceId:    r.InvoiceID,
		AmountPoisha: r.Amount.Poisha(),
		Customer:     &pb.Customer{Name: r.Customer.Name, Email: r.Customer.Email, Phone: r.Customer.Phone},
		SuccessUrl:   r.SuccessURL,
		CancelUrl:    r.CancelURL,
		WebhookUrl:   r.WebhookURL,
		ReturnUrl:    r.ReturnURL,
		Metadata:     copyMap(r.Metadata),
	}
}

func fromPBCreate(r *pb.CreatePaymentRequest) mfspay.CreatePaymentRequest {
	c := r.GetCustomer()
	return mfspay.CreatePaymentRequest{
		InvoiceID:  r.GetInvoiceId(),
		Amount:     mfspay.Poisha(r.GetAmountPoisha()),
		Customer:   mfspay.Customer{Name: c.GetName(), Email: c.GetEmail(), Phone: c.GetPhone()},
		SuccessURL: r.GetSuccessUrl(),
		CancelURL:  r.GetCancelUrl(),
		WebhookURL: r.GetWebhookUrl(),
		ReturnURL:  r.GetReturnUrl(),
		Metadata:   copyMap(r.GetMetadata()),
	}
}

func toPBCheckout(c *mfspay.Checkout) *pb.Checkout {
	if c == nil {
		return nil
	}
	return &pb.Checkout{
		Provider:    c.Provider,
		PaymentId:   c.PaymentID,
		InvoiceId:   c.InvoiceID,
		RedirectUrl: c.RedirectURL,
		ExpiresAt:   toPBTime(c.ExpiresAt),
		Status:      string(c.Status),
	}
}

func fromPBCheckout(c *pb.Checkout) *mfspay.Checkout {
	if c == nil {
		return nil
	}
	return &mfspay.Checkout{
		Provider:    c.GetProvider(),
		PaymentID:   c.GetPaymentId(),
		InvoiceID:   c.GetInvoiceId(),
		RedirectURL: c.GetRedirectUrl(),
		ExpiresAt:   fromPBTime(c.GetExpiresAt()),
		Status:      mfspay.Status(c.GetStatus()),
	}
}

func toPBRef(r mfspay.PaymentRef) *pb.PaymentRef {
	return &pb.PaymentRef{InvoiceId: r.InvoiceID, PaymentId: r.PaymentID}
}

func fromPBRef(r *pb.PaymentRef) mfspay.PaymentRef {
	return mfspay.PaymentRef{InvoiceID: r.GetInvoiceId(), PaymentID: r.GetPaymentId()}
}

func toPBPayment(p mfspay.Payment) *pb.Payment {
	return &pb.Payment{
		Provider:     p.Provider,
		PaymentId:    p.PaymentID,
		InvoiceId:    p.InvoiceID,
		Status:       string(p.Status),
		AmountPoisha: p.Amount.Poisha(),
		TrxId:        p.TrxID,
		Method:       string(p.Method),
		Sender:       p.Sender,
		PaidAt:       toPBTime(p.PaidAt),
	}
}

func fromPBPayment(p *pb.Payment) mfspay.Payment {
	return mfspay.Payment{
		Provider:  p.GetProvider(),
		PaymentID: p.GetPaymentId(),
		InvoiceID: p.GetInvoiceId(),
		Status:    mfspay.Status(p.GetStatus()),
		Amount:    mfspay.Poisha(p.GetAmountPoisha()),
		TrxID:     p.GetTrxId(),
		Method:    mfspay.Method(p.GetMethod()),
		Sender:    p.GetSender(),
		PaidAt:    fromPBTime(p.GetPaidAt()),
	}
}

func toPBListQuery(q mfspay.ListQuery) *pb.ListQuery {
	return &pb.ListQuery{Status: string(q.Status), Page: int64(q.Page), PerPage: int64(q.PerPage)}
}

func fromPBListQuery(q *pb.ListQuery) mfspay.ListQuery {
	return mfspay.ListQuery{Status: mfspay.Status(q.GetStatus()), Page: int(q.GetPage()), PerPage: int(q.GetPerPage())}
}

func toPBPage(p *mfspay.PaymentPage) *pb.PaymentPage {
	if p == nil {
		return nil
	}
	out := &pb.PaymentPage{Page: int64(p.Page), PerPage: int64(p.PerPage), Total: int64(p.Total), HasMore: p.HasMore}
	for _, pay := range p.Payments {
		out.Payments = append(out.Payments, toPBPayment(pay))
	}
	return out
}

func fromPBPage(p *pb.PaymentPage) *mfspay.PaymentPage {
	if p == nil {
		return nil
	}
	out := &mfspay.PaymentPage{Page: int(p.GetPage()), PerPage: int(p.GetPerPage()), Total: int(p.GetTotal()), HasMore: p.GetHasMore()}
	for _, pay := range p.GetPayments() {
		out.Payments = append(out.Payments, fromPBPayment(pay))
	}
	return out
}

func toPBWebhook(r mfspay.WebhookRequest) *pb.WebhookRequest {
	return &pb.WebhookRequest{
		Header: toPBValues(r.Header),
		Query:  toPBValues(r.Query),
		Body:   r.Body,
	}
}

func fromPBWebhook(r *pb.WebhookRequest) mfspay.WebhookRequest {
	var out mfspay.WebhookRequest
	if b := r.GetBody(); len(b) > 0 {
		out.Body = b
	}
	if h := fromPBValues(r.GetHeader()); h != nil {
		out.Header = http.Header(h)
	}
	if q := fromPBValues(r.GetQuery()); q != nil {
		out.Query = url.Values(q)
	}
	return out
}

func toPBReturn(r mfspay.ReturnRequest) *pb.ReturnRequest {
	return &pb.ReturnRequest{Method: r.Method, Query: toPBValues(r.Query), Form: toPBValues(r.Form), PaymentId: r.PaymentID}
}

func fromPBReturn(r *pb.ReturnRequest) mfspay.ReturnRequest {
	out := mfspay.ReturnRequest{Method: r.GetMethod(), PaymentID: r.GetPaymentId()}
	if q := fromPBValues(r.GetQuery()); q != nil {
		out.Query = url.Values(q)
	}
	if f := fromPBValues(r.GetForm()); f != nil {
		out.Form = url.Values(f)
	}
	return out
}

func toPBEvent(e *mfspay.Event) *pb.Event {
	if e == nil {
		return nil
	}
	return &pb.Event{
		Id:        e.ID,
		Provider:  e.Provider,
		Type:      string(e.Type),
		Payment:   toPBPayment(e.Payment),
		Reference: e.Reference,
	}
}

func fromPBEvent(e *pb.Event) *mfspay.Event {
	if e == nil {
		return nil
	}
	return &mfspay.Event{
		ID:        e.GetId(),
		Provider:  e.GetProvider(),
		Type:      mfspay.EventType(e.GetType()),
		Payment:   fromPBPayment(e.GetPayment()),
		Reference: e.GetReference(),
	}
}

// toPBValues keeps names exactly as spelled: a webhook's authentication may
// depend on a header the provider sent in its own letter case.
func toPBValues(v map[string][]string) map[string]*pb.Strings {
	if len(v) == 0 {
		return nil
	}
	out := make(map[string]*pb.Strings, len(v))
	for k, vals := range v {
		out[k] = &pb.Strings{Values: append([]string(nil), vals...)}
	}
	return out
}

func fromPBValues(v map[string]*pb.Strings) map[string][]string {
	if len(v) == 0 {
		return nil
	}
	out := make(map[string][]string, len(v))
	for k, vals := range v {
		out[k] = append([]string(nil), vals.GetValues()...)
	}
	return out
}

func toPBTime(t time.Time) *timestamppb.Timestamp {
	if t.IsZero() {
		return nil
	}
	return timestamppb.New(t)
}

func fromPBTime(t *timestamppb.Timestamp) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.AsTime()
}

func toPBDuration(d time.Duration) *durationpb.Duration {
	if d == 0 {
		return nil
	}
	return durationpb.New(d)
}

func fromPBDuration(d *durationpb.Duration) time.Duration {
	if d == nil {
		return 0
	}
	return d.AsDuration()
}

func copyMap(m map[string]string) map[string]string {
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
