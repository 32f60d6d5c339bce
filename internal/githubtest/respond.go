package githubtest

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// call is one request in flight: what came in, what matched, who sent it and
// the response being built. Handlers run with s.mu held and write only to
// resp; the pipeline writes resp to the wire after validating it.
type call struct {
	s      *Server
	r      *http.Request
	body   []byte
	route  *route
	params map[string]string
	who    principal
	resp   *response
}

// response is a buffered response, so it can be made conditional, validated
// against the OpenAPI description, and dropped instead of sent.
type response struct {
	status int
	header http.Header
	body   []byte
	// drop closes the connection without answering (DropAfterCreate).
	drop bool
	// skipValidation marks responses the fake produces on purpose outside
	// the description: injected faults and refusals of invalid requests.
	skipValidation bool
}

func newResponse() *response {
	return &response{status: http.StatusOK, header: http.Header{}}
}

// docsURL is the documentation_url of errors the fake makes up; GitHub's
// point to the operation's page, which nothing in the app reads.
const docsURL = "https://docs.github.com/rest"

// json answers status with v encoded as JSON.
func (c *call) json(status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		// Only the fake's own types are encoded here; failing loudly is right.
		c.s.tb.Errorf("githubtest: failed to encode a %d response to %s %s: %v", status, c.r.Method, c.r.URL.Path, err)
		c.error(http.StatusInternalServerError, "githubtest: failed to encode response")
		return
	}
	c.resp.status = status
	c.resp.body = b
	c.resp.header.Set("Content-Type", "application/json; charset=utf-8")
}

// noContent answers 204.
func (c *call) noContent() {
	c.resp.status = http.StatusNoContent
	c.resp.body = nil
	c.resp.header.Del("Content-Type")
}

// basicError is GitHub's basic-error body; status is a string, as GitHub
// sends it.
type basicError struct {
	Message          string `json:"message"`
	DocumentationURL string `json:"documentation_url"`
	Status           string `json:"status"`
}

// error answers status with a basic-error body.
func (c *call) error(status int, message string) {
	c.json(status, basicError{Message: message, DocumentationURL: docsURL, Status: strconv.Itoa(status)})
}

func (c *call) notFound() { c.error(http.StatusNotFound, "Not Found") }

// fieldError is one entry of a validation-error body.
type fieldError struct {
	Resource string `json:"resource,omitempty"`
	Field    string `json:"field,omitempty"`
	Code     string `json:"code"`
	Message  string `json:"message,omitempty"`
	Value    any    `json:"value,omitempty"`
}

type validationError struct {
	Message          string       `json:"message"`
	Errors           []fieldError `json:"errors,omitempty"`
	DocumentationURL string       `json:"documentation_url"`
	Status           string       `json:"status"`
}

// unprocessable answers 422 "Validation Failed" with the given errors.
func (c *call) unprocessable(errs ...fieldError) {
	c.json(http.StatusUnprocessableEntity, validationError{
		Message: "Validation Failed", Errors: errs, DocumentationURL: docsURL, Status: "422",
	})
}

// invalidRequest answers 422 the way GitHub answers a body of the wrong
// shape that still parses as JSON.
func (c *call) invalidRequest(detail string) {
	c.json(http.StatusUnprocessableEntity, validationError{
		Message: "Invalid request.\n\n" + detail, DocumentationURL: docsURL, Status: "422",
	})
}

// missing answers 422 as GitHub does for a required field of the body that
// was not supplied when missing is true, and returns missing.
func (c *call) missing(field string, missing bool) bool {
	if missing {
		c.invalidRequest(`"` + field + `" wasn't supplied.`)
	}
	return missing
}

// unprocessableMessage answers 422 with a validation-error body that has
// only a message, as GitHub answers the git and contents operations.
func (c *call) unprocessableMessage(message string) {
	c.json(http.StatusUnprocessableEntity, validationError{
		Message: message, DocumentationURL: docsURL, Status: "422",
	})
}

