package config

import (
	"fmt"
	"maps"
	"net/mail"
	"slices"
	"strings"
	"time"

	"github.com/liaisonbot/liaisonbot/internal/liaison"
)

// RepoConfigPath is where a tracking repository keeps its config, on its
// default branch. The org's `.github` repository holds defaults at
// OrgRepoConfigPath.
const (
	RepoConfigPath    = ".github/liaison.yml"
	OrgRepoConfigRepo = ".github"
	OrgRepoConfigPath = "liaison.yml"
)

// MaxRepoConfigSize bounds a repository config; anything larger is not a
// hand-written liaison.yml.
const MaxRepoConfigSize = 256 << 10

// DefaultAckWithin is how long after intake an unacknowledged statement is
// flagged (ack/overdue) and its assignees reminded.
const DefaultAckWithin = Duration(3 * 24 * time.Hour)

// MaxAssignees is GitHub's limit of assignees on one issue.
const MaxAssignees = 10

// Direction says which statements a repository tracks.
type Direction string

// Directions.
const (
	// DirectionIncoming tracks statements sent to the IETF, IAB or IRTF by
	// an outside body (the default).
	DirectionIncoming Direction = "incoming"
	// DirectionBoth also tracks statements the IETF sends out.
	DirectionBoth Direction = "both"
)

// AckMode says how acknowledgements go out.
type AckMode string

// Acknowledgement modes.
const (
	// AckManual: the issue shows the filled acknowledgement; a person sends
	// it (`/ack send`) or records having sent it (`/ack sent`). The default.
	AckManual AckMode = "manual"
	// AckAuto: liaisonbot mails the acknowledgement as soon as the issue is
	// created.
	AckAuto AckMode = "auto"
)

// RepoConfig is a tracking repository's `.github/liaison.yml`: which
// liaison statements it wants and who handles them. The zero value (and
// DefaultRepoConfig) wants every incoming statement.
type RepoConfig struct {
	// Direction is incoming (default) or both.
	Direction Direction `yaml:"direction"`
	// From holds path.Match patterns on the sending groups' acronyms
	// ("itu-t*"); a statement is wanted when one of its sending groups
	// matches one pattern. Empty means any sender.
	From []string `yaml:"from"`
	// To holds patterns on the receiving groups' acronyms; empty means any.
	To []string `yaml:"to"`
	// Since is the earliest posting date tracked; empty means the day the
	// repository was first seen (the caller supplies it to Wants).
	Since Date `yaml:"since"`
	// Assignees says who is assigned each new issue.
	Assignees Assignees `yaml:"assignees"`
	// Signoff is the closing of acknowledgements and responses: it fills
	// the templates' {Thanks}. It may span lines.
	Signoff string `yaml:"signoff"`
	// Addressee holds rules that decide a statement's addressee family
	// before the datatracker's to-groups do; the first matching rule wins.
	Addressee []FamilyRule `yaml:"addressee"`
	// Managers may run state-changing commands besides people with triage
	// or write permission on the repository.
	Managers []string `yaml:"managers"`
	// Routes maps a group acronym (as `/route` names it) to the users and
	// teams ("org/team") to mention when a statement is routed there.
	Routes map[string][]string `yaml:"routes"`
	// Ack says how acknowledgements go out.
	Ack AckConfig `yaml:"ack"`
	// Responses says who reviews response pull requests.
	Responses ResponsesConfig `yaml:"responses"`

	// routeClashes are routes keys that name a group another key names
	// in another case; Validate reports them.
	routeClashes []string

	// set holds the keys written in the file this config came from, so
	// MergeRepo can tell "written as empty" from "not written". Nil for a
	// config built in Go, whose non-zero fields count as written.
	set map[string]bool
}

// Assignees says who is assigned a new issue: the users of the first rule
// whose patterns match a sending group, else Default.
type Assignees struct {
	Default []string       `yaml:"default"`
	Rules   []AssigneeRule `yaml:"rules"`
}

