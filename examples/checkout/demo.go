package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/providers/bkash/bkashtest"
	"github.com/mfspay/mfspay/webhook"
)

// The scripted customer.
const (
	demoCustomerName  = "Rahim Khan"
	demoCustomerPhone = "01712345678"
	demoCustomerEmail = "rahim.khan@example.com"
	// demoSender is the wallet the customer sends money from on the pages
	// that ask for a transaction id.
	demoSender = "01712345678"
	// demoBkashWallet is a bKash sandbox wallet that pays (bKash's PGW
	// guide), for bKash's own page.
	demoBkashWallet = "01770618575"
)

// demoResult is one scripted purchase, as the report shows it.
type demoResult struct {
	Title     string
	Via       string
	OrderID   string
	InvoiceID string
	Product   string
	Amount    mfspay.Amount
	PaymentID string
	Wallet    mfspay.Method
	Sender    string
	TrxID     string
	// LearntBy is how the order page says the payment was learnt.
	LearntBy string
	Notices  []notice
	Status   string
	Took     time.Duration
}

// moneySender sends money from the customer's wallet to the merchant, as
// the customer does before typing its transaction id on a provider's page
// (simulators.sendMoney).
type moneySender interface {
	sendMoney(provider, trxID string, amount mfspay.Amount)
}

// runDemo buys one product through each gateway as a customer would, over
// HTTP only: order on the shop, follow the redirect to the provider's hosted
// page, fill its form in and pay (sending the money from the wallet first
// where the page asks for a transaction id), come back, and wait until the
// shop's order is paid. Every step has its own timeout. It returns the
// purchases that succeeded and the first failure.
func runDemo(ctx context.Context, shopURL string, gateways []gatewayInfo, wallet moneySender, stepTimeout time.Duration) ([]demoResult, error) {
	var results []demoResult
	for i, g := range gateways {
		c := &demoCustomer{
			shopURL: strings.TrimSuffix(shopURL, "/"),
			client: &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error {
				return http.ErrUseLastResponse // each redirect is a step of its own.
			}},
			wallet:      wallet,
			stepTimeout: stepTimeout,
		}
		r, err := c.buy(ctx, g, catalog[i%len(catalog)])
		if err != nil {
			return results, fmt.Errorf("%s: %w", g.Title, err)
		}
		results = append(results, r)
	}
	return results, nil
}

// demoCustomer drives one purchase.
type demoCustomer struct {
	shopURL     string
	client      *http.Client
	wallet      moneySender
	stepTimeout time.Duration
}

// step runs fn with the step timeout and names the step in its error.
func (c *demoCustomer) step(ctx context.Context, name string, fn func(ctx context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, c.stepTimeout)
	defer cancel()
	if err := fn(ctx); err != nil {
		if ctx.Err() != nil && !errors.Is(err, ctx.Err()) {
			err = fmt.Errorf("%w (%v)", err, ctx.Err())
		}
		return fmt.Errorf("step %q: %w", name, err)
	}
	return nil
}

// demoStep is one named step of a purchase.
type demoStep struct {
	name string
	fn   func(ctx context.Context) error
}

// paidWith is what the customer paid with on the provider's page, as the
// order must show it once paid.
type paidWith struct {
	sender string
	// trxID is the transaction id the customer typed; "" where the provider
	// mints it (bKash).
	trxID string
}

