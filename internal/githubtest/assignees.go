package githubtest

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
)

// assigneesBody reads {"assignees": [...]}: logins, or (on add) objects with
// a login. Objects with "suggest": true are suggestions GitHub stores for
// review instead of assigning, so they are left out.
func (c *call) assigneesBody(required bool) ([]string, bool) {
	var req struct {
		Assignees []json.RawMessage `json:"assignees"`
	}
	if !c.decode(&req) {
		return nil, false
	}
	if required && req.Assignees == nil {
		c.unprocessable(fieldError{Resource: "Issue", Field: "assignees", Code: "missing_field"})
		return nil, false
	}
	var logins []string
	for _, raw := range req.Assignees {
		var login string
		if json.Unmarshal(raw, &login) == nil {
			logins = append(logins, login)
			continue
		}
		var obj struct {
			Login   *string `json:"login"`
			Suggest bool    `json:"suggest"`
		}
		if json.Unmarshal(raw, &obj) != nil || obj.Login == nil {
			c.invalidRequest("For 'items', " + string(raw) + " is not a login or an object with a login.")
			return nil, false
		}
		if !obj.Suggest {
			logins = append(logins, *obj.Login)
		}
	}
	return logins, true
}

// POST /repos/{owner}/{repo}/issues/{issue_number}/assignees: 201 with the
// issue. Unlike an issue create, which fails as a whole on one
// unassignable login, this adds those who can be assigned and silently
// ignores the rest. The description's note ("Only users with push access
// can add assignees … Assignees are silently ignored otherwise") concerns
// the caller; the App has issues: write, so its calls take effect.
func (c *call) addAssignees() {
	r, is, ok := c.issue()
	if !ok {
		return
	}
	logins, ok := c.assigneesBody(false)
	if !ok {
		return
	}
	before := slices.Clone(is.assignees)
	for _, login := range logins {
		if !r.assignable(login) {
			continue
		}
		canonical := r.collaborators[strings.ToLower(login)].login
		if !slices.ContainsFunc(is.assignees, func(a string) bool { return strings.EqualFold(a, canonical) }) {
			is.assignees = append(is.assignees, canonical)
		}
	}
	if len(is.assignees) != len(before) {
		is.updatedAt = c.s.now()
	}
	c.json(http.StatusCreated, c.s.issueJSON(r, is))
	c.s.emitAssignees(r, is, c.actor(), before)
}

// DELETE /repos/{owner}/{repo}/issues/{issue_number}/assignees: 200 with
// the issue; logins not assigned are ignored.
func (c *call) removeAssignees() {
	r, is, ok := c.issue()
	if !ok {
		return
	}
	logins, ok := c.assigneesBody(true)
	if !ok {
		return
	}
	before := slices.Clone(is.assignees)
	is.assignees = slices.DeleteFunc(is.assignees, func(a string) bool {
		return slices.ContainsFunc(logins, func(l string) bool { return strings.EqualFold(a, l) })
	})
	if len(is.assignees) != len(before) {
		is.updatedAt = c.s.now()
	}
	c.json(http.StatusOK, c.s.issueJSON(r, is))
	c.s.emitAssignees(r, is, c.actor(), before)
}