// AssigneeRule assigns Users to statements from the groups From matches.
type AssigneeRule struct {
	From  []string `yaml:"from"`
	Users []string `yaml:"users"`
}

// FamilyRule sets the addressee family of statements it matches. With
// both From and Keywords, a statement must match both.
type FamilyRule struct {
	Family liaison.Family `yaml:"family"`
	// From holds patterns on sending group acronyms.
	From []string `yaml:"from"`
	// Keywords are matched case-insensitively as substrings of the title.
	Keywords []string `yaml:"keywords"`
}

// AckConfig says how acknowledgements go out and when their absence is
// flagged.
type AckConfig struct {
	// Send is manual (default) or auto.
	Send AckMode `yaml:"send"`
	// Within is how long before an unacknowledged statement is flagged;
	// default 3d.
	Within Duration `yaml:"within"`
	// From is the mailbox acknowledgements come from ("Name <addr>");
	// empty means the server's mail sender.
	From string `yaml:"from"`
	// ReplyTo is where replies go; empty means From.
	ReplyTo string `yaml:"reply_to"`
}

// ResponsesConfig says how response pull requests are reviewed.
type ResponsesConfig struct {
	// Reviewers are requested on every response pull request: users, or
	// teams as "org/team".
	Reviewers []string `yaml:"reviewers"`
	// RequiredApprovals is how many approving reviews, with no change
	// still requested, make a response agreed; default 1.
	RequiredApprovals int `yaml:"required_approvals"`
}

// DefaultRequiredApprovals is responses.required_approvals when unwritten.
const DefaultRequiredApprovals = 1

// MaxReviewers is how many reviewers GitHub lets one request name.
const MaxReviewers = 15

// DefaultRepoConfig is the config of a repository that says nothing: every
// incoming statement, acknowledged by hand. `sync --dry-run` uses it
// without --repo-config.
func DefaultRepoConfig() *RepoConfig {
	c := &RepoConfig{set: map[string]bool{}}
	c.fillDefaults()
	return c
}

// ParseRepo decodes a repository config named name (for messages) from
// data, strictly, fills defaults and validates. Every problem is reported,
// each with the file, line and key.
func ParseRepo(name string, data []byte) (*RepoConfig, error) {
	if len(data) > MaxRepoConfigSize {
		return nil, &FieldError{File: name, Msg: fmt.Sprintf("is %d bytes; a repository config may be at most %d", len(data), MaxRepoConfigSize)}
	}
	c := &RepoConfig{}
	doc, found := decodeStrict(name, data, c)
	c.set = map[string]bool{}
	for _, f := range repoFields {
		if doc.has(f.key) {
			c.set[f.key] = true
		}
	}
	c.normalize()
	c.fillDefaults()
	found = append(found, withoutKeys(fieldErrors(c.Validate()), found)...)
	if len(found) > 0 {
		return nil, doc.locate(found, nil).err()
	}
	return c, nil
}

// normalize tidies spellings that do not matter: case of patterns,
// directions and families, and the "@" before logins.
func (c *RepoConfig) normalize() {
	c.Direction = Direction(strings.ToLower(strings.TrimSpace(string(c.Direction))))
	lowerAll(c.From)
	lowerAll(c.To)
	loginsAll(c.Assignees.Default)
	for i := range c.Assignees.Rules {
		lowerAll(c.Assignees.Rules[i].From)
		loginsAll(c.Assignees.Rules[i].Users)
	}
	for i := range c.Addressee {
		r := &c.Addressee[i]
		r.Family = liaison.Family(strings.ToLower(strings.TrimSpace(string(r.Family))))
		lowerAll(r.From)
		for j, k := range r.Keywords {
			r.Keywords[j] = strings.TrimSpace(k)
		}
	}
	loginsAll(c.Managers)
	if len(c.Routes) > 0 {
		routes := make(map[string][]string, len(c.Routes))
		for _, group := range slices.Sorted(maps.Keys(c.Routes)) {
			who := c.Routes[group]
			loginsAll(who)
			key := strings.ToLower(strings.TrimSpace(group))
			if _, dup := routes[key]; dup {
				// Acronyms ignore case: two spellings of one group would
				// silently lose one list.
				c.routeClashes = append(c.routeClashes, group)
				continue
			}
			routes[key] = who
		}
		c.Routes = routes
	}
	c.Ack.Send = AckMode(strings.ToLower(strings.TrimSpace(string(c.Ack.Send))))
	c.Ack.From = strings.TrimSpace(c.Ack.From)
	c.Ack.ReplyTo = strings.TrimSpace(c.Ack.ReplyTo)
	loginsAll(c.Responses.Reviewers)
}

