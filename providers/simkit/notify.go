package simkit

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"sync"
	"time"
)

// Notification is one message a simulated provider sends about a payment.
// Every re-delivery of it carries the same bytes.
type Notification struct {
	// PaymentID is the payment it is about.
	PaymentID string
	// Method is the HTTP method; empty means POST.
	Method string
	// URL receives it; empty means the provider produced it but had nowhere
	// to send it (it is still recorded).
	URL    string
	Header http.Header
	Body   []byte
	// Resign, when set, gives the headers of each re-delivery, for a
	// provider that signs the time of delivery; Header is the first's.
	Resign func(at time.Time) http.Header
}

// Attempt is one delivery attempt.
type Attempt struct {
	Time time.Time
	// StatusCode is the receiver's answer, 0 when none came.
	StatusCode int
	// Err describes why no answer came.
	Err string
}

// Delivery is a notification and how its delivery went.
type Delivery struct {
	Notification
	Attempts []Attempt
	// Delivered says the receiver answered 2xx.
	Delivered bool
	// Dropped says the notification was lost on purpose (see
	// Notifier.Drop): never attempted.
	Dropped bool
	// Done says no more attempts will be made.
	Done bool
}

// NotifierConfig configures a Notifier. Zero fields take the defaults.
type NotifierConfig struct {
	// Attempts is the most delivery attempts per notification; default 5.
	Attempts int
	// Backoff is the wait before the second attempt, doubling after each;
	// default 50ms.
	Backoff time.Duration
	// MaxBackoff caps the wait; default 2s.
	MaxBackoff time.Duration
	// Timeout bounds one attempt; default 5s.
	Timeout time.Duration
	// Clock stamps attempts; default the system clock.
	Clock Clock
	// Transport carries the deliveries; nil means a private transport.
	Transport http.RoundTripper
}

// Notifier delivers notifications with retries, the way a provider's
// webhook sender does, and remembers each one and every attempt so that
// dashboards and tests can see them.
type Notifier struct {
	cfg    NotifierConfig
	client *http.Client
	ctx    context.Context
	stop   context.CancelFunc

	mu         sync.Mutex
	deliveries []*Delivery
	inFlight   int
	idle       chan struct{} // closed when inFlight drops to 0
	closed     bool
	dropping   bool
	wg         sync.WaitGroup
}

