package config

import (
	"path"
	"slices"
	"strings"

	"github.com/liaisonbot/liaisonbot/internal/liaison"
)

// Wants reports whether the repository tracks st. Direction incoming wants
// statements from an outside body (st.Incoming); both also wants those the
// IETF sends out (st.Outgoing). From and To patterns must match one of the
// sending and one of the receiving groups respectively; note that the
// sender of an outgoing statement is an IETF group, so From patterns on
// outside bodies exclude outgoing statements. A statement posted before
// since is not wanted; a statement without a date is. The caller decides
// since: c.Since, else the day the repository was first seen, or an
// earlier date for a backfill. A nil c wants what DefaultRepoConfig wants.
func (c *RepoConfig) Wants(st *liaison.Statement, since liaison.Date) bool {
	if st == nil {
		return false
	}
	if c == nil {
		c = DefaultRepoConfig()
	}
	switch c.Direction {
	case DirectionBoth:
		if !st.Incoming() && !st.Outgoing() {
			return false
		}
	default:
		if !st.Incoming() {
			return false
		}
	}
	if len(c.From) > 0 && !matchGroups(c.From, st.FromGroups) {
		return false
	}
	if len(c.To) > 0 && !matchGroups(c.To, st.ToGroups) {
		return false
	}
	if day := st.Day(); !since.IsZero() && !day.IsZero() && day.Before(since) {
		return false
	}
	return true
}

// AssigneesFor is who to assign st's issue to: the users of the first
// assignee rule matching one of st's sending groups, else the default
// users; nil when there are none. The slice is the caller's to keep.
func (c *RepoConfig) AssigneesFor(st *liaison.Statement) []string {
	if c == nil || st == nil {
		return nil
	}
	for _, r := range c.Assignees.Rules {
		if len(r.From) > 0 && matchGroups(r.From, st.FromGroups) {
			return slices.Clone(r.Users)
		}
	}
	return slices.Clone(c.Assignees.Default)
}

// FamilyFor is st's addressee family: the family of the first addressee
// rule that matches st, else what st's receiving groups say (st.Family).
// The datatracker cannot address a statement to the IRTF today, so these
// rules are how a repository sends, say, quantum work to the IRTF
// templates.
func (c *RepoConfig) FamilyFor(st *liaison.Statement) liaison.Family {
	if st == nil {
		return liaison.FamilyIETF
	}
	if c != nil {
		for _, r := range c.Addressee {
			if r.matches(st) {
				if f, ok := liaison.ParseFamily(string(r.Family)); ok {
					return f
				}
			}
		}
	}
	return st.Family()
}

// matches reports whether the rule applies to st: its From patterns (when
// any) match a sending group, and its keywords (when any) occur in the
// title. A rule with neither matches nothing.
func (r FamilyRule) matches(st *liaison.Statement) bool {
	if len(r.From) == 0 && len(r.Keywords) == 0 {
		return false
	}
	if len(r.From) > 0 && !matchGroups(r.From, st.FromGroups) {
		return false
	}
	if len(r.Keywords) > 0 {
		title := strings.ToLower(st.Title)
		if !slices.ContainsFunc(r.Keywords, func(k string) bool {
			k = strings.ToLower(strings.TrimSpace(k))
			return k != "" && strings.Contains(title, k)
		}) {
			return false
		}
	}
	return true
}

// matchGroups reports whether one of the patterns matches one group's
// acronym, ignoring case. A bad pattern matches nothing (Validate refuses
// them).
func matchGroups(patterns []string, groups []liaison.Group) bool {
	for _, g := range groups {
		acronym := strings.ToLower(strings.TrimSpace(g.Acronym))
		if acronym == "" {
			continue
		}
		for _, p := range patterns {
			if ok, _ := path.Match(strings.ToLower(p), acronym); ok {
				return true
			}
		}
	}
	return false
}
