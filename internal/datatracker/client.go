// Package datatracker reads liaison statements from the IETF Datatracker's
// public, read-only Tastypie API (/api/v1/). The API renders related objects
// as resource URIs and keeps submission and posting times in a separate
// event table, so the client resolves each statement into a complete
// liaison.Statement: groups, attachments, related statements and times.
//
// The datatracker is a shared public service with no API key: the client
// identifies itself, asks for bounded pages, and backs off on server errors.
package datatracker

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/liaisonbot/liaisonbot/internal/liaison"
	"github.com/liaisonbot/liaisonbot/internal/version"
)

// Defaults for a client built without options.
const (
	// DefaultBaseURL is the production datatracker.
	DefaultBaseURL = "https://datatracker.ietf.org"
	// DefaultAttachmentBaseURL is where the datatracker serves liaison
	// attachment files (its LIAISON_ATTACH_URL). Datatracker issues #6910
	// and #7087 plan to move them, hence WithAttachmentBaseURL.
	DefaultAttachmentBaseURL = "https://www.ietf.org/lib/dt/documents/LIAISON/"
	// DefaultPageSize is the number of objects asked for per list request.
	DefaultPageSize = 50
	// MaxPageSize bounds the page size: the API would serve up to 1000 (or
	// everything with limit=0), which is impolite to a shared service.
	MaxPageSize = 100

	defaultAttempts   = 4
	defaultMinBackoff = time.Second
	defaultMaxBackoff = 30 * time.Second
	defaultTimeout    = time.Minute

	// maxBodySize bounds what one response may hold; a page of 100
	// statements is a few hundred kilobytes.
	maxBodySize = 32 << 20
)

// ErrNotFound is matched (with errors.Is) by the error for an object the
// datatracker does not have.
var ErrNotFound = errors.New("not found")

// StatusError is a response other than 200 OK.
type StatusError struct {
	URL        string
	StatusCode int
	Status     string // "503 Service Unavailable"
	// Message is Tastypie's {"error": "..."} text when the body had one.
	Message string
	// RetryAfter is the pause the server asked for, if any.
	RetryAfter time.Duration
}

func (e *StatusError) Error() string {
	msg := fmt.Sprintf("failed to get %s: %s", e.URL, e.Status)
	if e.Message != "" {
		msg += ": " + e.Message
	}
	return msg
}

// Is makes errors.Is(err, ErrNotFound) true for a 404.
func (e *StatusError) Is(target error) bool {
	return target == ErrNotFound && e.StatusCode == http.StatusNotFound
}

// Client reads the datatracker API. It is safe for concurrent use.
type Client struct {
	base       *url.URL
	attachBase string
	http       *http.Client
	userAgent  string
	pageSize   int
	attempts   int
	minBackoff time.Duration
	maxBackoff time.Duration

	groupsMu sync.Mutex
	groups   map[int]*groupCall
}

// Option configures a Client.
type Option func(*Client) error

// WithHTTPClient sets the HTTP client (for its transport and timeout).
func WithHTTPClient(hc *http.Client) Option {
	return func(c *Client) error {
		if hc == nil {
			return errors.New("nil HTTP client")
		}
		c.http = hc
		return nil
	}
}

// WithUserAgent sets the User-Agent header (default version.UserAgent());
// the datatracker's operators use it to tell who is calling.
func WithUserAgent(ua string) Option {
	return func(c *Client) error {
		ua = strings.TrimSpace(ua)
		if ua == "" {
			return errors.New("empty user agent")
		}
		c.userAgent = ua
		return nil
	}
}

// WithPageSize sets how many objects a list request asks for, bounded to
// 1..MaxPageSize (never 0, which Tastypie reads as "everything").
func WithPageSize(n int) Option {
	return func(c *Client) error {
		c.pageSize = min(max(n, 1), MaxPageSize)
		return nil
	}
}

// WithRetry sets how often a request is tried (attempts includes the first)
// after a 5xx, a 429 or a network error, and the bounds of the jittered
// exponential backoff between tries. A 4xx other than 429 is never retried:
// asking again would get the same answer.
func WithRetry(attempts int, minBackoff, maxBackoff time.Duration) Option {
	return func(c *Client) error {
		if minBackoff < 0 || maxBackoff < 0 {
			return fmt.Errorf("invalid retry backoff %v..%v: must not be negative", minBackoff, maxBackoff)
		}
		if maxBackoff < minBackoff {
			return fmt.Errorf("invalid retry backoff %v..%v: maximum below minimum", minBackoff, maxBackoff)
		}
		c.attempts = max(attempts, 1)
		c.minBackoff, c.maxBackoff = minBackoff, maxBackoff
		return nil
	}
}

