package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/mfspay/mfspay"
)

// The scripted customer.
const (
	demoCustomerName  = "Rahim Khan"
	demoCustomerPhone = "01712345678"
	demoSender        = "01712345678"
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
	Notices   []notice
	Status    string
	Took      time.Duration
}

// runDemo buys one product through each gateway as a customer would, over
// HTTP only: order on the shop, follow the redirect to the provider's hosted
// page, fill its form in and pay, come back, and wait until the shop's order
// is paid from the verified notification. Every step has its own timeout.
// It returns the purchases that succeeded and the first failure.
func runDemo(ctx context.Context, shopURL string, gateways []gatewayInfo, stepTimeout time.Duration) ([]demoResult, error) {
	var results []demoResult
	for i, g := range gateways {
		c := &demoCustomer{
			shopURL: strings.TrimSuffix(shopURL, "/"),
			client: &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error {
				return http.ErrUseLastResponse // each redirect is a step of its own.
			}},
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

func (c *demoCustomer) buy(ctx context.Context, g gatewayInfo, p product) (demoResult, error) {
	start := time.Now()
	res := demoResult{Title: g.Title, Via: g.Via, Product: p.Name, Amount: p.Price}
	trxID := "DM" + randomID(upperAlphabet, 8)
	var orderForm htmlForm
	var hostedURL, returnURL string
	var hostedForm htmlForm

	steps := []struct {
		name string
		fn   func(ctx context.Context) error
	}{
		{"open the shop", func(ctx context.Context) error {
			page, err := c.get(ctx, c.shopURL+"/")
			if err != nil {
				return err
			}
			orderForm, err = findForm(page, func(f htmlForm) bool { v, _ := f.value("product"); return v == p.ID })
			return err
		}},
		{"order " + p.Name + " with " + g.Title, func(ctx context.Context) error {
			v := orderForm.submission(map[string]string{"provider": g.Name, "name": demoCustomerName, "phone": demoCustomerPhone}, "", "")
			resp, err := c.postForm(ctx, resolve(c.shopURL+"/", orderForm.Action), v)
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
		{"open " + g.Title + "'s payment page", func(ctx context.Context) error {
			page, err := c.get(ctx, hostedURL)
			if err != nil {
				return err
			}
			hostedForm, err = findForm(page, func(f htmlForm) bool { return len(f.options("method")) > 0 })
			return err
		}},
		{"pay on " + g.Title, func(ctx context.Context) error {
			wallet := hostedForm.options("method")[0] // the first wallet offered: bKash on both.
			v := hostedForm.submission(map[string]string{"method": wallet, "sender": demoSender, "trx_id": trxID}, "action", "pay")
			resp, err := c.postForm(ctx, resolve(hostedURL, hostedForm.Action), v)
			if err != nil {
				return err
			}
			if resp.StatusCode != http.StatusSeeOther {
				return fmt.Errorf("%s answered %s, want a 303 back to the shop", g.Title, resp.Status)
			}
			returnURL = resolve(hostedURL, resp.Header.Get("Location"))
			if want := c.shopURL + "/orders/" + res.OrderID + "/success"; returnURL != want {
				return fmt.Errorf("%s sent the customer to %q, want %q", g.Title, returnURL, want)
			}
			return nil
		}},
		{"return to the shop", func(ctx context.Context) error {
			_, err := c.get(ctx, returnURL)
			return err
		}},
		{"wait for the verified notification", func(ctx context.Context) error {
			o, err := c.waitPaid(ctx, res.OrderID)
			if err != nil {
				return err
			}
			switch {
			case o.Amount != p.Price:
				return fmt.Errorf("the order is %s BDT, the product costs %s BDT", o.Amount, p.Price)
			case o.TrxID != trxID || o.Sender != demoSender:
				return fmt.Errorf("the order shows trx %q from %q, the customer sent %q from %q", o.TrxID, o.Sender, trxID, demoSender)
			}
			res.InvoiceID, res.PaymentID, res.Notices = o.InvoiceID, o.PaymentID, o.Notices
			res.Wallet, res.Sender, res.TrxID = o.Wallet, o.Sender, o.TrxID
			return nil
		}},
		{"see the order page say PAID", func(ctx context.Context) error {
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
			return nil
		}},
	}
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

// waitPaid polls the order's JSON status until it is paid with its wallet
// details, or can no longer become paid.
func (c *demoCustomer) waitPaid(ctx context.Context, orderID string) (order, error) {
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
			return o, fmt.Errorf("the shop refused a notification: %s", o.Alerts[0])
		case o.Status == statusPaid && o.TrxID != "":
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
func (c *demoCustomer) postForm(ctx context.Context, u string, v url.Values) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, strings.NewReader(v.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := c.client.Do(req)
	if err != nil {
		return nil, err
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	return resp, nil
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
		for i, n := range r.Notices {
			label := ""
			if i == 0 {
				label = "notifications"
			}
			fmt.Fprintf(w, "  %-13s %s → %s\n", label, n.Event, n.Outcome)
		}
		fmt.Fprintf(w, "  status        %s in %s\n", r.Status, r.Took.Round(time.Millisecond))
	}
}
