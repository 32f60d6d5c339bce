package githubtest

import (
	"net/http"
	"net/url"
	"strings"
)

// authKind says which credentials a route accepts.
type authKind int

const (
	// authApp routes need the App's JWT (Authorization: Bearer <jwt>).
	authApp authKind = iota
	// authInstallation routes need an installation token.
	authInstallation
	// authRepo routes take an installation token, or no credentials for
	// reading a public repository.
	authRepo
	// authAny routes take any credentials or none (GET /rate_limit).
	authAny
)

// route is one operation the fake serves. pattern is the path template
// exactly as GitHub's OpenAPI description spells it, so the operation can be
// looked up for validation and counted under GitHub's own name.
type route struct {
	method  string
	pattern string
	auth    authKind
	// contentCreating marks requests GitHub counts toward its secondary limit
	// on content creation. GitHub does not list which requests those are;
	// the fake counts the ones that create something new for people to
	// see: issues, comments, reactions, pull requests and commits of files.
	// Edits, labels, assignees, review requests, refs and check runs change
	// what exists or only annotate it and are only writes (5 points each
	// in the per-minute point budget, which the fake does not enforce).
	contentCreating bool
	handle          func(*call)

	segments []string
}

func (rt *route) key() string { return rt.method + " " + rt.pattern }

// routes is the fake's routing table. A parameter written "{path...}" is
// multi-segment (GitHub's x-multi-segment) and takes the rest of the path;
// any other parameter takes exactly one escaped segment, so a label name sent
// with a raw "/" (as go-github v62 does) does not match, like on GitHub.
var routes = buildRoutes([]route{
	{method: "GET", pattern: "/app", auth: authApp, handle: (*call).getApp},
	{method: "GET", pattern: "/app/installations", auth: authApp, handle: (*call).listInstallations},
	{method: "GET", pattern: "/app/installations/{installation_id}", auth: authApp, handle: (*call).getInstallation},
	{method: "POST", pattern: "/app/installations/{installation_id}/access_tokens", auth: authApp, handle: (*call).createInstallationToken},
	{method: "GET", pattern: "/repos/{owner}/{repo}/installation", auth: authApp, handle: (*call).getRepoInstallation},
	{method: "GET", pattern: "/installation/repositories", auth: authInstallation, handle: (*call).listInstallationRepos},
	{method: "GET", pattern: "/rate_limit", auth: authAny, handle: (*call).getRateLimit},
	{method: "GET", pattern: "/app/hook/deliveries", auth: authApp, handle: (*call).listHookDeliveries},
	{method: "GET", pattern: "/app/hook/deliveries/{delivery_id}", auth: authApp, handle: (*call).getHookDelivery},
	{method: "POST", pattern: "/app/hook/deliveries/{delivery_id}/attempts", auth: authApp, handle: (*call).redeliverHookDelivery},
	{method: "GET", pattern: "/orgs/{org}/teams/{team_slug}/memberships/{username}", auth: authInstallation, handle: (*call).getTeamMembership},

	{method: "GET", pattern: "/repos/{owner}/{repo}", auth: authRepo, handle: (*call).getRepo},
	{method: "GET", pattern: "/repos/{owner}/{repo}/contents/{path...}", auth: authRepo, handle: (*call).getContents},
	{method: "PUT", pattern: "/repos/{owner}/{repo}/contents/{path...}", auth: authRepo, contentCreating: true, handle: (*call).putContents},
	{method: "GET", pattern: "/repos/{owner}/{repo}/git/ref/{ref...}", auth: authRepo, handle: (*call).getRef},
	{method: "POST", pattern: "/repos/{owner}/{repo}/git/refs", auth: authRepo, handle: (*call).createRef},
	{method: "GET", pattern: "/repos/{owner}/{repo}/assignees/{assignee}", auth: authRepo, handle: (*call).checkAssignee},
	{method: "GET", pattern: "/repos/{owner}/{repo}/collaborators/{username}/permission", auth: authRepo, handle: (*call).getPermission},

	{method: "GET", pattern: "/repos/{owner}/{repo}/issues", auth: authRepo, handle: (*call).listIssues},
	{method: "POST", pattern: "/repos/{owner}/{repo}/issues", auth: authRepo, contentCreating: true, handle: (*call).createIssue},
	{method: "GET", pattern: "/repos/{owner}/{repo}/issues/{issue_number}", auth: authRepo, handle: (*call).getIssue},
	{method: "PATCH", pattern: "/repos/{owner}/{repo}/issues/{issue_number}", auth: authRepo, handle: (*call).editIssue},
	{method: "GET", pattern: "/repos/{owner}/{repo}/issues/{issue_number}/comments", auth: authRepo, handle: (*call).listComments},
	{method: "POST", pattern: "/repos/{owner}/{repo}/issues/{issue_number}/comments", auth: authRepo, contentCreating: true, handle: (*call).createComment},
	{method: "GET", pattern: "/repos/{owner}/{repo}/issues/comments/{comment_id}", auth: authRepo, handle: (*call).getComment},
	{method: "PATCH", pattern: "/repos/{owner}/{repo}/issues/comments/{comment_id}", auth: authRepo, handle: (*call).editComment},
	{method: "GET", pattern: "/repos/{owner}/{repo}/issues/comments/{comment_id}/reactions", auth: authRepo, handle: (*call).listCommentReactions},
	{method: "POST", pattern: "/repos/{owner}/{repo}/issues/comments/{comment_id}/reactions", auth: authRepo, contentCreating: true, handle: (*call).createCommentReaction},
	{method: "POST", pattern: "/repos/{owner}/{repo}/issues/{issue_number}/assignees", auth: authRepo, handle: (*call).addAssignees},
	{method: "DELETE", pattern: "/repos/{owner}/{repo}/issues/{issue_number}/assignees", auth: authRepo, handle: (*call).removeAssignees},

	{method: "GET", pattern: "/repos/{owner}/{repo}/pulls", auth: authRepo, handle: (*call).listPulls},
	{method: "POST", pattern: "/repos/{owner}/{repo}/pulls", auth: authRepo, contentCreating: true, handle: (*call).createPull},
	{method: "GET", pattern: "/repos/{owner}/{repo}/pulls/{pull_number}", auth: authRepo, handle: (*call).getPull},
	{method: "GET", pattern: "/repos/{owner}/{repo}/pulls/{pull_number}/files", auth: authRepo, handle: (*call).listPullFiles},
	{method: "POST", pattern: "/repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers", auth: authRepo, handle: (*call).requestReviewers},
	{method: "GET", pattern: "/repos/{owner}/{repo}/pulls/{pull_number}/reviews", auth: authRepo, handle: (*call).listReviews},
	{method: "POST", pattern: "/repos/{owner}/{repo}/check-runs", auth: authInstallation, handle: (*call).createCheckRun},
	{method: "PATCH", pattern: "/repos/{owner}/{repo}/check-runs/{check_run_id}", auth: authInstallation, handle: (*call).updateCheckRun},

	{method: "GET", pattern: "/repos/{owner}/{repo}/labels", auth: authRepo, handle: (*call).listLabels},
	{method: "POST", pattern: "/repos/{owner}/{repo}/labels", auth: authRepo, handle: (*call).createLabel},
	{method: "GET", pattern: "/repos/{owner}/{repo}/labels/{name}", auth: authRepo, handle: (*call).getLabel},
	{method: "PATCH", pattern: "/repos/{owner}/{repo}/labels/{name}", auth: authRepo, handle: (*call).editLabel},
	{method: "DELETE", pattern: "/repos/{owner}/{repo}/labels/{name}", auth: authRepo, handle: (*call).deleteLabel},
	{method: "GET", pattern: "/repos/{owner}/{repo}/issues/{issue_number}/labels", auth: authRepo, handle: (*call).listIssueLabels},
	{method: "POST", pattern: "/repos/{owner}/{repo}/issues/{issue_number}/labels", auth: authRepo, handle: (*call).addIssueLabels},
	{method: "PUT", pattern: "/repos/{owner}/{repo}/issues/{issue_number}/labels", auth: authRepo, handle: (*call).setIssueLabels},
	{method: "DELETE", pattern: "/repos/{owner}/{repo}/issues/{issue_number}/labels", auth: authRepo, handle: (*call).clearIssueLabels},
	{method: "DELETE", pattern: "/repos/{owner}/{repo}/issues/{issue_number}/labels/{name}", auth: authRepo, handle: (*call).removeIssueLabel},
})

