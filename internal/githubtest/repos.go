package githubtest

import (
	"net/http"
	"strings"
)

// GET /repos/{owner}/{repo}
func (c *call) getRepo() {
	if r, ok := c.repo(); ok {
		c.json(http.StatusOK, c.s.repository(r, true))
	}
}

// GET /repos/{owner}/{repo}/assignees/{assignee}: 204 when the user may be
// assigned issues, 404 otherwise.
func (c *call) checkAssignee() {
	r, ok := c.repo()
	if !ok {
		return
	}
	if r.assignable(c.params["assignee"]) {
		c.noContent()
		return
	}
	c.notFound()
}

// legacyPermission maps a role to the "permission" GitHub reports next to
// it. GitHub's quirk, which the app must not trip over: triage shows as
// "read" and maintain as "write"; only role_name is exact.
var legacyPermission = map[string]string{
	RoleRead: "read", RoleTriage: "read", RoleWrite: "write", RoleMaintain: "write", RoleAdmin: "admin",
}

// GET /repos/{owner}/{repo}/collaborators/{username}/permission. A user who
// is not a collaborator has "read" on a public repository and "none" on a
// private one.
func (c *call) getPermission() {
	r, ok := c.repo()
	if !ok {
		return
	}
	login := c.params["username"]
	role, permission := "none", "none"
	if col, ok := r.collaborators[strings.ToLower(login)]; ok {
		login, role, permission = col.login, col.role, legacyPermission[col.role]
	} else if !r.private {
		role, permission = RoleRead, "read"
	}
	rank := roleRank[role]
	user := c.s.user(login)
	user["role_name"] = role
	user["permissions"] = map[string]bool{
		"pull":     rank >= roleRank[RoleRead],
		"triage":   rank >= roleRank[RoleTriage],
		"push":     rank >= roleRank[RoleWrite],
		"maintain": rank >= roleRank[RoleMaintain],
		"admin":    rank >= roleRank[RoleAdmin],
	}
	c.json(http.StatusOK, map[string]any{"permission": permission, "role_name": role, "user": user})
}
