package mfspay

// The checks the portable layer applies to every driver answer before a
// caller sees it. Each returns "" when the answer keeps the contract, or the
// rule it breaks, in words fixed here (never the answer's values). They also
// fill what a driver may leave out: the provider name, and an identifier the
// request already gave.

// checkCheckout checks a create's answer against its request.
func checkCheckout(provider string, caps Capabilities, req CreatePaymentRequest, co *Checkout) string {
	switch {
	case co == nil:
		return "a create answered no checkout"
	case co.Provider != "" && co.Provider != provider:
		return "the checkout names another provider"
	case co.InvoiceID != "" && co.InvoiceID != req.InvoiceID:
		return "the checkout is for another invoice"
	case co.PaymentID == "" && !caps.PaymentIDLater:
		return "the checkout names no payment, and the gateway does not declare that it names it later"
	case co.PaymentID != "" && validPaymentID(co.PaymentID) != "":
		return "the checkout's payment id breaks the id rules"
	case validURL(co.RedirectURL) != "":
		return "the checkout's redirect URL is not an absolute http or https URL"
	case !co.Status.Valid() || co.Status == StatusUnknown:
		return "the checkout's status is not a known payment status"
	case !caps.Reports(co.Status):
		return "the checkout's status is one the gateway does not declare"
	}
	co.Provider, co.InvoiceID = provider, req.InvoiceID
	return ""
}

// checkVerified checks a verify's answer against the reference asked for.
func checkVerified(provider string, caps Capabilities, ref PaymentRef, p *Payment) string {
	if p == nil {
		return "a verify answered no payment"
	}
	switch {
	case ref.InvoiceID != "" && p.InvoiceID != "" && p.InvoiceID != ref.InvoiceID:
		return "the payment is for another invoice than the one asked for"
	case ref.PaymentID != "" && p.PaymentID != "" && p.PaymentID != ref.PaymentID:
		return "the payment has another payment id than the one asked for"
	}
	if p.InvoiceID == "" {
		p.InvoiceID = ref.InvoiceID
	}
	if p.PaymentID == "" {
		p.PaymentID = ref.PaymentID
	}
	return checkPayment(provider, caps, p)
}

// checkPayment checks one payment on its own: known status, ids that pass
// the request rules, no negative amount, and a positive amount when paid.
func checkPayment(provider string, caps Capabilities, p *Payment) string {
	switch {
	case p.Provider != "" && p.Provider != provider:
		return "the payment names another provider"
	case !p.Status.Valid():
		return "the payment's status is not a known payment status"
	case !caps.Reports(p.Status):
		return "the payment's status is one the gateway does not declare"
	case p.Amount < 0:
		return "the payment's amount is negative"
	case p.Status == StatusPaid && p.Amount == 0:
		return "a paid payment has no amount"
	case p.InvoiceID != "" && validInvoiceID(p.InvoiceID) != "":
		return "the payment's invoice id breaks the id rules"
	case p.PaymentID != "" && validPaymentID(p.PaymentID) != "":
		return "the payment's payment id breaks the id rules"
	case validText(p.TrxID, 128) != "" || validText(p.Sender, 128) != "":
		return "the payment's transaction id or sender is not plain text"
	}
	p.Provider = provider
	return ""
}

// checkPage checks a page of payments against its query.
func checkPage(provider string, caps Capabilities, q ListQuery, page *PaymentPage) string {
	switch {
	case page == nil:
		return "a list answered no page"
	case page.Page != 0 && page.Page != q.Page:
		return "the page is another page than the one asked for"
	case len(page.Payments) > q.PerPage:
		return "the page holds more payments than asked for"
	case page.Total < 0:
		return "the page's total is negative"
	}
	for i := range page.Payments {
		p := &page.Payments[i]
		if q.Status != "" && p.Status != q.Status {
			return "the page holds a payment of another status than the one asked for"
		}
		if rule := checkPayment(provider, caps, p); rule != "" {
			return rule
		}
	}
	page.Page = q.Page
	if page.PerPage == 0 {
		page.PerPage = q.PerPage
	}
	return ""
}

// eventStatus is the status each payment event must carry.
var eventStatus = map[EventType][]Status{
	EventPaymentCompleted: {StatusPaid},
	EventPaymentFailed:    {StatusFailed},
	EventPaymentCancelled: {StatusCancelled},
	EventPaymentExpired:   {StatusExpired},
	// A pending event also carries what the adapter could not map: it
	// announces nothing that can be acted on.
	EventPaymentPending:      {StatusPending, StatusUnknown},
	EventTransactionReceived: {StatusPaid},
}

// maxEventIDLen bounds Event.ID, which becomes a de-duplication key.
const maxEventIDLen = 256

// checkEvent checks an authenticated notification: a usable id, a type the
// gateway declared, a payment whose status agrees with the type, and money
// where money is announced.
func checkEvent(provider string, caps Capabilities, ev *Event) string {
	if ev == nil {
		return "a notification was parsed into no event"
	}
	statuses, known := eventStatus[ev.Type]
	switch {
	case ev.ID == "" || validText(ev.ID, maxEventIDLen) != "":
		return "the event id is empty, too long or not plain text"
	case ev.Provider != "" && ev.Provider != provider:
		return "the event names another provider"
	case !known:
		return "the event type is not a known event type"
	case !caps.Supports(ev.Type):
		return "the event type is not one the gateway declares"
	case !hasStatus(statuses, ev.Payment.Status):
		return "the payment's status does not agree with the event type"
	case ev.Payment.Status == StatusPaid && ev.Payment.Amount <= 0:
		return "an event announcing money carries no positive amount"
	case ev.Type != EventTransactionReceived && ev.Payment.PaymentID == "" && ev.Payment.InvoiceID == "":
		return "a payment event names no payment"
	case validText(ev.Reference, 256) != "":
		return "the event's reference is not plain text"
	}
	if rule := checkPayment(provider, caps, &ev.Payment); rule != "" {
		return rule
	}
	ev.Provider = provider
	return ""
}

func hasStatus(list []Status, s Status) bool {
	for _, have := range list {
		if have == s {
			return true
		}
	}
	return false
}
