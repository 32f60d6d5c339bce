package githubtest

import (
	"encoding/base64"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// This file renders the fake's state as GitHub's JSON objects. Maps rather
// than structs, because the objects have many required keys that the app
// never reads and the OpenAPI description still insists on; the response
// validation keeps them honest.

// htmlBase is where html_url links point. Nothing serves them; they only
// have to look like GitHub's.
const htmlBase = "https://github.com/"

func timestamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func nullableTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return timestamp(t)
}

func nullableString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// userType guesses an account's type: the App's bot, an installation's
// account or an organisation with teams (organisations, for the fake), or a
// user.
func (s *Server) userType(login string) string {
	if strings.EqualFold(login, s.BotLogin()) {
		return "Bot"
	}
	if s.orgs[strings.ToLower(login)] {
		return "Organization"
	}
	for _, in := range s.installations {
		if strings.EqualFold(in.account, login) {
			return "Organization"
		}
	}
	return "User"
}

// user renders a simple-user.
func (s *Server) user(login string) map[string]any {
	id := s.userID(login)
	api := s.apiURL("users/%s", url.PathEscape(login))
	html := htmlBase + login
	if s.userType(login) == "Bot" {
		html = htmlBase + "apps/" + s.appSlug
	}
	return map[string]any{
		"login":               login,
		"id":                  id,
		"node_id":             fmt.Sprintf("U_%d", id),
		"avatar_url":          fmt.Sprintf("https://avatars.githubusercontent.com/u/%d?v=4", id),
		"gravatar_id":         "",
		"url":                 api,
		"html_url":            html,
		"followers_url":       api + "/followers",
		"following_url":       api + "/following{/other_user}",
		"gists_url":           api + "/gists{/gist_id}",
		"starred_url":         api + "/starred{/owner}{/repo}",
		"subscriptions_url":   api + "/subscriptions",
		"organizations_url":   api + "/orgs",
		"repos_url":           api + "/repos",
		"events_url":          api + "/events{/privacy}",
		"received_events_url": api + "/received_events",
		"type":                s.userType(login),
		"site_admin":          false,
		"user_view_type":      "public",
	}
}

func (s *Server) nullableUser(login string) any {
	if login == "" {
		return nil
	}
	return s.user(login)
}

