package liaison

import (
	"regexp"
	"strings"
)

// The names people write in commands and in liaison.yml, checked by one
// set of rules so that what a config accepts a command accepts too.
var (
	// GitHub logins: letters, digits and hyphens, starting with a letter or
	// digit, at most 39 characters. Old accounts may have a doubled or a
	// trailing hyphen, so those are not refused.
	reLogin = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9-]{0,38}$`)
	// Team slugs, the part of "org/team" after the slash, as GitHub makes
	// them from team names.
	reTeamSlug = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}$`)
	// Datatracker group acronyms: "itu-t-sg-13", "6lo", "iesg".
	reAcronym = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,39}$`)
)

// ValidLogin reports whether s can be a GitHub user or organisation login.
func ValidLogin(s string) bool { return reLogin.MatchString(s) }

// ValidTeam reports whether s is a team written "org/team".
func ValidTeam(s string) bool {
	org, slug, ok := strings.Cut(s, "/")
	return ok && reLogin.MatchString(org) && reTeamSlug.MatchString(slug)
}

// ValidAcronym reports whether s, in lower case, can be a datatracker
// group acronym.
func ValidAcronym(s string) bool { return reAcronym.MatchString(s) }