// WithAttachmentBaseURL sets the URL that attachment file names are
// appended to.
func WithAttachmentBaseURL(base string) Option {
	return func(c *Client) error {
		u, err := parseHTTPURL(base)
		if err != nil {
			return fmt.Errorf("invalid attachment base URL: %w", err)
		}
		s := u.String()
		if !strings.HasSuffix(s, "/") {
			s += "/"
		}
		c.attachBase = s
		return nil
	}
}

// New returns a client for the datatracker at baseURL (DefaultBaseURL when
// empty).
func New(baseURL string, opts ...Option) (*Client, error) {
	if strings.TrimSpace(baseURL) == "" {
		baseURL = DefaultBaseURL
	}
	base, err := parseHTTPURL(baseURL)
	if err != nil {
		return nil, fmt.Errorf("invalid datatracker base URL: %w", err)
	}
	base.Path = strings.TrimRight(base.Path, "/")
	c := &Client{
		base:       base,
		attachBase: DefaultAttachmentBaseURL,
		http:       &http.Client{Timeout: defaultTimeout},
		userAgent:  version.UserAgent(),
		pageSize:   DefaultPageSize,
		attempts:   defaultAttempts,
		minBackoff: defaultMinBackoff,
		maxBackoff: defaultMaxBackoff,
		groups:     make(map[int]*groupCall),
	}
	for _, opt := range opts {
		if err := opt(c); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// BaseURL is the datatracker's base URL without a trailing slash, the base
// of its public pages (liaison.Statement.URL).
func (c *Client) BaseURL() string { return c.base.String() }

func parseHTTPURL(s string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil {
		return nil, err
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("%q: want an http or https URL", s)
	}
	if u.Host == "" {
		return nil, fmt.Errorf("%q: no host", s)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("%q: must not have a query or fragment", s)
	}
	return u, nil
}

// endpoint is the API URL for path (starting "/api/v1/") with query q and
// format=json.
func (c *Client) endpoint(path string, q url.Values) *url.URL {
	if q == nil {
		q = url.Values{}
	}
	q.Set("format", "json")
	u := *c.base
	u.Path = c.base.Path + path
	u.RawPath = ""
	u.RawQuery = q.Encode()
	return &u
}

// get fetches u into v, retrying what may succeed on a later try.
func (c *Client) get(ctx context.Context, u *url.URL, v any) error {
	for attempt := 1; ; attempt++ {
		retry, err := c.getOnce(ctx, u, v)
		if err == nil || !retry || attempt >= c.attempts {
			return err
		}
		delay := c.backoff(attempt)
		var se *StatusError
		if errors.As(err, &se) && se.RetryAfter > 0 {
			if se.RetryAfter > c.maxBackoff {
				// The server asks for a longer pause than a request should
				// block for; the caller's next poll will come back later.
				return err
			}
			delay = max(delay, se.RetryAfter)
		}
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("%w (retry abandoned: %w)", err, ctx.Err())
		case <-t.C:
		}
	}
}

// backoff is the pause after the attempt-th failure: exponential from
// minBackoff, capped at maxBackoff, with the upper half jittered so that
// several replicas do not retry in step.
func (c *Client) backoff(attempt int) time.Duration {
	d := c.minBackoff
	for i := 1; i < attempt && d < c.maxBackoff; i++ {
		d *= 2
	}
	d = min(d, c.maxBackoff)
	if d <= 1 {
		return d
	}
	half := d / 2
	return half + rand.N(d-half+1)
}

// getOnce makes one request; retry says whether another try may succeed.
func (c *Client) getOnce(ctx context.Context, u *url.URL, v any) (retry bool, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return false, fmt.Errorf("failed to build request for %s: %w", u, err)
	}
	req.Header.Set("User-Agent", c.userAgent)
	req.Header.Set("Accept", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return false, fmt.Errorf("failed to get %s: %w", u, ctx.Err())
		}
		// url.Error repeats the whole URL in quotes; name the host instead,
		// which is what a person needs to see for a DNS or connect failure.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return true, fmt.Errorf("failed to get %s: %s: %w", u, u.Host, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBodySize+1))
	if err != nil {
		return ctx.Err() == nil, fmt.Errorf("failed to read %s: %s: %w", u, u.Host, err)
	}
	if resp.StatusCode != http.StatusOK {
		se := &StatusError{
			URL:        u.String(),
			StatusCode: resp.StatusCode,
			Status:     resp.Status,
			Message:    errorMessage(body),
			RetryAfter: retryAfter(resp.Header.Get("Retry-After"), time.Now()),
		}
		if se.Status == "" {
			se.Status = strconv.Itoa(resp.StatusCode) + " " + http.StatusText(resp.StatusCode)
		}
		return resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests, se
	}
	if len(body) > maxBodySize {
		return false, fmt.Errorf("failed to read %s: response larger than %d bytes", u, maxBodySize)
	}
	if err := decodeJSON(body, resp.Header.Get("Content-Type"), v); err != nil {
		return false, fmt.Errorf("failed to decode %s: %w", u, err)
	}
	return false, nil
}

