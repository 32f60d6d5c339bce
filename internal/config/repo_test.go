package config

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/liaisonbot/liaisonbot/internal/liaison"
)

func TestParseRepo(t *testing.T) {
	data := `
direction: Both
from: ["ITU-T*", "3gpp*"]
to: [ietf, iab]
since: 2026-01-15
assignees:
  default: ["@alice"]
  rules:
    - from: ["itu-t-sg-17*"]
      users: [bob]
signoff: |
  Best regards,
  Alice
addressee:
  - family: IRTF
    keywords: [quantum]
managers: [alice, carol]
routes:
  OPSAWG: [alice, example-org/ops-area]
ack:
  send: auto
  within: 2d
  from: "Alice <alice@example.org>"
  reply_to: liaisons@example.org
responses:
  reviewers: ["@dave", example-org/liaison-reviewers]
  required_approvals: 2
`
	c, err := ParseRepo("liaison.yml", []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	want := &RepoConfig{
		Direction: DirectionBoth,
		From:      []string{"itu-t*", "3gpp*"},
		To:        []string{"ietf", "iab"},
		Since:     Date{liaison.Date{Year: 2026, Month: time.January, Day: 15}},
		Assignees: Assignees{
			Default: []string{"alice"},
			Rules:   []AssigneeRule{{From: []string{"itu-t-sg-17*"}, Users: []string{"bob"}}},
		},
		Signoff:   "Best regards,\nAlice\n",
		Addressee: []FamilyRule{{Family: liaison.FamilyIRTF, Keywords: []string{"quantum"}}},
		Managers:  []string{"alice", "carol"},
		Routes:    map[string][]string{"opsawg": {"alice", "example-org/ops-area"}},
		Ack: AckConfig{Send: AckAuto, Within: Duration(48 * time.Hour),
			From: "Alice <alice@example.org>", ReplyTo: "liaisons@example.org"},
		Responses: ResponsesConfig{Reviewers: []string{"dave", "example-org/liaison-reviewers"}, RequiredApprovals: 2},
	}
	want.set = c.set
	if !reflect.DeepEqual(c, want) {
		t.Errorf("ParseRepo =\n%+v\nwant\n%+v", c, want)
	}
}

func TestParseRepoEmptyIsDefault(t *testing.T) {
	c, err := ParseRepo("liaison.yml", nil)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(c, DefaultRepoConfig()) {
		t.Errorf("ParseRepo(empty) = %+v, want DefaultRepoConfig()", c)
	}
	d := DefaultRepoConfig()
	if d.Direction != DirectionIncoming || d.Ack.Send != AckManual || d.Ack.Within != DefaultAckWithin || d.Ack.Within.String() != "3d" {
		t.Errorf("DefaultRepoConfig = %+v", d)
	}
}

func TestParseRepoErrors(t *testing.T) {
	tests := []struct {
		name string
		data string
		want []string
	}{
		{"unknownKey", "direction: incoming\nfrom_groups: [itu-t*]\n",
			[]string{`liaison.yml:2: unknown key "from_groups"`}},
		{"unknownNestedKey", "ack:\n  sendd: auto\n",
			[]string{`liaison.yml:2: unknown key "ack.sendd" (did you mean "ack.send"?)`}},
		{"unknownKeyInRule", "assignees:\n  rules:\n    - from: [x]\n      user: [bob]\n",
			[]string{
				`liaison.yml:3: assignees.rules[0].users: missing: a rule needs at least one user`,
				`liaison.yml:4: unknown key "assignees.rules[0].user" (did you mean "assignees.rules[0].users"?)`,
			}},
		{"badGlob", "from:\n  - itu-t*\n  - \"[\"\n",
			[]string{`liaison.yml:3: from[1]: bad pattern "[": syntax error in pattern (patterns use path.Match syntax: *, ?, [a-z])`}},
		{"badGlobInFlowList", "to: [ietf, \"[iab\"]\n",
			[]string{`liaison.yml:1: to[1]: bad pattern "[iab": syntax error in pattern (patterns use path.Match syntax: *, ?, [a-z])`}},
		{"badSinceDate", "direction: incoming\nsince: 2026-13-40\n",
			[]string{`liaison.yml:2: since: invalid date "2026-13-40": want YYYY-MM-DD`}},
		{"sinceNotADay", "since: 2026-02-30\n",
			[]string{`liaison.yml:1: since: invalid date "2026-02-30": want YYYY-MM-DD`}},
		{"teamAsAssignee", "assignees:\n  default: [alice, ietf/liaisons]\n",
			[]string{`liaison.yml:2: assignees.default[1]: "ietf/liaisons" is a team; only users can be listed here (GitHub cannot assign issues to teams) — list its members instead, or mention the team through routes`}},
		{"teamAsRuleUser", "assignees:\n  rules:\n    - from: [itu-t*]\n      users:\n        - \"@ietf/liaisons\"\n",
			[]string{`liaison.yml:5: assignees.rules[0].users[0]: "ietf/liaisons" is a team; only users can be listed here (GitHub cannot assign issues to teams) — list its members instead, or mention the team through routes`}},
		{"badLogin", "assignees:\n  default: [\"not a login\"]\n",
			[]string{`liaison.yml:2: assignees.default[0]: "not a login" is not a GitHub login (letters, digits and hyphens, at most 39)`}},
		{"tooManyAssignees", "assignees:\n  default: [a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11]\n",
			[]string{`liaison.yml:2: assignees.default: lists 11 users; GitHub allows at most 10 assignees on an issue`}},
		{"ruleWithoutFrom", "assignees:\n  rules:\n    - users: [bob]\n",
			[]string{`liaison.yml:3: assignees.rules[0].from: missing: a rule needs sending-group patterns (use assignees.default for everyone else)`}},
		{"badDirection", "direction: outgoing\n",
			[]string{`liaison.yml:1: direction: "outgoing" is not a direction: want incoming or both`}},
		{"badFamily", "addressee:\n  - family: irft\n    keywords: [quantum]\n",
			[]string{`liaison.yml:2: addressee[0].family: "irft" is not an addressee family: want ietf, irtf or iab`}},
		{"familyRuleMatchesNothing", "addressee:\n  - family: irtf\n",
			[]string{`liaison.yml:2: addressee[0]: a rule needs from patterns, keywords, or both`}},
		{"signoffWithPlaceholder", "signoff: \"Thanks, {name}\"\n",
			[]string{`liaison.yml:1: signoff: must not contain { or }: the templates read braces as placeholders`}},
		{"teamAsManager", "managers: [ietf/iesg]\n",
			[]string{`liaison.yml:1: managers[0]: "ietf/iesg" is a team; managers must be listed one login at a time`}},
		{"routeTwiceInTwoCases", "routes:\n  OPSAWG: [alice]\n  opsawg: [bob]\n",
			[]string{`liaison.yml:3: routes.opsawg: names the same group as another routes key (acronyms ignore case): merge their lists`}},
		{"badRouteTarget", "routes:\n  opsawg: [\"ops area\"]\n",
			[]string{`liaison.yml:2: routes.opsawg[0]: "ops area" is neither a GitHub login nor a team (org/team)`}},
		{"badReviewer", "responses:\n  reviewers: [\"ops area\"]\n",
			[]string{`liaison.yml:2: responses.reviewers[0]: "ops area" is neither a GitHub login nor a team (org/team)`}},
		{"badApprovals", "responses:\n  required_approvals: 11\n",
			[]string{`liaison.yml:2: responses.required_approvals: 11 is not a number of approvals: want 1 to 10`}},
		{"badAckMode", "ack:\n  send: sometimes\n",
			[]string{`liaison.yml:2: ack.send: "sometimes" is not a mode: want manual or auto`}},
		{"badAckWithin", "ack:\n  within: 3 days\n",
			[]string{`liaison.yml:2: ack.within: invalid duration "3 days": want a number of days such as "3d" or a duration such as "72h"`}},
		{"badAckFrom", "ack:\n  from: liaison manager\n",
			[]string{`liaison.yml:2: ack.from: "liaison manager" is not a mailbox (such as "Jane Doe <jane@example.org>"): mail: no angle-addr`}},
		{"fromIsNotAList", "from: itu-t*\n",
			[]string{`liaison.yml:1: from: want a list, got "itu-t*"`}},
		{"severalProblemsAtOnce", "direction: sideways\nfrom: [\"[\"]\nsince: 2026-13-40\nack:\n  sned: auto\n",
			[]string{
				`liaison.yml:1: direction: "sideways" is not a direction: want incoming or both`,
				`liaison.yml:2: from[0]: bad pattern "[": syntax error in pattern (patterns use path.Match syntax: *, ?, [a-z])`,
				`liaison.yml:3: since: invalid date "2026-13-40": want YYYY-MM-DD`,
				`liaison.yml:5: unknown key "ack.sned" (did you mean "ack.send"?)`,
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := ParseRepo("liaison.yml", []byte(tt.data))
			if err == nil {
				t.Fatalf("ParseRepo succeeded with %+v", c)
			}
			if got := messages(err); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("error =\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(tt.want, "\n  "))
			}
		})
	}
}

func TestParseRepoTooLarge(t *testing.T) {
	data := []byte("signoff: \"" + strings.Repeat("x", MaxRepoConfigSize) + "\"\n")
	if _, err := ParseRepo("liaison.yml", data); err == nil || !strings.Contains(err.Error(), "at most") {
		t.Errorf("ParseRepo of %d bytes: %v", len(data), err)
	}
}

func mustRepo(t *testing.T, data string) *RepoConfig {
	t.Helper()
	c, err := ParseRepo("liaison.yml", []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestMergeRepo(t *testing.T) {
	org := mustRepo(t, `
direction: both
from: ["itu-t*"]
since: 2025-01-01
assignees:
  default: [orgmanager]
signoff: "Org signoff"
managers: [orgmanager]
ack:
  send: auto
  from: "Org <org@example.org>"
  within: 5d
`)
	tests := []struct {
		name string
		repo string
		want func(*RepoConfig) // edits a copy of the org's config into the expected merge
	}{
		{"emptyRepoKeepsOrgDefaults", "", func(w *RepoConfig) {}},
		{"repoKeyReplacesOrgKeyWhole", "from: [\"3gpp*\"]\nmanagers: [alice, bob]\n", func(w *RepoConfig) {
			w.From = []string{"3gpp*"}
			w.Managers = []string{"alice", "bob"}
		}},
		{"emptyListWrittenMeansAny", "from: []\n", func(w *RepoConfig) {
			w.From = []string{}
		}},
		{"ackMergedKeyByKey", "ack:\n  within: 1d\n", func(w *RepoConfig) {
			w.Ack.Within = Duration(24 * time.Hour)
		}},
		{"assigneesMergedKeyByKey", "assignees:\n  rules:\n    - from: [3gpp*]\n      users: [carol]\n", func(w *RepoConfig) {
			w.Assignees.Rules = []AssigneeRule{{From: []string{"3gpp*"}, Users: []string{"carol"}}}
		}},
		{"unwrittenDefaultDoesNotOverride", "signoff: mine\n", func(w *RepoConfig) {
			// The repository's direction is the default (incoming), but it
			// did not write it, so the org's "both" stays.
			w.Signoff = "mine"
		}},
		{"writtenDefaultDoesOverride", "direction: incoming\nack:\n  send: manual\n", func(w *RepoConfig) {
			w.Direction = DirectionIncoming
			w.Ack.Send = AckManual
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			repo := mustRepo(t, tt.repo)
			got := MergeRepo(org, repo)
			want := MergeRepo(org, nil)
			tt.want(want)
			got.set, want.set = nil, nil
			if !reflect.DeepEqual(got, want) {
				t.Errorf("MergeRepo =\n%+v\nwant\n%+v", got, want)
			}
		})
	}

	t.Run("orgOnlyEqualsOrg", func(t *testing.T) {
		got := MergeRepo(org, nil)
		if got.Direction != DirectionBoth || got.Since.String() != "2025-01-01" || got.Ack.Send != AckAuto ||
			got.Ack.Within.String() != "5d" || got.Ack.From != "Org <org@example.org>" || got.Signoff != "Org signoff" {
			t.Errorf("MergeRepo(org, nil) = %+v", got)
		}
	})
	t.Run("nilNilIsDefault", func(t *testing.T) {
		if got := MergeRepo(nil, nil); !reflect.DeepEqual(got, DefaultRepoConfig()) {
			t.Errorf("MergeRepo(nil, nil) = %+v", got)
		}
	})
	t.Run("resultSharesNothing", func(t *testing.T) {
		got := MergeRepo(org, nil)
		got.From[0] = "changed"
		got.Assignees.Default[0] = "changed"
		if org.From[0] != "itu-t*" || org.Assignees.Default[0] != "orgmanager" {
			t.Error("MergeRepo's result aliases the org config")
		}
	})
	t.Run("configBuiltInGo", func(t *testing.T) {
		// No file: non-zero fields count as written.
		repo := &RepoConfig{To: []string{"ietf"}}
		got := MergeRepo(org, repo)
		if !reflect.DeepEqual(got.To, []string{"ietf"}) || !reflect.DeepEqual(got.From, []string{"itu-t*"}) || got.Direction != DirectionBoth {
			t.Errorf("MergeRepo(org, Go literal) = %+v", got)
		}
	})
	t.Run("mergedIsValid", func(t *testing.T) {
		if err := MergeRepo(org, mustRepo(t, "to: [ietf]\n")).Validate(); err != nil {
			t.Error(err)
		}
	})
}

// Statements for matching tests.
var (
	sg13 = liaison.Group{Acronym: "itu-t-sg-13", Name: "ITU-T SG13", Type: "sdo"}
	sg17 = liaison.Group{Acronym: "itu-t-sg-17-tsb", Name: "ITU-T SG17 TSB", Type: "sdo"}
	tsg  = liaison.Group{Acronym: "3gpp-tsgsa", Name: "3GPP TSG SA", Type: "sdo"}
	ieee = liaison.Group{Acronym: "ieee-802-1", Name: "IEEE 802.1", Type: "sdo"}
	ietf = liaison.Group{Acronym: "ietf", Name: "IETF", Type: "ietf"}
	iab  = liaison.Group{Acronym: "iab", Name: "IAB", Type: "ietf"}
	wg   = liaison.Group{Acronym: "opsawg", Name: "OPSAWG", Type: "wg"}
	rg   = liaison.Group{Acronym: "cfrg", Name: "CFRG", Type: "rg"}
)

func stmt(title string, posted string, from []liaison.Group, to ...liaison.Group) *liaison.Statement {
	st := &liaison.Statement{ID: 1, Title: title, FromGroups: from, ToGroups: to}
	if posted != "" {
		d, err := liaison.ParseDate(posted)
		if err != nil {
			panic(err)
		}
		st.Posted = d.Time().Add(15 * time.Hour)
	}
	return st
}

func date(s string) liaison.Date {
	d, err := liaison.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

func TestWants(t *testing.T) {
	incomingSG13 := stmt("LS on IMT-2030", "2026-03-10", []liaison.Group{sg13}, ietf)
	incoming3GPP := stmt("LS on 5G", "2026-03-10", []liaison.Group{tsg}, iab)
	outgoing := stmt("Reply to ITU-T SG13", "2026-03-10", []liaison.Group{wg}, sg13)
	internal := stmt("IETF to IAB", "2026-03-10", []liaison.Group{ietf}, iab)
	undated := stmt("Manually entered", "", []liaison.Group{sg13}, ietf)
	old := stmt("Old LS", "2025-12-31", []liaison.Group{sg13}, ietf)

	tests := []struct {
		name  string
		conf  string
		st    *liaison.Statement
		since liaison.Date
		want  bool
	}{
		{"defaultWantsIncoming", "", incomingSG13, liaison.Date{}, true},
		{"defaultRefusesOutgoing", "", outgoing, liaison.Date{}, false},
		{"bothWantsOutgoing", "direction: both\n", outgoing, liaison.Date{}, true},
		{"bothRefusesInternal", "direction: both\n", internal, liaison.Date{}, false},
		{"fromGlobMatches", "from: [\"itu-t*\"]\n", incomingSG13, liaison.Date{}, true},
		{"fromGlobMisses", "from: [\"itu-t*\"]\n", incoming3GPP, liaison.Date{}, false},
		{"fromGlobIgnoresCase", "from: [\"ITU-T-SG-1?\"]\n", incomingSG13, liaison.Date{}, true},
		{"fromSecondPattern", "from: [\"ieee*\", \"3gpp*\"]\n", incoming3GPP, liaison.Date{}, true},
		{"fromAppliesToOutgoingSender", "direction: both\nfrom: [\"itu-t*\"]\n", outgoing, liaison.Date{}, false},
		{"toGlobMatches", "to: [iab]\n", incoming3GPP, liaison.Date{}, true},
		{"toGlobMisses", "to: [iab]\n", incomingSG13, liaison.Date{}, false},
		// The caller passes the effective since (the config's, else the
		// first-seen day, or a backfill's); Wants does not second-guess it.
		{"sinceRefusesOlder", "", old, date("2026-01-01"), false},
		{"sinceKeepsSameDay", "", incomingSG13, date("2026-03-10"), true},
		{"backfillBeatsConfigSince", "since: 2026-06-01\n", old, date("2025-01-01"), true},
		{"noSinceWantsAll", "", old, liaison.Date{}, true},
		{"sinceKeepsNewer", "", incomingSG13, date("2026-01-01"), true},
		{"undatedIsWanted", "", undated, date("2026-01-01"), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustRepo(t, tt.conf)
			if got := c.Wants(tt.st, tt.since); got != tt.want {
				t.Errorf("Wants = %v, want %v", got, tt.want)
			}
		})
	}
	var nilConf *RepoConfig
	if !nilConf.Wants(incomingSG13, liaison.Date{}) || nilConf.Wants(outgoing, liaison.Date{}) || nilConf.Wants(nil, liaison.Date{}) {
		t.Error("a nil config must want exactly the incoming statements")
	}
	if (&RepoConfig{}).Wants(outgoing, liaison.Date{}) {
		t.Error("the zero config wants an outgoing statement")
	}
}

func TestAssigneesFor(t *testing.T) {
	c := mustRepo(t, `
assignees:
  default: [alice]
  rules:
    - from: ["itu-t-sg-17*"]
      users: [bob]
    - from: ["itu-t*", "3gpp*"]
      users: [carol, dave]
    - from: ["itu-t-sg-13"]
      users: [never]
`)
	tests := []struct {
		name string
		st   *liaison.Statement
		want []string
	}{
		{"firstRule", stmt("x", "", []liaison.Group{sg17}, ietf), []string{"bob"}},
		{"firstMatchWins", stmt("x", "", []liaison.Group{sg13}, ietf), []string{"carol", "dave"}},
		{"secondPatternOfRule", stmt("x", "", []liaison.Group{tsg}, ietf), []string{"carol", "dave"}},
		{"anySendingGroup", stmt("x", "", []liaison.Group{ieee, sg17}, ietf), []string{"bob"}},
		{"defaultWhenNoRule", stmt("x", "", []liaison.Group{ieee}, ietf), []string{"alice"}},
		{"defaultWithoutGroups", stmt("x", "", nil, ietf), []string{"alice"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := c.AssigneesFor(tt.st)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("AssigneesFor = %v, want %v", got, tt.want)
			}
			if len(got) > 0 {
				got[0] = "mutated"
				if again := c.AssigneesFor(tt.st); again[0] == "mutated" {
					t.Error("AssigneesFor returned the config's own slice")
				}
			}
		})
	}
	if got := DefaultRepoConfig().AssigneesFor(stmt("x", "", []liaison.Group{sg13}, ietf)); got != nil {
		t.Errorf("default config assigns %v", got)
	}
}

func TestFamilyFor(t *testing.T) {
	c := mustRepo(t, `
addressee:
  - family: irtf
    from: ["itu-t-sg-17*"]
    keywords: ["quantum"]
  - family: iab
    from: ["ieee*"]
  - family: irtf
    keywords: ["Post-Quantum", "QKD"]
`)
	tests := []struct {
		name string
		st   *liaison.Statement
		want liaison.Family
	}{
		{"fromAndKeywordBothMatch", stmt("LS on quantum networks", "", []liaison.Group{sg17}, ietf), liaison.FamilyIRTF},
		{"fromWithoutKeywordFallsThrough", stmt("LS on routing", "", []liaison.Group{sg17}, ietf), liaison.FamilyIETF},
		{"fromOnlyRule", stmt("LS on bridges", "", []liaison.Group{ieee}, ietf), liaison.FamilyIAB},
		{"keywordOnlyIgnoresCase", stmt("LS on post-quantum crypto", "", []liaison.Group{sg13}, iab), liaison.FamilyIRTF},
		{"keywordInsideWord", stmt("LS on QKD networks", "", []liaison.Group{tsg}, ietf), liaison.FamilyIRTF},
		{"noRuleUsesToGroupsIETF", stmt("LS on 5G", "", []liaison.Group{tsg}, ietf), liaison.FamilyIETF},
		{"noRuleUsesToGroupsIAB", stmt("LS on 5G", "", []liaison.Group{tsg}, iab), liaison.FamilyIAB},
		{"noRuleUsesToGroupsIRTF", stmt("LS on 5G", "", []liaison.Group{tsg}, rg), liaison.FamilyIRTF},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := c.FamilyFor(tt.st); got != tt.want {
				t.Errorf("FamilyFor = %q, want %q", got, tt.want)
			}
		})
	}
	var nilConf *RepoConfig
	if got := nilConf.FamilyFor(stmt("x", "", []liaison.Group{sg13}, rg)); got != liaison.FamilyIRTF {
		t.Errorf("nil config FamilyFor = %q", got)
	}
}

func TestDuration(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		str  string
		ok   bool
	}{
		{"3d", 72 * time.Hour, "3d", true},
		{"0d", 0, "0s", true},
		{"36h", 36 * time.Hour, "36h0m0s", true},
		{"48h", 48 * time.Hour, "2d", true},
		{"90m", 90 * time.Minute, "1h30m0s", true},
		{"-1d", 0, "", false},
		{"-5h", 0, "", false},
		{"three days", 0, "", false},
		{"1.5d", 0, "", false},
	}
	for _, tt := range tests {
		d, err := ParseDuration(tt.in)
		if (err == nil) != tt.ok {
			t.Errorf("ParseDuration(%q) error = %v, want ok=%v", tt.in, err, tt.ok)
			continue
		}
		if tt.ok && (d.Std() != tt.want || d.String() != tt.str) {
			t.Errorf("ParseDuration(%q) = %v (%s), want %v (%s)", tt.in, d.Std(), d, tt.want, tt.str)
		}
	}
}
