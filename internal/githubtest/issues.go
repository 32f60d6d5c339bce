package githubtest

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// GitHub's limits on issue and comment text, in characters.
const (
	MaxTitleLength = 256
	MaxBodyLength  = 65536
)

// issue finds the {issue_number} of the request's repository, answering 404
// when either is missing or invisible.
func (c *call) issue() (*repo, *issue, bool) {
	return c.numbered("issue_number", (*repo).issue)
}

// numbered finds what find picks by the number in the path parameter
// param, in the request's repository, answering 404 when either is
// missing or invisible.
func (c *call) numbered(param string, find func(r *repo, n int) *issue) (*repo, *issue, bool) {
	r, ok := c.repo()
	if !ok {
		return nil, nil, false
	}
	n, err := strconv.Atoi(c.params[param])
	is := find(r, n)
	if err != nil || is == nil {
		c.notFound()
		return nil, nil, false
	}
	return r, is, true
}

// isNull reports whether a raw JSON value is absent or null.
func isNull(raw json.RawMessage) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) == 0 || string(raw) == "null"
}

// parseTitle reads a title, which GitHub accepts as a string or an integer.
func parseTitle(raw json.RawMessage) (string, error) {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s, nil
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		if _, err := n.Int64(); err == nil {
			return n.String(), nil
		}
	}
	return "", errors.New("For 'properties/title', " + string(raw) + " is not a string or integer.")
}

// textErrors checks a title and body against GitHub's limits.
func textErrors(title *string, body *string) []fieldError {
	var errs []fieldError
	if title != nil {
		switch n := utf8.RuneCountInString(*title); {
		case strings.TrimSpace(*title) == "":
			errs = append(errs, fieldError{Resource: "Issue", Field: "title", Code: "missing_field"})
		case n > MaxTitleLength:
			errs = append(errs, fieldError{Resource: "Issue", Field: "title", Code: "custom",
				Message: fmt.Sprintf("title is too long (maximum is %d characters)", MaxTitleLength)})
		}
	}
	if body != nil && utf8.RuneCountInString(*body) > MaxBodyLength {
		errs = append(errs, fieldError{Resource: "Issue", Field: "body", Code: "custom",
			Message: fmt.Sprintf("body is too long (maximum is %d characters)", MaxBodyLength)})
	}
	return errs
}

// resolveAssignees maps logins to assignable collaborators, with an error
// for each login that cannot be assigned.
func resolveAssignees(r *repo, logins []string) ([]string, []fieldError) {
	var out []string
	var errs []fieldError
	for _, login := range logins {
		if !r.assignable(login) {
			errs = append(errs, fieldError{Resource: "Issue", Field: "assignees", Code: "invalid", Value: login})
			continue
		}
		canonical := r.collaborators[strings.ToLower(login)].login
		if !slices.Contains(out, canonical) {
			out = append(out, canonical)
		}
	}
	return out, errs
}

// parseLabelArray reads the labels of an issue create or edit: an array of
// names or {"name": …} objects.
func parseLabelArray(raw json.RawMessage) ([]string, error) {
	if raw = bytes.TrimSpace(raw); len(raw) > 0 && raw[0] != '[' {
		return nil, errors.New("For 'properties/labels', " + string(raw) + " is not an array.")
	}
	return parseLabelNames(raw)
}