// decodeJSON decodes a JSON object, first telling an HTML error page (from
// a proxy or the web server in front of the API) from a decoding problem.
func decodeJSON(body []byte, contentType string, v any) error {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		if contentType == "" {
			contentType = "none"
		}
		return fmt.Errorf("response is not a JSON object (Content-Type %s, body starts %q)",
			contentType, snippet(trimmed, 60))
	}
	return json.Unmarshal(trimmed, v)
}

// errorMessage is Tastypie's {"error": "..."} text, cleaned for a log line.
func errorMessage(body []byte) string {
	var e struct {
		Error string `json:"error"`
	}
	if json.Unmarshal(body, &e) != nil {
		return ""
	}
	return snippet([]byte(e.Error), 200)
}

// snippet is at most n runes of b with control characters replaced, so
// untrusted text cannot break a log line.
func snippet(b []byte, n int) string {
	var sb strings.Builder
	i := 0
	for _, r := range string(b) {
		if i++; i > n {
			sb.WriteString("…")
			break
		}
		if unicode.IsControl(r) {
			r = ' '
		}
		sb.WriteRune(r)
	}
	return sb.String()
}

// retryAfter reads a Retry-After header: delay-seconds or an HTTP date.
func retryAfter(h string, now time.Time) time.Duration {
	h = strings.TrimSpace(h)
	if h == "" {
		return 0
	}
	if secs, err := strconv.Atoi(h); err == nil {
		if secs < 0 {
			return 0
		}
		return time.Duration(min(secs, 86400)) * time.Second
	}
	if t, err := http.ParseTime(h); err == nil {
		return max(t.Sub(now), 0)
	}
	return 0
}

// page is a Tastypie list response.
type page[T any] struct {
	Meta struct {
		Limit      int     `json:"limit"`
		Next       *string `json:"next"`
		Offset     int     `json:"offset"`
		Previous   *string `json:"previous"`
		TotalCount int     `json:"total_count"`
	} `json:"meta"`
	Objects []T `json:"objects"`
}

// walk calls fn for every object of the list at path filtered by q, page by
// page, following the relative "next" links the API returns.
func walk[T any](ctx context.Context, c *Client, path string, q url.Values, fn func(T) error) error {
	if q == nil {
		q = url.Values{}
	}
	q.Set("limit", strconv.Itoa(c.pageSize))
	u := c.endpoint(path, q)
	seen := map[string]bool{u.String(): true}
	for {
		var p page[T]
		if err := c.get(ctx, u, &p); err != nil {
			return err
		}
		if p.Objects == nil {
			return fmt.Errorf("failed to decode %s: not a Tastypie list (no \"objects\")", u)
		}
		for _, o := range p.Objects {
			if err := fn(o); err != nil {
				return err
			}
		}
		if p.Meta.Next == nil || *p.Meta.Next == "" {
			return nil
		}
		if len(p.Objects) == 0 {
			return fmt.Errorf("failed to list %s: page at offset %d is empty but has a next link", u, p.Meta.Offset)
		}
		next, err := c.nextURL(u, *p.Meta.Next)
		if err != nil {
			return err
		}
		if seen[next.String()] {
			return fmt.Errorf("failed to list %s: next link %q repeats an earlier page", u, *p.Meta.Next)
		}
		seen[next.String()] = true
		u = next
	}
}

