package githubtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

// AutoLabelColor is the colour GitHub gives a label it creates because an
// unknown name was put on an issue.
const AutoLabelColor = "ededed"

const (
	maxLabelName        = 50
	maxLabelDescription = 100
)

var hexColor = regexp.MustCompile(`^[0-9a-fA-F]{6}$`)

// parseLabelNames reads the label bodies GitHub accepts: a bare array of
// names, an array of {"name": …} objects, either wrapped in {"labels": …},
// or (for PUT) a single name. null and an empty body mean no labels.
func parseLabelNames(raw []byte) ([]string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	switch raw[0] {
	case '"':
		var name string
		if err := json.Unmarshal(raw, &name); err != nil {
			return nil, errors.New("the label is not a valid JSON string")
		}
		return []string{name}, nil
	case '{':
		var wrapped struct {
			Labels json.RawMessage `json:"labels"`
		}
		if err := json.Unmarshal(raw, &wrapped); err != nil {
			return nil, errors.New("the body is not an object with a labels array")
		}
		if len(wrapped.Labels) > 0 && bytes.TrimSpace(wrapped.Labels)[0] != '[' {
			return nil, errors.New(`"labels" is not an array`)
		}
		return parseLabelNames(wrapped.Labels)
	case '[':
		var items []json.RawMessage
		if err := json.Unmarshal(raw, &items); err != nil {
			return nil, errors.New("the labels are not a JSON array")
		}
		names := make([]string, 0, len(items))
		for _, item := range items {
			var name string
			if json.Unmarshal(item, &name) == nil {
				names = append(names, name)
				continue
			}
			var obj struct {
				Name *string `json:"name"`
			}
			if json.Unmarshal(item, &obj) != nil || obj.Name == nil {
				return nil, errors.New("each label must be a name or an object with a name")
			}
			names = append(names, *obj.Name)
		}
		return names, nil
	}
	return nil, errors.New("labels must be an array of names")
}

// resolveLabels finds the labels with the given names (case-insensitively),
// creating unknown ones with colour ededed as GitHub does, without
// duplicates and ignoring blank names.
func (s *Server) resolveLabels(r *repo, names []string) []*label {
	var out []*label
	for _, n := range names {
		n = strings.TrimSpace(n)
		if n == "" {
			continue
		}
		l := r.label(n)
		if l == nil {
			l = &label{id: s.newID(), name: n, color: AutoLabelColor}
			r.labels = append(r.labels, l)
		}
		if !slices.Contains(out, l) {
			out = append(out, l)
		}
	}
	return out
}

// GET /repos/{owner}/{repo}/labels
func (c *call) listLabels() {
	if r, ok := c.repo(); ok {
		c.json(http.StatusOK, c.s.labelsJSON(r, pageOf(c, r.labels)))
	}
}

// findLabel looks up the {name} parameter, answering 404 when absent.
func (c *call) findLabel(r *repo) (*label, bool) {
	l := r.label(c.params["name"])
	if l == nil {
		c.notFound()
		return nil, false
	}
	return l, true
}

// GET /repos/{owner}/{repo}/labels/{name}
func (c *call) getLabel() {
	r, ok := c.repo()
	if !ok {
		return
	}
	if l, ok := c.findLabel(r); ok {
		c.json(http.StatusOK, c.s.labelJSON(r, l))
	}
}

// checkLabelFields validates a label's colour (normalising it) and
// description, answering 422 when they are unacceptable.
func (c *call) checkLabelFields(color *string, description *string) bool {
	if color != nil {
		*color = strings.TrimPrefix(*color, "#")
		if !hexColor.MatchString(*color) {
			c.unprocessable(fieldError{Resource: "Label", Field: "color", Code: "invalid"})
			return false
		}
		*color = strings.ToLower(*color)
	}
	if description != nil && utf8.RuneCountInString(*description) > maxLabelDescription {
		c.unprocessable(fieldError{Resource: "Label", Field: "description", Code: "custom", Message: "description is too long (maximum is 100 characters)"})
		return false
	}
	return true
}

// POST /repos/{owner}/{repo}/labels: 201, or 422 already_exists for a
// name in use (case-insensitively).
func (c *call) createLabel() {
	r, ok := c.repo()
	if !ok {
		return
	}
	var req struct {
		Name        *string `json:"name"`
		Color       *string `json:"color"`
		Description *string `json:"description"`
	}
	if !c.decode(&req) {
		return
	}
	if req.Name == nil || strings.TrimSpace(*req.Name) == "" {
		c.unprocessable(fieldError{Resource: "Label", Field: "name", Code: "missing_field"})
		return
	}
	name := strings.TrimSpace(*req.Name)
	if utf8.RuneCountInString(name) > maxLabelName {
		c.unprocessable(fieldError{Resource: "Label", Field: "name", Code: "custom", Message: "name is too long (maximum is 50 characters)"})
		return
	}
	if r.label(name) != nil {
		c.unprocessable(fieldError{Resource: "Label", Field: "name", Code: "already_exists"})
		return
	}
	if !c.checkLabelFields(req.Color, req.Description) {
		return
	}
	l := &label{id: c.s.newID(), name: name, color: AutoLabelColor}
	if req.Color != nil {
		l.color = *req.Color
	}
	if req.Description != nil {
		l.description = *req.Description
	}
	r.labels = append(r.labels, l)
	c.resp.header.Set("Location", c.s.apiURL("repos/%s/%s/labels/%s", r.owner, r.name, url.PathEscape(l.name)))
	c.json(http.StatusCreated, c.s.labelJSON(r, l))
}