// POST /repos/{owner}/{repo}/issues. Any invalid field (empty or overlong
// title, overlong body, an assignee who cannot be assigned, an unknown
// milestone) fails the whole create with 422, as on GitHub. Unknown labels
// are created.
func (c *call) createIssue() {
	r, ok := c.repo()
	if !ok {
		return
	}
	var req struct {
		Title     json.RawMessage `json:"title"`
		Body      *string         `json:"body"`
		Assignee  *string         `json:"assignee"`
		Assignees []string        `json:"assignees"`
		Milestone json.RawMessage `json:"milestone"`
		Labels    json.RawMessage `json:"labels"`
	}
	if !c.decode(&req) {
		return
	}
	var title string
	if !isNull(req.Title) {
		t, err := parseTitle(req.Title)
		if err != nil {
			c.invalidRequest(err.Error())
			return
		}
		title = t
	}
	labelNames, err := parseLabelArray(req.Labels)
	if err != nil {
		c.invalidRequest(err.Error())
		return
	}
	errs := textErrors(&title, req.Body)
	logins := req.Assignees
	if req.Assignee != nil && *req.Assignee != "" {
		logins = append([]string{*req.Assignee}, logins...)
	}
	assignees, aerrs := resolveAssignees(r, logins)
	errs = append(errs, aerrs...)
	if !isNull(req.Milestone) {
		errs = append(errs, fieldError{Resource: "Issue", Field: "milestone", Code: "invalid", Value: json.RawMessage(req.Milestone)})
	}
	if len(errs) > 0 {
		c.unprocessable(errs...)
		return
	}
	now := c.s.now()
	is := &issue{
		id: c.s.newID(), number: r.nextNumber, title: title, user: c.actor(), state: "open",
		labels: c.s.resolveLabels(r, labelNames), assignees: assignees, createdAt: now, updatedAt: now,
	}
	if req.Body != nil {
		is.body = *req.Body
	}
	r.nextNumber++
	r.issues = append(r.issues, is)
	c.resp.header.Set("Location", c.s.apiURL("repos/%s/%s/issues/%d", r.owner, r.name, is.number))
	c.json(http.StatusCreated, c.s.issueJSON(r, is))
	// GitHub sends the webhooks even when the app never hears the answer.
	c.s.emitOpened(r, is, c.actor())
	c.s.dropIfAsked(c)
}

// GET /repos/{owner}/{repo}/issues/{issue_number}
func (c *call) getIssue() {
	if r, is, ok := c.issue(); ok {
		c.json(http.StatusOK, c.s.issueJSON(r, is))
	}
}

// PATCH /repos/{owner}/{repo}/issues/{issue_number}: title, body, state
// with state_reason (ignored unless the state changes), labels and
// assignees (both replace). Nothing changes when any field is invalid.
func (c *call) editIssue() {
	r, is, ok := c.issue()
	if !ok {
		return
	}
	var req struct {
		Title       json.RawMessage `json:"title"`
		Body        json.RawMessage `json:"body"`
		Assignee    json.RawMessage `json:"assignee"`
		Assignees   json.RawMessage `json:"assignees"`
		State       *string         `json:"state"`
		StateReason *string         `json:"state_reason"`
		Milestone   json.RawMessage `json:"milestone"`
		Labels      json.RawMessage `json:"labels"`
	}
	if !c.decode(&req) {
		return
	}
	var title, body *string
	if !isNull(req.Title) {
		t, err := parseTitle(req.Title)
		if err != nil {
			c.invalidRequest(err.Error())
			return
		}
		title = &t
	}
	clearBody := string(bytes.TrimSpace(req.Body)) == "null"
	if !isNull(req.Body) {
		var b string
		if err := json.Unmarshal(req.Body, &b); err != nil {
			c.invalidRequest("For 'properties/body', " + string(req.Body) + " is not a string or null.")
			return
		}
		body = &b
	}
	var labelNames []string
	setLabels := !isNull(req.Labels)
	if setLabels {
		names, err := parseLabelArray(req.Labels)
		if err != nil {
			c.invalidRequest(err.Error())
			return
		}
		labelNames = names
	}
	var logins []string
	setAssignees := !isNull(req.Assignees) || len(bytes.TrimSpace(req.Assignee)) > 0
	if !isNull(req.Assignees) {
		if err := json.Unmarshal(req.Assignees, &logins); err != nil {
			c.invalidRequest("For 'properties/assignees', " + string(req.Assignees) + " is not an array of strings.")
			return
		}
	} else if !isNull(req.Assignee) {
		var one string
		if err := json.Unmarshal(req.Assignee, &one); err != nil {
			c.invalidRequest("For 'properties/assignee', " + string(req.Assignee) + " is not a string or null.")
			return
		}
		if one != "" {
			logins = []string{one}
		}
	}

	errs := textErrors(title, body)
	if req.State != nil && *req.State != "open" && *req.State != "closed" {
		errs = append(errs, fieldError{Resource: "Issue", Field: "state", Code: "invalid", Value: *req.State})
	}
	if sr := req.StateReason; sr != nil && !slices.Contains([]string{"completed", "not_planned", "duplicate", "reopened"}, *sr) {
		errs = append(errs, fieldError{Resource: "Issue", Field: "state_reason", Code: "invalid", Value: *sr})
	}
	assignees, aerrs := resolveAssignees(r, logins)
	errs = append(errs, aerrs...)
	if !isNull(req.Milestone) {
		errs = append(errs, fieldError{Resource: "Issue", Field: "milestone", Code: "invalid", Value: json.RawMessage(req.Milestone)})
	}
	if len(errs) > 0 {
		c.unprocessable(errs...)
		return
	}

	before := captureIssue(is)
	now := c.s.now()
	if title != nil {
		is.title = *title
	}
	if body != nil {
		is.body = *body
	} else if clearBody {
		is.body = ""
	}
	if setLabels {
		is.labels = c.s.resolveLabels(r, labelNames)
	}
	if setAssignees {
		is.assignees = assignees
	}
	if req.State != nil && *req.State != is.state {
		reason := ""
		if req.StateReason != nil {
			reason = *req.StateReason
		}
		if *req.State == "closed" {
			if reason == "" || reason == "reopened" {
				reason = "completed"
			}
			is.state, is.stateReason, is.closedAt, is.closedBy = "closed", reason, now, c.actor()
		} else {
			r.reopen(is)
		}
	}
	is.updatedAt = now
	c.json(http.StatusOK, c.s.issueJSON(r, is))
	c.s.emitChanges(r, is, c.actor(), before)
}