func lowerAll(list []string) {
	for i, s := range list {
		list[i] = strings.ToLower(strings.TrimSpace(s))
	}
}

func loginsAll(list []string) {
	for i, s := range list {
		list[i] = normalizeLogin(s)
	}
}

// fillDefaults sets what an unwritten key means, without marking it set.
func (c *RepoConfig) fillDefaults() {
	if c.Direction == "" {
		c.Direction = DirectionIncoming
	}
	if c.Ack.Send == "" {
		c.Ack.Send = AckManual
	}
	if c.Ack.Within == 0 {
		c.Ack.Within = DefaultAckWithin
	}
	if c.Responses.RequiredApprovals == 0 {
		c.Responses.RequiredApprovals = DefaultRequiredApprovals
	}
}

// Validate reports every problem with c, each a *FieldError naming its key,
// joined with errors.Join; nil when c is usable.
func (c *RepoConfig) Validate() error {
	var ps problems
	switch c.Direction {
	case DirectionIncoming, DirectionBoth, "":
	default:
		ps.add("direction", "%q is not a direction: want incoming or both", c.Direction)
	}
	checkGlobs(&ps, "from", c.From)
	checkGlobs(&ps, "to", c.To)

	checkLogins(&ps, "assignees.default", c.Assignees.Default)
	for i, r := range c.Assignees.Rules {
		key := fmt.Sprintf("assignees.rules[%d]", i)
		if len(r.From) == 0 {
			ps.add(key+".from", "missing: a rule needs sending-group patterns (use assignees.default for everyone else)")
		}
		checkGlobs(&ps, key+".from", r.From)
		if len(r.Users) == 0 {
			ps.add(key+".users", "missing: a rule needs at least one user")
		}
		checkLogins(&ps, key+".users", r.Users)
	}

	if strings.ContainsAny(c.Signoff, "{}") {
		ps.add("signoff", "must not contain { or }: the templates read braces as placeholders")
	}

	for i, r := range c.Addressee {
		key := fmt.Sprintf("addressee[%d]", i)
		if _, ok := liaison.ParseFamily(string(r.Family)); !ok {
			ps.add(key+".family", "%q is not an addressee family: want ietf, irtf or iab", r.Family)
		}
		if len(r.From) == 0 && len(r.Keywords) == 0 {
			ps.add(key, "a rule needs from patterns, keywords, or both")
		}
		checkGlobs(&ps, key+".from", r.From)
		for j, k := range r.Keywords {
			if k == "" {
				ps.add(fmt.Sprintf("%s.keywords[%d]", key, j), "empty keyword")
			}
		}
	}

	for i, m := range c.Managers {
		key := fmt.Sprintf("managers[%d]", i)
		if liaison.ValidTeam(m) {
			ps.add(key, "%q is a team; managers must be listed one login at a time", m)
		} else if msg := checkLogin(m); msg != "" {
			ps.add(key, "%s", msg)
		}
	}

	for _, group := range c.routeClashes {
		ps.add("routes."+group, "names the same group as another routes key (acronyms ignore case): merge their lists")
	}
	for _, group := range slices.Sorted(maps.Keys(c.Routes)) {
		key := "routes." + group
		if !liaison.ValidAcronym(group) {
			ps.add(key, "%q is not a group acronym (such as opsawg, iesg or irtf)", group)
		}
		if len(c.Routes[group]) == 0 {
			ps.add(key, "missing: list the users or teams to mention")
		}
		for i, who := range c.Routes[group] {
			if msg := checkMention(who); msg != "" {
				ps.add(fmt.Sprintf("%s[%d]", key, i), "%s", msg)
			}
		}
	}

	if len(c.Responses.Reviewers) > MaxReviewers {
		ps.add("responses.reviewers", "lists %d reviewers; GitHub requests at most %d at once", len(c.Responses.Reviewers), MaxReviewers)
	}
	for i, who := range c.Responses.Reviewers {
		if msg := checkMention(who); msg != "" {
			ps.add(fmt.Sprintf("responses.reviewers[%d]", i), "%s", msg)
		}
	}
	if n := c.Responses.RequiredApprovals; n < 0 || n > 10 {
		ps.add("responses.required_approvals", "%d is not a number of approvals: want 1 to 10", n)
	}

	switch c.Ack.Send {
	case AckManual, AckAuto, "":
	default:
		ps.add("ack.send", "%q is not a mode: want manual or auto", c.Ack.Send)
	}
	if c.Ack.Within < 0 {
		ps.add("ack.within", "must not be negative, got %s", c.Ack.Within)
	}
	for _, m := range []struct{ key, value string }{{"ack.from", c.Ack.From}, {"ack.reply_to", c.Ack.ReplyTo}} {
		if m.value == "" {
			continue
		}
		if _, err := mail.ParseAddress(m.value); err != nil {
			ps.add(m.key, "%q is not a mailbox (such as \"Jane Doe <jane@example.org>\"): %v", m.value, err)
		}
	}
	return ps.err()
}

