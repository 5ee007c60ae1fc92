package conformance

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/stretchr/testify/assert"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/conformance/simctl"
)

// hygieneRules run last: they provoke the errors most likely to leak a
// secret, then inspect every error and log line of the whole run.
func (s *suite) hygieneRules(r Reporter) {
	s.rule(r, "NoSecretInErrorsWhenProviderEchoesSecrets", func(c *check) {
		_, co := c.newPayment(mfspay.Taka(40))
		c.identify(co)
		// The provider echoes the gateway's own secrets: those are what it
		// knows to scrub.
		echo := "invalid credentials: " + strings.Join(secretsIn(s.settings.Values, s.settings.Secrets), " ")
		jsonEcho := fmt.Sprintf(`{"success":false,"error":%q,"message":%q,"errors":{"api_key":[%q]}}`, echo, echo, echo)
		faults := []simctl.Fault{
			{Status: 400, Body: jsonEcho},
			{Status: 401, Body: jsonEcho},
			{Status: 403, Body: jsonEcho},
			{Status: 422, Body: jsonEcho},
			{Status: 500, Body: jsonEcho},
			{Status: 502, ContentType: "text/html", Body: "<html><body>upstream said: " + echo + "</body></html>"},
		}
		for _, f := range faults {
			f.Count = 100 // every retry and reconciling lookup sees it too
			c.fail(f)
			for _, op := range c.interruptible(co) {
				err := op.do(c.ctx, c.unguarded())
				assert.Error(c, err, "%s against a %d", op.name, f.Status)
				c.noSecretIn(fmt.Sprintf("%s against a %d", op.name, f.Status), err)
			}
			c.clearFaults()
		}
		// The secrets in a forged notification's body and headers.
		forged := mfspay.WebhookRequest{
			Header: map[string][]string{"X-Echo": {echo}, "Content-Type": {"application/json"}},
			Body:   []byte(jsonEcho),
		}
		if len(s.caps.EventTypes) > 0 {
			_, err := c.gateway().ParseWebhook(c.ctx, forged)
			assert.ErrorIs(c, err, mfspay.ErrInvalidSignature, "a notification without authentication")
			c.noSecretIn("ParseWebhook of a forgery", err)
		}
		bad := c.badCredentials()
		_, err := bad.CreatePayment(c.ctx, s.request(mfspay.Taka(40)))
		c.noSecretIn("CreatePayment with bad credentials", err)
	})
	s.rule(r, "NoSecretInAnyErrorOfTheRun", func(c *check) {
		recs := s.errs.all()
		c.Logf("inspecting %d errors", len(recs))
		for _, rec := range recs {
			c.noSecretIn(rec.rule+": "+rec.op, rec.err)
		}
	})
	s.rule(r, "NoSecretInLogs", func(c *check) {
		logs := s.logs.String()
		c.Logf("inspecting %d bytes of log output", len(logs))
		for _, sec := range s.settings.Secrets {
			if i := strings.Index(logs, sec); i >= 0 {
				c.Errorf("secret %s… appears in the log: %s", prefixOf(sec), c.mask(lineAround(logs, i)))
			}
		}
	})
	s.rule(r, "EveryErrorHasAKind", func(c *check) {
		for _, rec := range s.errs.all() {
			if mfspay.KindOf(rec.err) != nil {
				continue
			}
			if errors.Is(rec.err, context.Canceled) || errors.Is(rec.err, context.DeadlineExceeded) {
				continue // the caller's own context error is recognisable as it is.
			}
			c.Errorf("%s: %s returned an error of no mfspay kind: %v", rec.rule, rec.op, rec.err)
		}
	})
	s.rule(r, "SupportedOperationsNeverReturnedErrUnsupported", func(c *check) {
		for _, rec := range s.errs.all() {
			if rec.supported && errors.Is(rec.err, mfspay.ErrUnsupported) {
				c.Errorf("%s: %s is declared supported but returned %v", rec.rule, rec.op, rec.err)
			}
		}
	})
}

// noSecretIn fails the rule if err, in any of its renderings, holds a secret.
func (c *check) noSecretIn(what string, err error) {
	c.Helper()
	if err == nil {
		return
	}
	texts := []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err)}
	var e *mfspay.Error
	if errors.As(err, &e) {
		texts = append(texts, e.Message, e.Code, e.Field)
	}
	for _, sec := range c.s.settings.Secrets {
		for _, t := range texts {
			if strings.Contains(t, sec) {
				c.Errorf("%s: secret %s… appears in the error %s", what, prefixOf(sec), c.mask(t))
				break
			}
		}
	}
}

// lineAround returns the log line holding offset i.
func lineAround(logs string, i int) string {
	start := strings.LastIndexByte(logs[:i], '\n') + 1
	end := strings.IndexByte(logs[i:], '\n')
	if end < 0 {
		end = len(logs) - i
	}
	return logs[start : i+end]
}

// mask hides every secret in s, so that a failure message does not leak
// what it reports.
func (c *check) mask(s string) string {
	for _, sec := range c.s.settings.Secrets {
		if sec != "" {
			s = strings.ReplaceAll(s, sec, "<SECRET>")
		}
	}
	return s
}

// secretsIn returns the secrets that settings hold.
func secretsIn(settings map[string]string, secrets []string) []string {
	var out []string
	for _, sec := range secrets {
		if containsValue(settings, sec) {
			out = append(out, sec)
		}
	}
	return out
}