// issueFilter is the query of GET /repos/{owner}/{repo}/issues.
type issueFilter struct {
	state, creator, assignee, mentioned, milestone string
	labels                                         []string
	since                                          time.Time
}

func (f issueFilter) keep(is *issue) bool {
	if f.state != "all" && is.state != f.state {
		return false
	}
	if f.creator != "" && !strings.EqualFold(is.user, f.creator) {
		return false
	}
	switch f.assignee {
	case "":
	case "none":
		if len(is.assignees) > 0 {
			return false
		}
	case "*":
		if len(is.assignees) == 0 {
			return false
		}
	default:
		if !slices.ContainsFunc(is.assignees, func(a string) bool { return strings.EqualFold(a, f.assignee) }) {
			return false
		}
	}
	// The fake has no milestones: "*" or a number matches nothing.
	if f.milestone != "" && f.milestone != "none" {
		return false
	}
	for _, l := range f.labels {
		if !is.hasLabel(l) {
			return false
		}
	}
	if !f.since.IsZero() && is.updatedAt.Before(f.since) {
		return false
	}
	if f.mentioned != "" && !mentions(is, f.mentioned) {
		return false
	}
	return true
}

func mentions(is *issue, login string) bool {
	at := "@" + strings.ToLower(login)
	if strings.Contains(strings.ToLower(is.body), at) {
		return true
	}
	return slices.ContainsFunc(is.comments, func(cm *comment) bool { return strings.Contains(strings.ToLower(cm.body), at) })
}

// GET /repos/{owner}/{repo}/issues: filtered by state (default open),
// creator, assignee, mentioned, milestone, labels (all of them) and since;
// sorted by created (default), updated or comments, descending by default;
// paginated. Pull requests are included, with their pull_request key.
func (c *call) listIssues() {
	r, ok := c.repo()
	if !ok {
		return
	}
	q := c.r.URL.Query()
	f := issueFilter{
		state: cmp.Or(q.Get("state"), "open"), creator: q.Get("creator"), assignee: q.Get("assignee"),
		mentioned: q.Get("mentioned"), milestone: q.Get("milestone"),
	}
	for _, l := range strings.Split(q.Get("labels"), ",") {
		if l = strings.TrimSpace(l); l != "" {
			f.labels = append(f.labels, l)
		}
	}
	if v := q.Get("since"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			c.unprocessable(fieldError{Resource: "Issue", Field: "since", Code: "invalid", Value: v})
			return
		}
		f.since = t
	}
	var matched []*issue
	for _, is := range r.issues {
		if f.keep(is) {
			matched = append(matched, is)
		}
	}
	key := func(is *issue) int64 {
		switch q.Get("sort") {
		case "updated":
			return is.updatedAt.UnixNano()
		case "comments":
			return int64(len(is.comments))
		}
		return is.createdAt.UnixNano()
	}
	desc := q.Get("direction") != "asc"
	slices.SortStableFunc(matched, func(a, b *issue) int {
		o := cmp.Or(cmp.Compare(key(a), key(b)), cmp.Compare(a.number, b.number))
		if desc {
			return -o
		}
		return o
	})
	c.json(http.StatusOK, renderPage(c, matched, func(is *issue) map[string]any { return c.s.issueJSON(r, is) }))
}

