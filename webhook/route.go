package webhook

import (
	"mime"
	"strings"

	"github.com/mfspay/mfspay"
)

// RouteOption configures how one gateway's notifications are received.
type RouteOption func(*route)

// ContentTypes replaces the media types the gateway's notifications may
// declare (default "application/json"; parameters such as charset are
// ignored). A request declaring another type is answered 415. With no
// arguments any type is accepted, for providers that post forms.
func ContentTypes(mediaTypes ...string) RouteOption {
	return func(r *route) {
		r.contentTypes = r.contentTypes[:0:0]
		for _, t := range mediaTypes {
			r.contentTypes = append(r.contentTypes, strings.ToLower(strings.TrimSpace(t)))
		}
	}
}

// route is one registered gateway.
type route struct {
	gw           mfspay.Gateway
	provider     string
	contentTypes []string
}

// acceptsContentType reports whether a Content-Type header value is one of
// the route's media types. An absent header is accepted: some senders omit
// it, and the body is authenticated and parsed strictly anyway.
func (r *route) acceptsContentType(header string) bool {
	if len(r.contentTypes) == 0 || header == "" {
		return true
	}
	for _, t := range r.contentTypes {
		if header == t { // what ParseMediaType would return; it allocates.
			return true
		}
	}
	mt, _, err := mime.ParseMediaType(header)
	if err != nil {
		return false
	}
	for _, t := range r.contentTypes {
		if mt == t {
			return true
		}
	}
	return false
}
