package kit_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/providers/kit"
)

func TestExplainOutcomeUnknownOnlyExplainsAnUnknownOutcome(t *testing.T) {
	cause := errors.New("connection reset")
	unknown := &mfspay.Error{Kind: mfspay.ErrOutcomeUnknown, Provider: "p", Op: mfspay.OpCreate, HTTPStatus: 502,
		Message: "bad gateway", Err: cause}
	err := kit.ExplainOutcomeUnknown(unknown, "it may exist; do this")
	var e *mfspay.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, "it may exist; do this (bad gateway)", e.Message)
	assert.Equal(t, []any{mfspay.ErrOutcomeUnknown, "p", mfspay.OpCreate, 502}, []any{e.Kind, e.Provider, e.Op, e.HTTPStatus})
	assert.ErrorIs(t, err, cause)
	assert.Equal(t, "bad gateway", unknown.Message, "the original is not changed")

	unknown.Message = ""
	err = kit.ExplainOutcomeUnknown(unknown, "it may exist")
	require.ErrorAs(t, err, &e)
	assert.Equal(t, "it may exist", e.Message)

	for _, other := range []error{nil, cause, &mfspay.Error{Kind: mfspay.ErrUnavailable, Message: "down"}} {
		assert.Equal(t, other, kit.ExplainOutcomeUnknown(other, "it may exist"))
	}
}
