package kit_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/providers/kit"
)

// TestDuplicateAnswerToARetryIsAmbiguous: a create's 429 was retried and
// the retry met a duplicate; the first attempt may have made that payment,
// so the outcome is unknown. At the first attempt, or for a read, a
// duplicate is a duplicate.
func TestDuplicateAnswerToARetryIsAmbiguous(t *testing.T) {
	conflict := reply(409, `{"message":"invoice_id already exists"}`)
	for _, tt := range []struct {
		name  string
		steps []step
		req   func(string) kit.HTTPRequest
		want  error
	}{
		{"create retried after 429", []step{reply(429, ""), conflict}, create, mfspay.ErrOutcomeUnknown},
		{"create at its first attempt", []step{conflict}, create, mfspay.ErrDuplicate},
		{"read retried after 429", []step{reply(429, ""), conflict}, read, mfspay.ErrDuplicate},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := newSeqServer(t, tt.steps...)
			c, _ := newTestClient(t)
			req := tt.req(srv.URL)
			resp, err := c.Do(context.Background(), req)
			require.NoError(t, err)
			assert.Equal(t, len(tt.steps), resp.Attempts)
			assert.ErrorIs(t, c.StatusError(req.Op, resp, "", "invoice_id already exists"), tt.want, "StatusError")
			assert.Equal(t, tt.want, resp.DuplicateKind(), "DuplicateKind, for adapters' own duplicate answers")
		})
	}
}