func (c *demoCustomer) buy(ctx context.Context, g gatewayInfo, p product) (demoResult, error) {
	start := time.Now()
	res := demoResult{Title: g.Title, Via: g.Via, Product: p.Name, Amount: p.Price}
	var orderForm htmlForm
	var hostedURL, returnURL string
	var hostedPage []byte
	var paid paidWith

	steps := []demoStep{
		{"open the shop", func(ctx context.Context) error {
			page, err := c.get(ctx, c.shopURL+"/")
			if err != nil {
				return err
			}
			orderForm, err = findForm(page, func(f htmlForm) bool { v, _ := f.value("product"); return v == p.ID })
			return err
		}},
		{"order " + p.Name + " with " + g.Title, func(ctx context.Context) error {
			v := orderForm.submission(map[string]string{"provider": g.Name, "name": demoCustomerName,
				"phone": demoCustomerPhone, "email": demoCustomerEmail}, "", "")
			resp, _, err := c.postForm(ctx, resolve(c.shopURL+"/", orderForm.Action), v)
			if err != nil {
				return err
			}
			res.OrderID = resp.Header.Get(orderIDHeader) // also set when the payment could not start.
			if resp.StatusCode != http.StatusSeeOther {
				return fmt.Errorf("the shop answered %s, want a 303 redirect to %s", resp.Status, g.Title)
			}
			hostedURL = resp.Header.Get("Location")
			if res.OrderID == "" || hostedURL == "" {
				return errors.New("the shop's redirect names no order or no payment page")
			}
			return nil
		}},
		{"open " + g.Title + "'s payment page", func(ctx context.Context) (err error) {
			hostedPage, err = c.get(ctx, hostedURL)
			return err
		}},
		{"pay on " + g.Title, func(ctx context.Context) (err error) {
			returnURL, paid, err = c.pay(ctx, g, hostedURL, hostedPage)
			if err == nil && !strings.HasPrefix(returnURL, c.shopURL+"/") {
				err = fmt.Errorf("%s sent the customer to %q, not back to the shop", g.Title, returnURL)
			}
			return err
		}},
		{"return to the shop", func(ctx context.Context) error {
			landed, err := c.follow(ctx, returnURL)
			if err != nil {
				return err
			}
			if want := c.shopURL + "/orders/" + res.OrderID + "/success"; landed != want {
				return fmt.Errorf("the customer landed on %q, want %q", landed, want)
			}
			return nil
		}},
		{"wait until the shop has verified the payment", func(ctx context.Context) error {
			o, err := c.waitOrder(ctx, res.OrderID, func(o order) bool { return o.Status == statusPaid && o.TrxID != "" })
			if err != nil {
				return err
			}
			switch {
			case o.Amount != p.Price:
				return fmt.Errorf("the order is %s BDT, the product costs %s BDT", o.Amount, p.Price)
			case o.Sender != paid.sender || paid.trxID != "" && o.TrxID != paid.trxID:
				return fmt.Errorf("the order shows trx %q from %q, the customer paid trx %q from %q", o.TrxID, o.Sender, paid.trxID, paid.sender)
			}
			return nil
		}},
	}
	if g.GW.Capabilities().Webhook == mfspay.WebhookSNS {
		// bKash's notification, an SNS message signed under bKash's (here
		// the simulator's) certificate, follows the execute and announces
		// the money; the demo waits for it too, to show it verified.
		steps = append(steps, demoStep{"wait for " + g.Title + "'s signed notification", func(ctx context.Context) error {
			_, err := c.waitOrder(ctx, res.OrderID, func(o order) bool {
				return slices.ContainsFunc(o.Notices, func(n notice) bool {
					return n.Event == string(mfspay.EventTransactionReceived) && n.Source == webhook.SourceNotification
				})
			})
			return err
		}})
	}
	steps = append(steps, demoStep{"see the order page say PAID", func(ctx context.Context) error {
		page, err := c.get(ctx, c.shopURL+"/orders/"+res.OrderID)
		if err != nil {
			return err
		}
		status, ok := elementText(page, "status")
		if !ok {
			return errors.New("the order page shows no status")
		}
		res.Status = status
		if status != statusPaid.label() {
			return fmt.Errorf("the order page says %q", status)
		}
		if res.LearntBy, ok = elementText(page, "learnt-by"); !ok {
			return errors.New("the order page does not say how the payment was learnt")
		}
		body, err := c.get(ctx, c.shopURL+"/orders/"+res.OrderID+"/status")
		if err != nil {
			return err
		}
		var o order
		if err := json.Unmarshal(body, &o); err != nil {
			return fmt.Errorf("the order status is not JSON: %w", err)
		}
		res.InvoiceID, res.PaymentID, res.Notices = o.InvoiceID, o.PaymentID, o.Notices
		res.Wallet, res.Sender, res.TrxID = o.Wallet, o.Sender, o.TrxID
		return nil
	}})
	for _, s := range steps {
		if err := c.step(ctx, s.name, s.fn); err != nil {
			if res.OrderID != "" {
				err = fmt.Errorf("order %s: %w", res.OrderID, err)
			}
			return res, err
		}
	}
	res.Took = time.Since(start)
	return res, nil
}