// repository renders a repository (installation lists) or, with full set,
// a full-repository (GET /repos/{owner}/{repo}).
func (s *Server) repository(r *repo, full bool) map[string]any {
	api := s.apiURL("repos/%s/%s", r.owner, r.name)
	html := htmlBase + r.fullName()
	created := timestamp(r.createdAt)
	openIssues := 0
	for _, is := range r.issues {
		if is.state == "open" {
			openIssues++
		}
	}
	visibility := "public"
	if r.private {
		visibility = "private"
	}
	m := map[string]any{
		"id":                r.id,
		"node_id":           fmt.Sprintf("R_%d", r.id),
		"name":              r.name,
		"full_name":         r.fullName(),
		"owner":             s.user(r.owner),
		"private":           r.private,
		"visibility":        visibility,
		"html_url":          html,
		"description":       nil,
		"fork":              false,
		"url":               api,
		"archive_url":       api + "/{archive_format}{/ref}",
		"assignees_url":     api + "/assignees{/user}",
		"blobs_url":         api + "/git/blobs{/sha}",
		"branches_url":      api + "/branches{/branch}",
		"collaborators_url": api + "/collaborators{/collaborator}",
		"comments_url":      api + "/comments{/number}",
		"commits_url":       api + "/commits{/sha}",
		"compare_url":       api + "/compare/{base}...{head}",
		"contents_url":      api + "/contents/{+path}",
		"contributors_url":  api + "/contributors",
		"deployments_url":   api + "/deployments",
		"downloads_url":     api + "/downloads",
		"events_url":        api + "/events",
		"forks_url":         api + "/forks",
		"git_commits_url":   api + "/git/commits{/sha}",
		"git_refs_url":      api + "/git/refs{/sha}",
		"git_tags_url":      api + "/git/tags{/sha}",
		"git_url":           "git://github.com/" + r.fullName() + ".git",
		"issue_comment_url": api + "/issues/comments{/number}",
		"issue_events_url":  api + "/issues/events{/number}",
		"issues_url":        api + "/issues{/number}",
		"keys_url":          api + "/keys{/key_id}",
		"labels_url":        api + "/labels{/name}",
		"languages_url":     api + "/languages",
		"merges_url":        api + "/merges",
		"milestones_url":    api + "/milestones{/number}",
		"notifications_url": api + "/notifications{?since,all,participating}",
		"pulls_url":         api + "/pulls{/number}",
		"releases_url":      api + "/releases{/id}",
		"ssh_url":           "git@github.com:" + r.fullName() + ".git",
		"stargazers_url":    api + "/stargazers",
		"statuses_url":      api + "/statuses/{sha}",
		"subscribers_url":   api + "/subscribers",
		"subscription_url":  api + "/subscription",
		"tags_url":          api + "/tags",
		"teams_url":         api + "/teams",
		"trees_url":         api + "/git/trees{/sha}",
		"clone_url":         html + ".git",
		"mirror_url":        nil,
		"hooks_url":         api + "/hooks",
		"svn_url":           html,
		"homepage":          nil,
		"language":          nil,
		"license":           nil,
		"forks":             0,
		"forks_count":       0,
		"stargazers_count":  0,
		"watchers_count":    0,
		"watchers":          0,
		"size":              0,
		"default_branch":    r.defaultBranch,
		"open_issues":       openIssues,
		"open_issues_count": openIssues,
		"is_template":       false,
		"topics":            []string{},
		"has_issues":        true,
		"has_projects":      true,
		"has_wiki":          true,
		"has_pages":         false,
		"has_downloads":     true,
		"has_discussions":   false,
		"archived":          false,
		"disabled":          false,
		"pushed_at":         created,
		"created_at":        created,
		"updated_at":        created,
		"permissions": map[string]any{
			"admin": false, "maintain": false, "push": true, "triage": true, "pull": true,
		},
		"allow_forking":               true,
		"web_commit_signoff_required": false,
	}
	if full {
		m["subscribers_count"] = 0
		m["network_count"] = 0
	}
	return m
}

// labelJSON renders a label.
func (s *Server) labelJSON(r *repo, l *label) map[string]any {
	return map[string]any{
		"id":          l.id,
		"node_id":     fmt.Sprintf("LA_%d", l.id),
		"url":         s.apiURL("repos/%s/%s/labels/%s", r.owner, r.name, url.PathEscape(l.name)),
		"name":        l.name,
		"color":       l.color,
		"description": nullableString(l.description),
		"default":     false,
	}
}

func (s *Server) labelsJSON(r *repo, ls []*label) []map[string]any {
	out := make([]map[string]any, 0, len(ls))
	for _, l := range ls {
		out = append(out, s.labelJSON(r, l))
	}
	return out
}

// assigneesJSON renders an issue's or pull request's assignees, and its
// assignee: the first of them, or null.
func (s *Server) assigneesJSON(is *issue) (assignee any, assignees []map[string]any) {
	assignees = make([]map[string]any, 0, len(is.assignees))
	for _, a := range is.assignees {
		assignees = append(assignees, s.user(a))
	}
	if len(assignees) > 0 {
		assignee = assignees[0]
	}
	return assignee, assignees
}