// commentErrors checks a comment body.
func commentErrors(body *string) []fieldError {
	switch {
	case body == nil:
		return []fieldError{{Resource: "IssueComment", Field: "body", Code: "missing_field"}}
	case strings.TrimSpace(*body) == "":
		return []fieldError{{Resource: "IssueComment", Field: "body", Code: "custom", Message: "Body cannot be blank"}}
	case utf8.RuneCountInString(*body) > MaxBodyLength:
		return []fieldError{{Resource: "IssueComment", Field: "body", Code: "custom",
			Message: fmt.Sprintf("Body is too long (maximum is %d characters)", MaxBodyLength)}}
	}
	return nil
}

// GET /repos/{owner}/{repo}/issues/{issue_number}/comments
func (c *call) listComments() {
	r, is, ok := c.issue()
	if !ok {
		return
	}
	var since time.Time
	if v := c.r.URL.Query().Get("since"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			c.unprocessable(fieldError{Resource: "IssueComment", Field: "since", Code: "invalid", Value: v})
			return
		}
		since = t
	}
	var kept []*comment
	for _, cm := range is.comments {
		if !cm.updatedAt.Before(since) {
			kept = append(kept, cm)
		}
	}
	c.json(http.StatusOK, renderPage(c, kept, func(cm *comment) map[string]any { return c.s.commentJSON(r, is, cm) }))
}

// POST /repos/{owner}/{repo}/issues/{issue_number}/comments
func (c *call) createComment() {
	r, is, ok := c.issue()
	if !ok {
		return
	}
	var req struct {
		Body *string `json:"body"`
	}
	if !c.decode(&req) {
		return
	}
	if errs := commentErrors(req.Body); errs != nil {
		c.unprocessable(errs...)
		return
	}
	now := c.s.now()
	cm := &comment{id: c.s.newID(), user: c.actor(), body: *req.Body, createdAt: now, updatedAt: now}
	is.comments = append(is.comments, cm)
	is.updatedAt = now
	c.resp.header.Set("Location", c.s.apiURL("repos/%s/%s/issues/comments/%d", r.owner, r.name, cm.id))
	c.json(http.StatusCreated, c.s.commentJSON(r, is, cm))
	c.s.emitComment(r, is, cm, c.actor(), "created", nil)
}

// findComment looks up {comment_id} in the request's repository.
func (c *call) findComment() (*repo, *issue, *comment, bool) {
	r, ok := c.repo()
	if !ok {
		return nil, nil, nil, false
	}
	id, _ := strconv.ParseInt(c.params["comment_id"], 10, 64)
	for _, is := range r.issues {
		for _, cm := range is.comments {
			if cm.id == id {
				return r, is, cm, true
			}
		}
	}
	c.notFound()
	return nil, nil, nil, false
}

// GET /repos/{owner}/{repo}/issues/comments/{comment_id}
func (c *call) getComment() {
	if r, is, cm, ok := c.findComment(); ok {
		c.json(http.StatusOK, c.s.commentJSON(r, is, cm))
	}
}

// PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}
func (c *call) editComment() {
	r, is, cm, ok := c.findComment()
	if !ok {
		return
	}
	var req struct {
		Body *string `json:"body"`
	}
	if !c.decode(&req) {
		return
	}
	if errs := commentErrors(req.Body); errs != nil {
		c.unprocessable(errs...)
		return
	}
	old := cm.body
	cm.body = *req.Body
	cm.updatedAt = c.s.now()
	c.json(http.StatusOK, c.s.commentJSON(r, is, cm))
	c.s.emitCommentEdit(r, is, cm, c.actor(), old)
}