// pay pays on the provider's hosted page, page at pageURL, as the customer
// reads it: bKash's own page (wallet, OTP, PIN), or a page that asks which
// wallet the money was sent from and its transaction id. It returns where
// the provider sends the browser back, and what the customer paid with.
func (c *demoCustomer) pay(ctx context.Context, g gatewayInfo, pageURL string, page []byte) (string, paidWith, error) {
	forms, err := parseForms(page)
	if err != nil {
		return "", paidWith{}, err
	}
	for _, f := range forms {
		if _, ok := f.value("wallet"); ok {
			back, err := c.payBkash(ctx, pageURL, f)
			return back, paidWith{sender: demoBkashWallet}, err
		}
		if len(f.options("method")) > 0 {
			return c.payByTransfer(ctx, g, pageURL, page, f)
		}
	}
	return "", paidWith{}, errors.New("the payment page has no form the customer knows")
}

// payBkash goes through bKash's page: the wallet number, the OTP bKash
// texts to it, the PIN, each confirmed. The last answer sends the browser
// back to the shop's return endpoint.
func (c *demoCustomer) payBkash(ctx context.Context, pageURL string, form htmlForm) (string, error) {
	for _, typed := range []struct{ field, value string }{
		{"wallet", demoBkashWallet}, {"otp", bkashtest.OTP}, {"pin", bkashtest.PIN},
	} {
		if _, ok := form.value(typed.field); !ok {
			return "", fmt.Errorf("bKash's page asks for no %s", typed.field)
		}
		target := resolve(pageURL, form.Action)
		resp, body, err := c.postForm(ctx, target, form.submission(map[string]string{typed.field: typed.value}, "action", "confirm"))
		if err != nil {
			return "", err
		}
		switch resp.StatusCode {
		case http.StatusFound, http.StatusSeeOther:
			if typed.field != "pin" {
				return "", fmt.Errorf("bKash's page sent the customer away after the %s", typed.field)
			}
			return resolve(target, resp.Header.Get("Location")), nil
		case http.StatusOK:
		default:
			return "", fmt.Errorf("bKash's page answered %s to the %s", resp.Status, typed.field)
		}
		if msg, ok := elementText(body, "error"); ok {
			return "", fmt.Errorf("bKash's page refused the %s: %s", typed.field, msg)
		}
		if form, err = findForm(body, func(htmlForm) bool { return true }); err != nil {
			return "", fmt.Errorf("after the %s: %w", typed.field, err)
		}
	}
	return "", errors.New("bKash's page did not send the customer back after the PIN")
}

// payByTransfer sends the amount the page asks for from the customer's
// wallet, then types the wallet and the transaction id into the page.
func (c *demoCustomer) payByTransfer(ctx context.Context, g gatewayInfo, pageURL string, page []byte, form htmlForm) (string, paidWith, error) {
	paid := paidWith{sender: demoSender, trxID: "DM" + randomID(upperAlphabet, 8)}
	shown, _ := elementText(page, "amount")
	amount, err := mfspay.ParseAmount(strings.TrimSuffix(shown, " BDT"))
	if err != nil {
		return "", paid, fmt.Errorf("the page shows no amount to send (%q)", shown)
	}
	c.wallet.sendMoney(g.Name, paid.trxID, amount)
	method := form.options("method")[0] // the first wallet offered: bKash on every page.
	v := form.submission(map[string]string{"method": method, "sender": paid.sender, "trx_id": paid.trxID}, "action", "pay")
	resp, body, err := c.postForm(ctx, resolve(pageURL, form.Action), v)
	if err != nil {
		return "", paid, err
	}
	if resp.StatusCode != http.StatusSeeOther {
		msg, _ := elementText(body, "error")
		return "", paid, fmt.Errorf("%s answered %s, want a 303 back to the shop %s", g.Title, resp.Status, msg)
	}
	return resolve(pageURL, resp.Header.Get("Location")), paid, nil
}