// issueJSON renders an issue; pull requests carry the pull_request key, as
// in GitHub's issue lists.
func (s *Server) issueJSON(r *repo, is *issue) map[string]any {
	api := s.apiURL("repos/%s/%s/issues/%d", r.owner, r.name, is.number)
	html := fmt.Sprintf("%s%s/issues/%d", htmlBase, r.fullName(), is.number)
	assignee, assignees := s.assigneesJSON(is)
	m := map[string]any{
		"id":                 is.id,
		"node_id":            fmt.Sprintf("I_%d", is.id),
		"url":                api,
		"repository_url":     s.apiURL("repos/%s/%s", r.owner, r.name),
		"labels_url":         api + "/labels{/name}",
		"comments_url":       api + "/comments",
		"events_url":         api + "/events",
		"timeline_url":       api + "/timeline",
		"html_url":           html,
		"number":             is.number,
		"state":              is.state,
		"state_reason":       nullableString(is.stateReason),
		"title":              is.title,
		"body":               nullableString(is.body),
		"user":               s.user(is.user),
		"labels":             s.labelsJSON(r, is.labels),
		"assignee":           assignee,
		"assignees":          assignees,
		"milestone":          nil,
		"locked":             false,
		"active_lock_reason": nil,
		"comments":           len(is.comments),
		"closed_at":          nullableTime(is.closedAt),
		"closed_by":          s.nullableUser(is.closedBy),
		"created_at":         timestamp(is.createdAt),
		"updated_at":         timestamp(is.updatedAt),
		"author_association": s.association(r, is.user),
		"reactions":          s.reactions(api, nil),
		// Set only when an App acts for a user with a user-to-server
		// token; the fake's App acts as itself.
		"performed_via_github_app": nil,
	}
	if is.pullRequest {
		pr := s.apiURL("repos/%s/%s/pulls/%d", r.owner, r.name, is.number)
		phtml := fmt.Sprintf("%s%s/pull/%d", htmlBase, r.fullName(), is.number)
		draft, mergedAt := false, any(nil)
		if is.pull != nil {
			draft, mergedAt = is.pull.draft, nullableTime(is.pull.mergedAt)
		}
		m["html_url"] = phtml
		m["draft"] = draft
		m["pull_request"] = map[string]any{
			"url": pr, "html_url": phtml, "diff_url": phtml + ".diff", "patch_url": phtml + ".patch", "merged_at": mergedAt,
		}
	}
	return m
}

// association is the author_association GitHub reports for login in r.
func (s *Server) association(r *repo, login string) string {
	if strings.EqualFold(login, r.owner) {
		return "OWNER"
	}
	if _, ok := r.collaborators[strings.ToLower(login)]; ok {
		return "COLLABORATOR"
	}
	return "NONE"
}

// reactions renders the reaction rollup of an issue or comment.
func (s *Server) reactions(api string, rs []*reaction) map[string]any {
	m := map[string]any{"url": api + "/reactions", "total_count": len(rs)}
	for _, c := range reactionContents {
		m[c] = 0
	}
	for _, rc := range rs {
		m[rc.content] = m[rc.content].(int) + 1
	}
	return m
}

// commentJSON renders an issue comment.
func (s *Server) commentJSON(r *repo, is *issue, cm *comment) map[string]any {
	api := s.apiURL("repos/%s/%s/issues/comments/%d", r.owner, r.name, cm.id)
	return map[string]any{
		"id":                       cm.id,
		"node_id":                  fmt.Sprintf("IC_%d", cm.id),
		"url":                      api,
		"html_url":                 fmt.Sprintf("%s%s/issues/%d#issuecomment-%d", htmlBase, r.fullName(), is.number, cm.id),
		"issue_url":                s.apiURL("repos/%s/%s/issues/%d", r.owner, r.name, is.number),
		"body":                     cm.body,
		"user":                     s.user(cm.user),
		"created_at":               timestamp(cm.createdAt),
		"updated_at":               timestamp(cm.updatedAt),
		"author_association":       s.association(r, cm.user),
		"reactions":                s.reactions(api, cm.reactions),
		"performed_via_github_app": nil,
	}
}

