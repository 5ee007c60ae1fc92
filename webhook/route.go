package webhook

import (
	"mime"
	"slices"
	"strings"

	"github.com/mfspay/mfspay"
)

// RouteOption configures how one gateway's notifications are received.
type RouteOption func(*route)

// ContentTypes replaces the media types the gateway's notifications may
// declare (default "application/json", and "text/plain" too for a gateway
// whose Capabilities name mfspay.WebhookSNS: AWS SNS posts its JSON as
// text/plain; parameters such as charset are ignored). A request declaring
// another type is answered 415. With no arguments any type is accepted, for
// providers that post forms.
func ContentTypes(mediaTypes ...string) RouteOption {
	return func(r *route) {
		r.chosenTypes = true
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
	// chosenTypes says ContentTypes set contentTypes; the default follows
	// the gateway's notification scheme.
	chosenTypes bool
}

// acceptsContentType reports whether a Content-Type header value is one of
// the route's media types. An absent header is accepted: some senders omit
// it, and the body is authenticated and parsed strictly anyway.
func (r *route) acceptsContentType(header string) bool {
	if len(r.contentTypes) == 0 || header == "" {
		return true
	}
	types := r.contentTypes
	if !r.chosenTypes && r.gw.Capabilities().Webhook == mfspay.WebhookSNS {
		types = append(types[:len(types):len(types)], "text/plain")
	}
	if slices.Contains(types, header) { // what ParseMediaType would return; it allocates.
		return true
	}
	mt, _, err := mime.ParseMediaType(header)
	return err == nil && slices.Contains(types, mt)
}