// follow gets u and the redirects it answers with, which must stay on the
// shop, and returns the URL of the page it lands on.
func (c *demoCustomer) follow(ctx context.Context, u string) (string, error) {
	for range 5 {
		if !strings.HasPrefix(u, c.shopURL+"/") {
			return "", fmt.Errorf("redirected off the shop, to %q", u)
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return "", err
		}
		resp, err := c.client.Do(req)
		if err != nil {
			return "", err
		}
		io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
		resp.Body.Close()
		switch resp.StatusCode {
		case http.StatusOK:
			return u, nil
		case http.StatusFound, http.StatusSeeOther:
			u = resolve(u, resp.Header.Get("Location"))
		default:
			return "", fmt.Errorf("GET %s: %s", req.URL.Path, resp.Status)
		}
	}
	return "", errors.New("too many redirects")
}

// waitOrder polls the order's JSON status until done accepts it, or the
// order can no longer become paid, or the shop refused an event about it.
func (c *demoCustomer) waitOrder(ctx context.Context, orderID string, done func(order) bool) (order, error) {
	tick := time.NewTicker(25 * time.Millisecond)
	defer tick.Stop()
	var o order
	for {
		body, err := c.get(ctx, c.shopURL+"/orders/"+orderID+"/status")
		if err != nil {
			return o, err
		}
		o = order{}
		if err := json.Unmarshal(body, &o); err != nil {
			return o, fmt.Errorf("the order status is not JSON: %w", err)
		}
		switch {
		case len(o.Alerts) > 0:
			return o, fmt.Errorf("the shop refused an event: %s", o.Alerts[0])
		case done(o):
			return o, nil
		case o.Status != statusPaid && o.Status != statusAwaiting:
			return o, fmt.Errorf("the order became %s", o.Status)
		}
		select {
		case <-ctx.Done():
			return o, fmt.Errorf("the order is still %s after %s", o.Status.label(), c.stepTimeout)
		case <-tick.C:
		}
	}
}

// get fetches u and wants a 200.
func (c *demoCustomer) get(ctx context.Context, u string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", req.URL.Path, resp.Status)
	}
	return body, nil
}

// postForm posts a form and returns the answer with its body read.
func (c *demoCustomer) postForm(ctx context.Context, u string, v url.Values) (*http.Response, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, strings.NewReader(v.Encode()))
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := c.client.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp, body, err
}

// findForm returns the first form of page that match accepts.
func findForm(page []byte, match func(htmlForm) bool) (htmlForm, error) {
	forms, err := parseForms(page)
	if err != nil {
		return htmlForm{}, err
	}
	for _, f := range forms {
		if match(f) {
			return f, nil
		}
	}
	return htmlForm{}, errors.New("the page has no such form")
}

// resolve resolves ref against base, as a browser does with a link; an
// unparsable one is returned as is and fails at the request.
func resolve(base, ref string) string {
	b, err := url.Parse(base)
	if err != nil {
		return ref
	}
	r, err := url.Parse(ref)
	if err != nil {
		return ref
	}
	return b.ResolveReference(r).String()
}

// printReport writes the results of runDemo.
func printReport(w io.Writer, results []demoResult) {
	for _, r := range results {
		fmt.Fprintf(w, "\n%s (adapter %s)\n", r.Title, r.Via)
		fmt.Fprintf(w, "  order         %s · invoice %s · %s · %s BDT\n", r.OrderID, r.InvoiceID, r.Product, r.Amount)
		fmt.Fprintf(w, "  payment       %s\n", r.PaymentID)
		fmt.Fprintf(w, "  wallet        %s %s · trx %s\n", r.Wallet, r.Sender, r.TrxID)
		fmt.Fprintf(w, "  learnt        %s\n", r.LearntBy)
		for i, n := range r.Notices {
			label := ""
			if i == 0 {
				label = "events"
			}
			fmt.Fprintf(w, "  %-13s %s (%s) → %s\n", label, n.Event, n.Source, n.Outcome)
		}
		fmt.Fprintf(w, "  status        %s in %s\n", r.Status, r.Took.Round(time.Millisecond))
	}
}