func checkGlobs(ps *problems, key string, globs []string) {
	for i, g := range globs {
		if msg := checkGlob(g); msg != "" {
			ps.add(fmt.Sprintf("%s[%d]", key, i), "%s", msg)
		}
	}
}

func checkLogins(ps *problems, key string, logins []string) {
	if len(logins) > MaxAssignees {
		ps.add(key, "lists %d users; GitHub allows at most %d assignees on an issue", len(logins), MaxAssignees)
	}
	for i, l := range logins {
		if msg := checkLogin(l); msg != "" {
			ps.add(fmt.Sprintf("%s[%d]", key, i), "%s", msg)
		}
	}
}

// repoField is one unit of MergeRepo's override: a key, whether a config
// built in Go has it (non-zero), and how to copy it.
type repoField struct {
	key     string
	nonZero func(c *RepoConfig) bool
	copy    func(dst, src *RepoConfig)
}

// repoFields lists the keys MergeRepo overrides one by one. The ack and
// assignees sections are merged key by key, because an org may well set a
// mailbox for everyone while each repository names its own assignees.
var repoFields = []repoField{
	{"direction", func(c *RepoConfig) bool { return c.Direction != "" },
		func(d, s *RepoConfig) { d.Direction = s.Direction }},
	{"from", func(c *RepoConfig) bool { return len(c.From) > 0 },
		func(d, s *RepoConfig) { d.From = slices.Clone(s.From) }},
	{"to", func(c *RepoConfig) bool { return len(c.To) > 0 },
		func(d, s *RepoConfig) { d.To = slices.Clone(s.To) }},
	{"since", func(c *RepoConfig) bool { return !c.Since.IsZero() },
		func(d, s *RepoConfig) { d.Since = s.Since }},
	{"assignees.default", func(c *RepoConfig) bool { return len(c.Assignees.Default) > 0 },
		func(d, s *RepoConfig) { d.Assignees.Default = slices.Clone(s.Assignees.Default) }},
	{"assignees.rules", func(c *RepoConfig) bool { return len(c.Assignees.Rules) > 0 },
		func(d, s *RepoConfig) { d.Assignees.Rules = cloneAssigneeRules(s.Assignees.Rules) }},
	{"signoff", func(c *RepoConfig) bool { return c.Signoff != "" },
		func(d, s *RepoConfig) { d.Signoff = s.Signoff }},
	{"addressee", func(c *RepoConfig) bool { return len(c.Addressee) > 0 },
		func(d, s *RepoConfig) { d.Addressee = cloneFamilyRules(s.Addressee) }},
	{"managers", func(c *RepoConfig) bool { return len(c.Managers) > 0 },
		func(d, s *RepoConfig) { d.Managers = slices.Clone(s.Managers) }},
	{"routes", func(c *RepoConfig) bool { return len(c.Routes) > 0 },
		func(d, s *RepoConfig) { d.Routes = cloneRoutes(s.Routes) }},
	{"ack.send", func(c *RepoConfig) bool { return c.Ack.Send != "" },
		func(d, s *RepoConfig) { d.Ack.Send = s.Ack.Send }},
	{"ack.within", func(c *RepoConfig) bool { return c.Ack.Within != 0 },
		func(d, s *RepoConfig) { d.Ack.Within = s.Ack.Within }},
	{"ack.from", func(c *RepoConfig) bool { return c.Ack.From != "" },
		func(d, s *RepoConfig) { d.Ack.From = s.Ack.From }},
	{"ack.reply_to", func(c *RepoConfig) bool { return c.Ack.ReplyTo != "" },
		func(d, s *RepoConfig) { d.Ack.ReplyTo = s.Ack.ReplyTo }},
	{"responses.reviewers", func(c *RepoConfig) bool { return len(c.Responses.Reviewers) > 0 },
		func(d, s *RepoConfig) { d.Responses.Reviewers = slices.Clone(s.Responses.Reviewers) }},
	{"responses.required_approvals", func(c *RepoConfig) bool { return c.Responses.RequiredApprovals != 0 },
		func(d, s *RepoConfig) { d.Responses.RequiredApprovals = s.Responses.RequiredApprovals }},
}

