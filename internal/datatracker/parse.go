package datatracker

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// maxIDDigits keeps statement ids within int32, well above the ~2,000
// statements the datatracker holds, so no input overflows.
const maxIDDigits = 9

// ParseID reads a statement id as a person gives it: "1983", or the
// statement's page "https://datatracker.ietf.org/liaison/1983/" (with or
// without the trailing slash, on any host so that test and staging
// datatrackers work too). Anything else is rejected with the reason.
func ParseID(s string) (int, error) {
	in := strings.TrimSpace(s)
	if in == "" {
		return 0, fmt.Errorf("invalid liaison statement id %q: empty", s)
	}
	if !strings.Contains(in, "/") {
		id, err := parseDigits(in)
		if err != nil {
			return 0, fmt.Errorf("invalid liaison statement id %q: %w", s, err)
		}
		return id, nil
	}
	u, err := url.Parse(in)
	if err != nil {
		return 0, fmt.Errorf("invalid liaison statement URL %q: %w", s, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return 0, fmt.Errorf("invalid liaison statement URL %q: want https://<datatracker>/liaison/<id>/", s)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return 0, fmt.Errorf("invalid liaison statement URL %q: unexpected query or fragment", s)
	}
	rest, ok := strings.CutPrefix(u.Path, "/liaison/")
	if !ok {
		return 0, fmt.Errorf("invalid liaison statement URL %q: path is not /liaison/<id>/", s)
	}
	rest = strings.TrimSuffix(rest, "/")
	id, err := parseDigits(rest)
	if err != nil {
		return 0, fmt.Errorf("invalid liaison statement URL %q: path is not /liaison/<id>/: %w", s, err)
	}
	return id, nil
}

// parseDigits accepts a positive decimal number without sign or leading
// zeros; strconv.Atoi alone would accept "+12" and "007".
func parseDigits(s string) (int, error) {
	if s == "" {
		return 0, fmt.Errorf("no number")
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return 0, fmt.Errorf("%q is not a number", s)
		}
	}
	if len(s) > maxIDDigits {
		return 0, fmt.Errorf("%q is too long for an id", s)
	}
	if s[0] == '0' {
		return 0, fmt.Errorf("%q is not a positive number without leading zeros", s)
	}
	return strconv.Atoi(s)
}

// slugOf is the last path segment of a resource URI
// ("/api/v1/name/liaisonstatementstate/posted/" → "posted"), or "" for "".
func slugOf(uri string) string {
	p := uri
	if u, err := url.Parse(uri); err == nil {
		p = u.Path
	}
	p = strings.TrimRight(p, "/")
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		p = p[i+1:]
	}
	return p
}

// idOf is the numeric id a resource URI ends in ("/api/v1/group/group/2090/").
func idOf(kind, uri string) (int, error) {
	id, err := parseDigits(slugOf(uri))
	if err != nil {
		return 0, fmt.Errorf("invalid %s URI %q: %w", kind, uri, err)
	}
	return id, nil
}

// legacyEmailPrefix is how servers before June 2025 rendered from_contact:
// a URI to the sender's email resource instead of a mailbox string.
const legacyEmailPrefix = "/api/v1/person/email/"

// contactOf turns from_contact in either shape into a mailbox string.
func contactOf(s string) string {
	s = strings.TrimSpace(s)
	p := s
	if u, err := url.Parse(s); err == nil && (u.Scheme == "" || u.Scheme == "http" || u.Scheme == "https") {
		p = u.Path
	}
	if rest, ok := strings.CutPrefix(p, legacyEmailPrefix); ok {
		return strings.TrimSuffix(rest, "/")
	}
	return s
}
