package plugins

import (
	"context"
	"errors"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/mfspay/mfspay"
	pb "github.com/mfspay/mfspay/plugins/proto"
)

// toStatus encodes err for the wire: a gRPC status whose code follows the
// error's kind and whose details carry the whole *mfspay.Error, so that the
// host can rebuild it field for field.
func toStatus(err error) error {
	if err == nil {
		return nil
	}
	d := &pb.ErrorDetail{}
	var e *mfspay.Error
	if errors.As(err, &e) {
		d.Provider, d.Op, d.HttpStatus = e.Provider, e.Op, int32(e.HTTPStatus)
		d.Code, d.Message, d.Field = e.Code, e.Message, e.Field
		d.RetryAfter = toPBDuration(e.RetryAfter)
		if e.Err != nil {
			d.Cause = e.Err.Error()
		}
	} else {
		d.Message = err.Error()
	}
	// The kind comes from an *Error of a known kind only, exactly as the
	// portable layer reads a driver's error (gateway.stamp): a bare or
	// wrapped sentinel is no kind, so the host falls back as in process.
	var kind error
	if e != nil && e.Kind != nil && mfspay.KindByName(e.Kind.Error()) == e.Kind {
		kind = e.Kind
		d.Kind = kind.Error()
	}
	switch {
	case errors.Is(err, context.Canceled):
		d.ContextError = pb.ContextError_CONTEXT_ERROR_CANCELED
	case errors.Is(err, context.DeadlineExceeded):
		d.ContextError = pb.ContextError_CONTEXT_ERROR_DEADLINE_EXCEEDED
	}
	st := status.New(codeForError(kind, d.ContextError), err.Error())
	if withDetail, derr := st.WithDetails(d); derr == nil {
		st = withDetail
	}
	return st.Err()
}

// codeForError picks the gRPC code for a kind. Only peers that cannot read
// the details (tools, other languages) depend on it; the host reads the kind.
func codeForError(kind error, ctxErr pb.ContextError) codes.Code {
	switch kind {
	case mfspay.ErrInvalidRequest:
		return codes.InvalidArgument
	case mfspay.ErrUnauthorized, mfspay.ErrInvalidSignature:
		return codes.Unauthenticated
	case mfspay.ErrForbidden:
		return codes.PermissionDenied
	case mfspay.ErrNotFound:
		return codes.NotFound
	case mfspay.ErrDuplicate:
		return codes.AlreadyExists
	case mfspay.ErrRateLimited:
		return codes.ResourceExhausted
	case mfspay.ErrUnavailable, mfspay.ErrCircuitOpen:
		return codes.Unavailable
	case mfspay.ErrUnsupported:
		return codes.Unimplemented
	}
	switch ctxErr {
	case pb.ContextError_CONTEXT_ERROR_CANCELED:
		return codes.Canceled
	case pb.ContextError_CONTEXT_ERROR_DEADLINE_EXCEEDED:
		return codes.DeadlineExceeded
	}
	return codes.Unknown
}

// fromStatus rebuilds the error a plugin sent. ok is false when err carries
// no ErrorDetail, i.e. the plugin never answered (transport failure, local
// cancellation). The result has a nil Kind when the plugin's error had none
// or one this host does not know.
func fromStatus(err error) (e *mfspay.Error, ok bool) {
	st, isStatus := status.FromError(err)
	if !isStatus {
		return nil, false
	}
	var d *pb.ErrorDetail
	for _, detail := range st.Details() {
		if dd, isDetail := detail.(*pb.ErrorDetail); isDetail {
			d = dd
			break
		}
	}
	if d == nil {
		return nil, false
	}
	e = &mfspay.Error{
		Provider:   d.GetProvider(),
		Op:         d.GetOp(),
		HTTPStatus: int(d.GetHttpStatus()),
		Code:       d.GetCode(),
		Message:    d.GetMessage(),
		Field:      d.GetField(),
		RetryAfter: fromPBDuration(d.GetRetryAfter()),
	}
	if name := d.GetKind(); name != "" {
		e.Kind = mfspay.KindByName(name) // nil when unknown: callError falls back as the layer does
	}
	var ctxErr error
	switch d.GetContextError() {
	case pb.ContextError_CONTEXT_ERROR_CANCELED:
		ctxErr = context.Canceled
	case pb.ContextError_CONTEXT_ERROR_DEADLINE_EXCEEDED:
		ctxErr = context.DeadlineExceeded
	}
	switch cause := d.GetCause(); {
	case cause == "" && ctxErr == nil:
	case ctxErr != nil && (cause == "" || cause == ctxErr.Error()):
		e.Err = ctxErr
	default:
		e.Err = &remoteCause{text: cause, ctx: ctxErr}
	}
	return e, true
}

// remoteCause is the underlying error of a plugin's error, known by its text
// only (and by the context error it wrapped, if any).
type remoteCause struct {
	text string
	ctx  error
}

func (c *remoteCause) Error() string { return c.text }
func (c *remoteCause) Unwrap() error { return c.ctx }