// isSet reports whether c says something about key: it was written in the
// file c came from, or, for a config built in Go, it is non-zero.
func (c *RepoConfig) isSet(f repoField) bool {
	if c.set != nil {
		return c.set[f.key]
	}
	return f.nonZero(c)
}

// MergeRepo layers a repository's config over the org's defaults (the
// org's `.github` repository's liaison.yml). The rule is a field-level
// override: every key the repository's file writes replaces the org's
// value whole — lists and maps are replaced, never appended to, and a key
// written as empty (`from: []`) replaces too, meaning "any". Keys the
// repository leaves out keep the org's value, or the default. The keys are
// the top-level ones, except that ack and assignees are merged key by key
// (ack.send, ack.within, ack.from, ack.reply_to, assignees.default,
// assignees.rules). Either argument may be nil. The result shares nothing
// with its arguments.
func MergeRepo(orgDefaults, repo *RepoConfig) *RepoConfig {
	out := &RepoConfig{set: map[string]bool{}}
	for _, src := range []*RepoConfig{orgDefaults, repo} {
		if src == nil {
			continue
		}
		for _, f := range repoFields {
			if src.isSet(f) {
				f.copy(out, src)
				out.set[f.key] = true
			}
		}
	}
	out.fillDefaults()
	return out
}

func cloneAssigneeRules(rules []AssigneeRule) []AssigneeRule {
	if rules == nil {
		return nil
	}
	out := make([]AssigneeRule, len(rules))
	for i, r := range rules {
		out[i] = AssigneeRule{From: slices.Clone(r.From), Users: slices.Clone(r.Users)}
	}
	return out
}

func cloneFamilyRules(rules []FamilyRule) []FamilyRule {
	if rules == nil {
		return nil
	}
	out := make([]FamilyRule, len(rules))
	for i, r := range rules {
		out[i] = FamilyRule{Family: r.Family, From: slices.Clone(r.From), Keywords: slices.Clone(r.Keywords)}
	}
	return out
}

func cloneRoutes(routes map[string][]string) map[string][]string {
	if routes == nil {
		return nil
	}
	out := make(map[string][]string, len(routes))
	for k, v := range routes {
		out[k] = slices.Clone(v)
	}
	return out
}