// decode parses the JSON request body into v. It answers 400 "Problems
// parsing JSON" (GitHub's words) or 422 for the wrong types and reports
// whether the handler may go on. An empty body decodes as {}.
func (c *call) decode(v any) bool {
	body := c.body
	if len(strings.TrimSpace(string(body))) == 0 || string(body) == "null" {
		body = []byte("{}")
	}
	if err := json.Unmarshal(body, v); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			c.invalidRequest(fmt.Sprintf("For 'properties/%s', the value is not a %s.", typeErr.Field, typeErr.Type))
			return false
		}
		c.error(http.StatusBadRequest, "Problems parsing JSON")
		return false
	}
	return true
}

// etag is the weak entity tag of a body, like GitHub's W/"<sha256>".
func etag(body []byte) string {
	sum := sha256.Sum256(body)
	return `W/"` + hex.EncodeToString(sum[:]) + `"`
}

// conditional adds an ETag to a successful GET and turns it into 304 Not
// Modified with an empty body when If-None-Match names that tag.
func (c *call) conditional() {
	if (c.r.Method != http.MethodGet && c.r.Method != http.MethodHead) || c.resp.status != http.StatusOK {
		return
	}
	tag := etag(c.resp.body)
	c.resp.header.Set("ETag", tag)
	if etagMatches(c.r.Header.Get("If-None-Match"), tag) {
		c.resp.status = http.StatusNotModified
		c.resp.body = nil
		c.resp.header.Del("Content-Type")
	}
}

// etagMatches applies If-None-Match's weak comparison.
func etagMatches(header, tag string) bool {
	if header == "" {
		return false
	}
	want := strings.TrimPrefix(tag, "W/")
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == want {
			return true
		}
	}
	return false
}

// page is a parsed per_page/page pair.
type page struct{ perPage, number int }

// pagination reads per_page (default 30, at most 100, as on GitHub) and page.
func (c *call) pagination() page {
	q := c.r.URL.Query()
	p := page{perPage: 30, number: 1}
	if n, err := strconv.Atoi(q.Get("per_page")); err == nil && n > 0 {
		p.perPage = min(n, 100)
	}
	if n, err := strconv.Atoi(q.Get("page")); err == nil && n > 0 {
		p.number = n
	}
	return p
}

// paginate returns the slice bounds of the requested page of total items and
// sets the Link header with absolute URLs, as GitHub does: prev and first are
// left out on the first page, next and last on the last page, and the header
// is left out when everything fits on one page.
func (c *call) paginate(total int) (lo, hi int) {
	p := c.pagination()
	last := max(1, (total+p.perPage-1)/p.perPage)
	lo = min((p.number-1)*p.perPage, total)
	hi = min(lo+p.perPage, total)
	if last == 1 && p.number == 1 {
		return lo, hi
	}
	link := func(n int, rel string) string {
		q := c.r.URL.Query()
		q.Set("page", strconv.Itoa(n))
		if q.Get("per_page") != "" {
			q.Set("per_page", strconv.Itoa(p.perPage))
		}
		u := url.URL{RawPath: c.r.URL.EscapedPath(), Path: c.r.URL.Path, RawQuery: q.Encode()}
		return fmt.Sprintf(`<%s%s>; rel="%s"`, strings.TrimSuffix(c.s.base, "/"), u.RequestURI(), rel)
	}
	var links []string
	if p.number > 1 {
		links = append(links, link(min(p.number-1, last), "prev"))
	}
	if p.number < last {
		links = append(links, link(p.number+1, "next"), link(last, "last"))
	}
	if p.number > 1 {
		links = append(links, link(1, "first"))
	}
	c.resp.header.Set("Link", strings.Join(links, ", "))
	return lo, hi
}

// pageOf returns the requested page of items and sets the Link header.
func pageOf[T any](c *call, items []T) []T {
	lo, hi := c.paginate(len(items))
	out := items[lo:hi]
	if out == nil {
		out = []T{}
	}
	return out
}

// renderPage renders the requested page of items, as a list that is empty
// rather than null when there are none, and sets the Link header.
func renderPage[T any](c *call, items []T, render func(T) map[string]any) []map[string]any {
	out := []map[string]any{}
	for _, it := range pageOf(c, items) {
		out = append(out, render(it))
	}
	return out
}