// NewNotifier returns a notifier ready to Send.
func NewNotifier(cfg NotifierConfig) *Notifier {
	if cfg.Attempts <= 0 {
		cfg.Attempts = 5
	}
	if cfg.Backoff <= 0 {
		cfg.Backoff = 50 * time.Millisecond
	}
	if cfg.MaxBackoff <= 0 {
		cfg.MaxBackoff = 2 * time.Second
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 5 * time.Second
	}
	cfg.Clock = cfg.Clock.orSystem()
	tr := cfg.Transport
	if tr == nil {
		tr = http.DefaultTransport.(*http.Transport).Clone()
	}
	ctx, stop := context.WithCancel(context.Background())
	idle := make(chan struct{})
	close(idle)
	return &Notifier{
		cfg: cfg,
		client: &http.Client{
			Transport: tr,
			Timeout:   cfg.Timeout,
			// A provider posts to the URL it was given and does not follow
			// redirects.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		ctx:  ctx,
		stop: stop,
		idle: idle,
	}
}

// Drop makes the notifier lose every notification sent while on, as when
// the merchant's endpoint was unreachable for longer than the provider
// retries: each is still recorded (Notifications and the dashboard show
// it, marked Dropped) but never attempted. Deliveries already under way
// go on. Tests use it to show what a merchant recovers without
// notifications, by asking the provider.
func (n *Notifier) Drop(on bool) {
	n.mu.Lock()
	n.dropping = on
	n.mu.Unlock()
}

// Send records n and delivers it in the background. After Close, or while
// dropping, it is only recorded.
func (n *Notifier) Send(note Notification) {
	d := &Delivery{Notification: note}
	d.Header = canonical(note.Header)
	d.Body = bytes.Clone(note.Body)
	if d.Method == "" {
		d.Method = http.MethodPost
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	n.deliveries = append(n.deliveries, d)
	if d.URL == "" || n.closed || n.dropping {
		d.Done, d.Dropped = true, n.dropping && d.URL != ""
		return
	}
	if n.inFlight == 0 {
		n.idle = make(chan struct{})
	}
	n.inFlight++
	n.wg.Add(1)
	go n.deliver(d)
}

// canonical copies h with every key in canonical form, as a receiver sees
// it over HTTP/1.1, so that recorded notifications answer Header.Get.
func canonical(h http.Header) http.Header {
	out := make(http.Header, len(h))
	for k, vs := range h {
		for _, v := range vs {
			out.Add(k, v)
		}
	}
	return out
}

func (n *Notifier) deliver(d *Delivery) {
	defer n.wg.Done()
	defer n.finish(d)
	wait := n.cfg.Backoff
	for i := 0; i < n.cfg.Attempts; i++ {
		if i > 0 {
			t := time.NewTimer(wait)
			select {
			case <-t.C:
			case <-n.ctx.Done():
				t.Stop()
				return
			}
			wait = min(wait*2, n.cfg.MaxBackoff)
		}
		a := n.attempt(d, i > 0)
		n.mu.Lock()
		d.Attempts = append(d.Attempts, a)
		if a.StatusCode >= 200 && a.StatusCode < 300 {
			d.Delivered = true
		}
		n.mu.Unlock()
		if d.Delivered || n.ctx.Err() != nil {
			return
		}
	}
}

func (n *Notifier) attempt(d *Delivery, retry bool) Attempt {
	a := Attempt{Time: n.cfg.Clock()}
	req, err := http.NewRequestWithContext(n.ctx, d.Method, d.URL, bytes.NewReader(d.Body))
	if err != nil {
		a.Err = "cannot build request"
		return a
	}
	req.Header = d.Header.Clone()
	if retry && d.Resign != nil {
		req.Header = d.Resign(a.Time)
	}
	resp, err := n.client.Do(req)
	if err != nil {
		a.Err = "no answer: " + shortErr(err)
		return a
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	a.StatusCode = resp.StatusCode
	return a
}

// shortErr drops the URL from a client error; the receiver's address is
// already on the delivery.
func shortErr(err error) string {
	type unwrapper interface{ Unwrap() error }
	if u, ok := err.(unwrapper); ok && u.Unwrap() != nil {
		return u.Unwrap().Error()
	}
	return err.Error()
}

func (n *Notifier) finish(d *Delivery) {
	n.mu.Lock()
	defer n.mu.Unlock()
	d.Done = true
	if n.inFlight--; n.inFlight == 0 {
		close(n.idle)
	}
}

// Wait blocks until every delivery has finished (delivered or out of
// attempts) or ctx ends.
func (n *Notifier) Wait(ctx context.Context) error {
	n.mu.Lock()
	idle := n.idle
	n.mu.Unlock()
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Flush waits, without a deadline, for every delivery to finish.
func (n *Notifier) Flush() { n.Wait(context.Background()) }

// Close stops pending retries and waits for delivery goroutines to exit.
// Notifications sent afterwards are recorded but not delivered.
func (n *Notifier) Close() {
	n.mu.Lock()
	n.closed = true
	n.mu.Unlock()
	n.stop()
	n.wg.Wait()
	n.client.CloseIdleConnections()
}

// Notifications returns, oldest first, every notification produced about
// paymentID.
func (n *Notifier) Notifications(paymentID string) []Notification {
	n.mu.Lock()
	defer n.mu.Unlock()
	var out []Notification
	for _, d := range n.deliveries {
		if d.PaymentID == paymentID {
			c := d.Notification
			c.Header = d.Header.Clone()
			c.Body = bytes.Clone(d.Body)
			out = append(out, c)
		}
	}
	return out
}

// Deliveries returns a snapshot of every delivery, oldest first.
func (n *Notifier) Deliveries() []Delivery {
	n.mu.Lock()
	defer n.mu.Unlock()
	out := make([]Delivery, len(n.deliveries))
	for i, d := range n.deliveries {
		out[i] = *d
		out[i].Header = d.Header.Clone()
		out[i].Body = bytes.Clone(d.Body)
		out[i].Attempts = append([]Attempt(nil), d.Attempts...)
	}
	return out
}
