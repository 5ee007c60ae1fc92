package kit

import (
	"net/url"
	"strings"
)

// ParseBaseURL checks an adapter's API base URL: raw, or def when raw is
// empty, must be an absolute http or https URL without user information,
// query or fragment. It returns the URL without a trailing slash and its
// parsed form; a bad one is an ErrInvalidRequest naming "base_url".
func ParseBaseURL(provider, raw, def string) (string, *url.URL, error) {
	if raw == "" {
		raw = def
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil ||
		u.RawQuery != "" || u.Fragment != "" {
		return "", nil, Invalid(provider, "configure", "base_url", "must be an absolute http or https URL without query")
	}
	return strings.TrimRight(raw, "/"), u, nil
}

// SettingList splits a comma-separated setting, such as several webhook
// secrets during rotation, into its non-empty entries with surrounding
// spaces removed.
func SettingList(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}
