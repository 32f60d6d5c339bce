package config

import (
	"fmt"
	"net/url"
	"path"
	"regexp"
	"strings"

	"github.com/liaisonbot/liaisonbot/internal/liaison"
)

// reRepoName is a repository name: letters, digits, '.', '-' and '_',
// at most 100.
var reRepoName = regexp.MustCompile(`^[A-Za-z0-9._-]{1,100}$`)

// checkLogin explains why s cannot be a user's login, or returns "".
// A team ("org/team") is refused with its own message because GitHub cannot
// assign issues to teams, and one unassignable assignee makes GitHub refuse
// the whole issue.
func checkLogin(s string) string {
	switch {
	case s == "":
		return "empty login"
	case liaison.ValidTeam(s):
		return fmt.Sprintf("%q is a team; only users can be listed here (GitHub cannot assign issues to teams) — list its members instead, or mention the team through routes", s)
	case !liaison.ValidLogin(s):
		return fmt.Sprintf("%q is not a GitHub login (letters, digits and hyphens, at most 39)", s)
	}
	return ""
}

// checkMention explains why s is neither a login nor an "org/team", or
// returns "".
func checkMention(s string) string {
	if liaison.ValidLogin(s) || liaison.ValidTeam(s) {
		return ""
	}
	return fmt.Sprintf("%q is neither a GitHub login nor a team (org/team)", s)
}

// normalizeLogin drops the "@" people write before a login and spaces.
func normalizeLogin(s string) string {
	return strings.TrimPrefix(strings.TrimSpace(s), "@")
}

// checkRepo explains why s is not "owner/name", or returns "".
func checkRepo(s string) string {
	owner, name, ok := strings.Cut(s, "/")
	switch {
	case !ok || !liaison.ValidLogin(owner) || !reRepoName.MatchString(name) || name == "." || name == "..":
		return fmt.Sprintf("%q is not a repository: want owner/name, such as intarchboard/liaison-templates", s)
	}
	return ""
}

// checkGlob explains why pattern is not a valid path.Match pattern, or
// returns "".
func checkGlob(pattern string) string {
	if pattern == "" {
		return "empty pattern"
	}
	if _, err := path.Match(pattern, ""); err != nil {
		return fmt.Sprintf("bad pattern %q: %v (patterns use path.Match syntax: *, ?, [a-z])", pattern, err)
	}
	return ""
}

// checkURL explains why s is not an absolute http(s) URL, or returns "".
func checkURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Sprintf("%q is not an absolute http(s) URL", s)
	}
	return ""
}
