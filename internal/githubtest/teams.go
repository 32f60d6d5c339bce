package githubtest

import (
	"net/http"
	"net/url"
	"strings"
)

// AddTeam creates the team org/slug, or adds members to it, and makes org
// an organisation (its repositories' webhooks then carry "organization").
// Team slugs are lower-case on GitHub; slug is taken as given.
func (s *Server) AddTeam(org, slug string, members ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if org == "" || slug == "" || strings.Contains(slug, "/") {
		s.tb.Fatalf("githubtest: team %q of %q is not a valid organisation and slug", slug, org)
	}
	s.orgs[strings.ToLower(org)] = true
	key := strings.ToLower(org + "/" + slug)
	t, ok := s.teams[key]
	if !ok {
		t = &team{id: s.newID(), org: org, slug: slug}
		s.teams[key] = t
	}
	for _, m := range members {
		s.userID(m)
		if !t.has(m) {
			t.members = append(t.members, m)
		}
	}
}

// GET /orgs/{org}/teams/{team_slug}/memberships/{username}: 200 with an
// active membership, or 404 when the user is not a member, the team does
// not exist, or the installation is not on that organisation (GitHub shows
// a team only to those who can see it, and needs members: read for it).
func (c *call) getTeamMembership() {
	org, slug, login := c.params["org"], c.params["team_slug"], c.params["username"]
	t := c.s.teams[strings.ToLower(org+"/"+slug)]
	if t == nil || !strings.EqualFold(c.who.inst.account, org) || !t.has(login) {
		c.notFound()
		return
	}
	c.json(http.StatusOK, map[string]any{
		"url":   c.s.apiURL("organizations/%d/team/%d/memberships/%s", c.s.userID(t.org), t.id, url.PathEscape(login)),
		"role":  "member",
		"state": "active",
	})
}