// PATCH /repos/{owner}/{repo}/labels/{name}
func (c *call) editLabel() {
	r, ok := c.repo()
	if !ok {
		return
	}
	l, ok := c.findLabel(r)
	if !ok {
		return
	}
	var req struct {
		NewName     *string `json:"new_name"`
		Name        *string `json:"name"` // the older spelling, which go-github v62 sends
		Color       *string `json:"color"`
		Description *string `json:"description"`
	}
	if !c.decode(&req) || !c.checkLabelFields(req.Color, req.Description) {
		return
	}
	if req.NewName == nil {
		req.NewName = req.Name
	}
	if req.NewName != nil {
		name := strings.TrimSpace(*req.NewName)
		if name == "" {
			c.unprocessable(fieldError{Resource: "Label", Field: "name", Code: "missing_field"})
			return
		}
		if other := r.label(name); other != nil && other != l {
			c.unprocessable(fieldError{Resource: "Label", Field: "name", Code: "already_exists"})
			return
		}
		l.name = name
	}
	if req.Color != nil {
		l.color = *req.Color
	}
	if req.Description != nil {
		l.description = *req.Description
	}
	c.json(http.StatusOK, c.s.labelJSON(r, l))
}

// DELETE /repos/{owner}/{repo}/labels/{name}: the label also leaves every
// issue that had it. GitHub reports that with a label.deleted webhook, an
// event the App does not subscribe to, and no issues.unlabeled.
func (c *call) deleteLabel() {
	r, ok := c.repo()
	if !ok {
		return
	}
	l, ok := c.findLabel(r)
	if !ok {
		return
	}
	r.labels = slices.DeleteFunc(r.labels, func(x *label) bool { return x == l })
	for _, is := range r.issues {
		is.labels = slices.DeleteFunc(is.labels, func(x *label) bool { return x == l })
	}
	c.noContent()
}

// GET /repos/{owner}/{repo}/issues/{issue_number}/labels
func (c *call) listIssueLabels() {
	r, is, ok := c.issue()
	if ok {
		c.json(http.StatusOK, c.s.labelsJSON(r, pageOf(c, is.labels)))
	}
}

// labelBody parses an issue-labels body, answering 422 when malformed.
func (c *call) labelBody() ([]string, bool) {
	if !json.Valid(c.body) && len(bytes.TrimSpace(c.body)) > 0 {
		c.error(http.StatusBadRequest, "Problems parsing JSON")
		return nil, false
	}
	names, err := parseLabelNames(c.body)
	if err != nil {
		c.invalidRequest(err.Error())
		return nil, false
	}
	return names, true
}

// POST /repos/{owner}/{repo}/issues/{issue_number}/labels: adds labels
// (creating unknown ones) and returns the issue's full set.
func (c *call) addIssueLabels() {
	r, is, ok := c.issue()
	if !ok {
		return
	}
	names, ok := c.labelBody()
	if !ok {
		return
	}
	before := slices.Clone(is.labels)
	for _, l := range c.s.resolveLabels(r, names) {
		if !slices.Contains(is.labels, l) {
			is.labels = append(is.labels, l)
		}
	}
	is.updatedAt = c.s.now()
	c.json(http.StatusOK, c.s.labelsJSON(r, is.labels))
	c.s.emitLabels(r, is, c.actor(), before)
}

// PUT /repos/{owner}/{repo}/issues/{issue_number}/labels: replaces the set;
// [] clears it.
func (c *call) setIssueLabels() {
	r, is, ok := c.issue()
	if !ok {
		return
	}
	names, ok := c.labelBody()
	if !ok {
		return
	}
	before := is.labels
	is.labels = c.s.resolveLabels(r, names)
	is.updatedAt = c.s.now()
	c.json(http.StatusOK, c.s.labelsJSON(r, is.labels))
	c.s.emitLabels(r, is, c.actor(), before)
}

// DELETE /repos/{owner}/{repo}/issues/{issue_number}/labels
func (c *call) clearIssueLabels() {
	r, is, ok := c.issue()
	if !ok {
		return
	}
	before := is.labels
	is.labels = nil
	is.updatedAt = c.s.now()
	c.noContent()
	c.s.emitLabels(r, is, c.actor(), before)
}

// DELETE /repos/{owner}/{repo}/issues/{issue_number}/labels/{name}: 200 with
// the remaining labels, or 404 when the issue does not have the label.
func (c *call) removeIssueLabel() {
	r, is, ok := c.issue()
	if !ok {
		return
	}
	name := c.params["name"]
	if !is.hasLabel(name) {
		c.error(http.StatusNotFound, "Label does not exist")
		return
	}
	before := slices.Clone(is.labels)
	is.labels = slices.DeleteFunc(is.labels, func(l *label) bool { return strings.EqualFold(l.name, name) })
	is.updatedAt = c.s.now()
	c.json(http.StatusOK, c.s.labelsJSON(r, is.labels))
	c.s.emitLabels(r, is, c.actor(), before)
}