func buildRoutes(rs []route) []*route {
	out := make([]*route, len(rs))
	for i := range rs {
		rt := rs[i]
		rt.pattern = strings.Replace(rt.pattern, "...}", "}", 1)
		rt.segments = strings.Split(strings.TrimPrefix(rs[i].pattern, "/"), "/")
		out[i] = &rt
	}
	return out
}

// match finds the route for a method and an escaped path and returns its
// unescaped parameters. Matching on the escaped path is what makes
// "purpose%2Faction" one segment and "purpose/action" two.
func match(method, escapedPath string) (*route, map[string]string) {
	parts := strings.Split(strings.TrimPrefix(escapedPath, "/"), "/")
	for _, rt := range routes {
		if rt.method != method && !(method == http.MethodHead && rt.method == http.MethodGet) {
			continue
		}
		if params, ok := matchSegments(rt.segments, parts); ok {
			return rt, params
		}
	}
	return nil, nil
}

func matchSegments(pattern, parts []string) (map[string]string, bool) {
	params := map[string]string{}
	for i, seg := range pattern {
		if strings.HasSuffix(seg, "...}") {
			rest := parts[min(i, len(parts)):]
			if len(rest) == 0 || rest[0] == "" {
				return nil, false
			}
			v, err := url.PathUnescape(strings.Join(rest, "/"))
			if err != nil {
				return nil, false
			}
			params[strings.TrimSuffix(seg[1:], "...}")] = v
			return params, true
		}
		if i >= len(parts) {
			return nil, false
		}
		if strings.HasPrefix(seg, "{") {
			if parts[i] == "" {
				return nil, false
			}
			name := seg[1 : len(seg)-1]
			v, err := url.PathUnescape(parts[i])
			if err != nil || (numericParams[name] && !isDigits(v)) {
				return nil, false
			}
			params[name] = v
			continue
		}
		if seg != parts[i] {
			return nil, false
		}
	}
	return params, len(parts) == len(pattern)
}

// numericParams are the parameters GitHub types as integers. Requiring digits
// keeps, say, GET /repos/o/r/issues/comments (an operation the fake does not
// serve) from being taken for issue number "comments".
var numericParams = map[string]bool{
	"issue_number": true, "comment_id": true, "installation_id": true, "delivery_id": true,
	"pull_number": true, "check_run_id": true,
}

func isDigits(s string) bool {
	if s == "" || len(s) > 18 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