// walkByID is walk for lists ordered by id, paging by id instead of by
// offset: each page asks for ids beyond the last one seen. Offset pages
// shift when a row leaves the filtered list during a walk (a statement
// killed while it is being listed), which would skip a row for good.
func walkByID[T any](ctx context.Context, c *Client, path string, q url.Values, descending bool, idOf func(T) int, fn func(T) error) error {
	q = cloneValues(q)
	q.Set("limit", strconv.Itoa(c.pageSize))
	q.Del("offset")
	key := "id__gt"
	if descending {
		key = "id__lt"
		q.Set("order_by", "-id")
	} else {
		q.Set("order_by", "id")
	}
	last := 0
	for {
		var p page[T]
		u := c.endpoint(path, q)
		if err := c.get(ctx, u, &p); err != nil {
			return err
		}
		if p.Objects == nil {
			return fmt.Errorf("failed to decode %s: not a Tastypie list (no \"objects\")", u)
		}
		for _, o := range p.Objects {
			id := idOf(o)
			if last != 0 && (id <= last) != descending || id == last {
				return fmt.Errorf("failed to list %s: ids out of order (%d after %d)", u, id, last)
			}
			last = id
			if err := fn(o); err != nil {
				return err
			}
		}
		if p.Meta.Next == nil || *p.Meta.Next == "" || len(p.Objects) == 0 {
			return nil
		}
		q.Set(key, strconv.Itoa(last))
	}
}

// nextURL resolves a "next" link against the current page. It stays on the
// datatracker's host and keeps the client's page size even if the server
// suggests another.
func (c *Client) nextURL(cur *url.URL, next string) (*url.URL, error) {
	ref, err := url.Parse(next)
	if err != nil {
		return nil, fmt.Errorf("failed to follow next link %q from %s: %w", next, cur, err)
	}
	u := cur.ResolveReference(ref)
	if u.Scheme != c.base.Scheme || u.Host != c.base.Host {
		return nil, fmt.Errorf("failed to follow next link %q from %s: it leaves %s", next, cur, c.base.Host)
	}
	q := u.Query()
	q.Set("format", "json")
	q.Set("limit", strconv.Itoa(c.pageSize))
	u.RawQuery = q.Encode()
	return u, nil
}

// groupCall is one group lookup, shared by everyone who asks for the same
// group while it is under way and cached once it succeeds.
type groupCall struct {
	done  chan struct{}
	group liaison.Group
	err   error
}

// group returns the group with id, fetching it once per client: groups
// rarely change and every statement names some.
func (c *Client) group(ctx context.Context, id int) (liaison.Group, error) {
	c.groupsMu.Lock()
	if call, ok := c.groups[id]; ok {
		c.groupsMu.Unlock()
		select {
		case <-call.done:
			return call.group, call.err
		case <-ctx.Done():
			return liaison.Group{}, ctx.Err()
		}
	}
	call := &groupCall{done: make(chan struct{})}
	c.groups[id] = call
	c.groupsMu.Unlock()

	call.group, call.err = c.fetchGroup(ctx, id)
	if call.err != nil {
		// Do not cache a failure: the next statement may try again.
		c.groupsMu.Lock()
		delete(c.groups, id)
		c.groupsMu.Unlock()
	}
	close(call.done)
	return call.group, call.err
}

type rawGroup struct {
	ID      int    `json:"id"`
	Acronym string `json:"acronym"`
	Name    string `json:"name"`
	Type    string `json:"type"`
}

func (c *Client) fetchGroup(ctx context.Context, id int) (liaison.Group, error) {
	var g rawGroup
	if err := c.get(ctx, c.endpoint(fmt.Sprintf("/api/v1/group/group/%d/", id), nil), &g); err != nil {
		return liaison.Group{}, err
	}
	if g.ID != id {
		return liaison.Group{}, fmt.Errorf("failed to get group %d: the datatracker answered with group %d", id, g.ID)
	}
	return liaison.Group{ID: g.ID, Acronym: g.Acronym, Name: g.Name, Type: slugOf(g.Type)}, nil
}