// reactionJSON renders a reaction.
func (s *Server) reactionJSON(rc *reaction) map[string]any {
	return map[string]any{
		"id":         rc.id,
		"node_id":    fmt.Sprintf("REA_%d", rc.id),
		"user":       s.user(rc.user),
		"content":    rc.content,
		"created_at": timestamp(rc.createdAt),
	}
}

// webhookRepository renders a repository as webhook payloads carry it: the
// repository object without the caller's permissions (a webhook has no
// caller) and with the custom properties GitHub adds.
func (s *Server) webhookRepository(r *repo) map[string]any {
	m := s.repository(r, false)
	delete(m, "permissions")
	m["custom_properties"] = map[string]any{}
	return m
}

// organizationJSON renders an organisation as webhook payloads carry it.
func (s *Server) organizationJSON(login string) map[string]any {
	id := s.userID(login)
	api := s.apiURL("orgs/%s", url.PathEscape(login))
	return map[string]any{
		"login":              login,
		"id":                 id,
		"node_id":            fmt.Sprintf("O_%d", id),
		"url":                api,
		"repos_url":          api + "/repos",
		"events_url":         api + "/events",
		"hooks_url":          api + "/hooks",
		"issues_url":         api + "/issues",
		"members_url":        api + "/members{/member}",
		"public_members_url": api + "/public_members{/member}",
		"avatar_url":         fmt.Sprintf("https://avatars.githubusercontent.com/u/%d?v=4", id),
		"description":        "",
	}
}

// installationNodeID is GitHub's legacy global id of an installation:
// base64 of "023:IntegrationInstallation<id>", as in real payloads.
func installationNodeID(id int64) string {
	return base64.StdEncoding.EncodeToString(fmt.Appendf(nil, "023:IntegrationInstallation%d", id))
}

// appPermissions is what the App asks for in liaisonbot's manifest
// (app.yml); the fake does not enforce them.
func appPermissions() map[string]string {
	return map[string]string{
		"checks": "write", "contents": "write", "issues": "write", "members": "read",
		"metadata": "read", "pull_requests": "write",
	}
}

var appEvents = []string{"issues", "issue_comment", "pull_request", "pull_request_review", "installation", "installation_repositories"}

// installationJSON renders an installation.
func (s *Server) installationJSON(in *installation) map[string]any {
	var suspendedBy any
	if !in.suspendedAt.IsZero() {
		suspendedBy = s.user(in.account)
	}
	return map[string]any{
		"id":                   in.id,
		"account":              s.user(in.account),
		"repository_selection": "selected",
		"access_tokens_url":    s.apiURL("app/installations/%d/access_tokens", in.id),
		"repositories_url":     s.apiURL("installation/repositories"),
		"html_url":             fmt.Sprintf("%sorganizations/%s/settings/installations/%d", htmlBase, in.account, in.id),
		"app_id":               s.appID,
		"app_slug":             s.appSlug,
		"client_id":            s.clientID(),
		"target_id":            s.userID(in.account),
		"target_type":          s.userType(in.account),
		"permissions":          appPermissions(),
		"events":               appEvents,
		"created_at":           timestamp(in.createdAt),
		"updated_at":           timestamp(in.createdAt),
		"single_file_name":     nil,
		"suspended_by":         suspendedBy,
		"suspended_at":         nullableTime(in.suspendedAt),
	}
}

func (s *Server) clientID() string { return fmt.Sprintf("Iv1.%016x", s.appID) }

// contentBase64 encodes a file the way GitHub does: base64 wrapped at 60
// characters with a newline after each line.
func contentBase64(content []byte) string {
	enc := base64.StdEncoding.EncodeToString(content)
	var b strings.Builder
	for len(enc) > 60 {
		b.WriteString(enc[:60])
		b.WriteByte('\n')
		enc = enc[60:]
	}
	b.WriteString(enc)
	if enc != "" {
		b.WriteByte('\n')
	}
	return b.String()
}
