package responses

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

func TestNames(t *testing.T) {
	for _, tc := range []struct {
		id, issue, attempt int
		title              string
		branch, path       string
	}{
		{1234, 7, 1, "Liaison on Quantum-Safe Networks (QSN)", "liaisonbot/response-ls-1234", "responses/1234-liaison-on-quantum-safe-networks-qsn.md"},
		{1234, 7, 2, "LS", "liaisonbot/response-ls-1234-2", "responses/1234-ls.md"},
		{0, 9, 1, "Über ../../etc/passwd", "liaisonbot/response-issue-9", "responses/issue-9-ber-etc-passwd.md"},
		{3, 1, 1, "Supercalifragilisticexpialidocious-and-then-some-more-letters-beyond-fifty", "liaisonbot/response-ls-3", "responses/3-supercalifragilisticexpialidocious-and-then-some.md"},
		{5, 1, 1, "", "liaisonbot/response-ls-5", "responses/5-response.md"},
		{6, 1, 1, strings.Repeat("long title ", 20), "liaisonbot/response-ls-6", "responses/6-long-title-long-title-long-title-long-title-long.md"},
	} {
		if got := Branch(tc.id, tc.issue, tc.attempt); got != tc.branch {
			t.Errorf("Branch(%d, %d, %d) = %q, want %q", tc.id, tc.issue, tc.attempt, got, tc.branch)
		}
		if got := Path(tc.id, tc.issue, tc.title); got != tc.path {
			t.Errorf("Path(%q) = %q, want %q", tc.title, got, tc.path)
		}
	}
}

func TestTitleIsCutAndPlain(t *testing.T) {
	got := Title(Meta{Statement: 42, Title: "Line one\nline two " + strings.Repeat("x", 300)})
	if !strings.HasPrefix(got, "Response to LS 42: Line one line two") || len([]rune(got)) > MaxTitle || strings.Contains(got, "\n") {
		t.Errorf("Title = %q (%d runes)", got, len([]rune(got)))
	}
}

func meta() Meta {
	return Meta{Statement: 1234, Link: "https://datatracker.ietf.org/liaison/1234/", Issue: 7,
		Title: `LS on "YAML": {injection}\n---`, To: "ITU-T SG13", From: "IETF", Kind: Boilerplate, Deadline: "2026-12-31"}
}

func TestFileRoundTripsThroughLint(t *testing.T) {
	f := File(meta(), BoilerplateText("Response to LS on X", "Dear ITU-T SG13,\n\nThank you.\n"))
	if ps := Lint(f, meta()); len(ps) != 0 {
		t.Fatalf("a complete boilerplate response has problems: %+v\n%s", ps, f)
	}
	if !strings.HasPrefix(string(f), "---\nstatement: 1234\n") {
		t.Errorf("front matter does not come first:\n%s", f)
	}
}

func TestLint(t *testing.T) {
	good := string(File(meta(), "Subject: S\n\nDear all,\n"))
	for _, tc := range []struct {
		name    string
		content string
		want    []Problem
	}{
		{"placeholder left", strings.Replace(good, "Dear all,", "Dear {Insert From},", 1), []Problem{{13, "{Insert From} is left unfilled: write the text it stands for"}}},
		{"bold placeholder", good + "\n**{Thanks}**\n", []Problem{{15, "{Thanks} is left unfilled: write the text it stands for"}}},
		{"no front matter", "Subject: S\n", []Problem{{1, "the file must start with front matter (a line ---, the fields, a line ---) naming the statement and the issue"}}},
		{"unclosed front matter", "---\nstatement: 1\n", []Problem{{1, "the front matter is not closed by a line ---"}}},
		{"another statement", strings.Replace(good, "statement: 1234", "statement: 99", 1), []Problem{{2, "statement is 99; this response answers LS 1234"}}},
		{"another issue", strings.Replace(good, "issue: 7", "issue: 8", 1), []Problem{{4, "issue is 8; this response belongs to issue #7"}}},
		{"unknown kind", strings.Replace(good, "kind: boilerplate", "kind: other", 1), []Problem{{8, `kind is "other"; want boilerplate or crafted`}}},
		{"braces in code are not placeholders", good + "\n```json\n{\"a\": 1}\n```\n~~~~\n{ type string; }\n~~~~\nUse `{x}` here, {but} not here.\n", []Problem{{21, "{but} is left unfilled: write the text it stands for"}}},
		{"broken front matter at its line", strings.Replace(good, "issue: 7", "issue: [7", 1), []Problem{{3, "the front matter is not valid YAML: did not find expected ',' or ']'"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Lint([]byte(tc.content), meta())
			if len(got) != len(tc.want) {
				t.Fatalf("Lint = %+v, want %+v\n%s", got, tc.want, tc.content)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Errorf("problem %d = %+v, want %+v", i, got[i], tc.want[i])
				}
			}
		})
	}
}

func TestCraftedSkeletonFailsUntilWritten(t *testing.T) {
	m := meta()
	m.Kind = Crafted
	body := "We ask the IETF {to comment}.\n@someone please look\n```\ncode\n```"
	f := File(m, CraftedText(m, "Best regards,\nAlice", body))
	ps := Lint(f, m)
	if len(ps) != 1 || !strings.Contains(ps[0].Message, "{Write the response here") {
		t.Fatalf("skeleton problems = %+v; want only the place to write\n%s", ps, f)
	}
	// The quoted statement keeps its braces and stays out of the check.
	if !strings.Contains(string(f), `> We ask the IETF \{to comment\}.`) || strings.Contains(string(f), "\n@someone") {
		t.Errorf("statement not quoted:\n%s", f)
	}
	written := strings.Replace(string(f), "{Write the response here: replace this line, braces included}", "We thank you.", 1)
	if ps := Lint([]byte(written), m); len(ps) != 0 {
		t.Errorf("written response has problems: %+v", ps)
	}
	final := Final([]byte(written))
	if strings.Contains(final, "statement:") || strings.Contains(final, "to comment") || !strings.HasPrefix(final, `Subject: Response to LS 1234: LS on "YAML": (injection)`) || !strings.Contains(final, "We thank you.") {
		t.Errorf("Final =\n%s", final)
	}
}

func TestJudge(t *testing.T) {
	for _, tc := range []struct {
		name     string
		reviews  []Review
		required int
		agreed   bool
	}{
		{"one approval", []Review{{"alice", "APPROVED", "COLLABORATOR"}}, 1, true},
		{"comment only", []Review{{"alice", "COMMENTED", "COLLABORATOR"}}, 1, false},
		{"approval then change request by another", []Review{{"alice", "APPROVED", "COLLABORATOR"}, {"bob", "CHANGES_REQUESTED", "COLLABORATOR"}}, 1, false},
		{"change request then approval by the same", []Review{{"bob", "CHANGES_REQUESTED", "COLLABORATOR"}, {"Bob", "APPROVED", "COLLABORATOR"}}, 1, true},
		{"a comment does not undo an approval", []Review{{"alice", "APPROVED", "COLLABORATOR"}, {"alice", "COMMENTED", "COLLABORATOR"}}, 1, true},
		{"two needed", []Review{{"alice", "APPROVED", "COLLABORATOR"}, {"alice", "APPROVED", "COLLABORATOR"}}, 2, false},
		{"two given", []Review{{"alice", "APPROVED", "COLLABORATOR"}, {"carol", "APPROVED", "COLLABORATOR"}}, 2, true},
		{"dismissed approval", []Review{{"alice", "APPROVED", "COLLABORATOR"}, {"alice", "DISMISSED", "COLLABORATOR"}}, 1, false},
		{"an outsider's approval does not count", []Review{{"mallory", "APPROVED", "NONE"}, {"eve", "APPROVED", "CONTRIBUTOR"}}, 1, false},
		{"members and owners count", []Review{{"m", "APPROVED", "MEMBER"}, {"o", "APPROVED", "OWNER"}}, 2, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if v := Judge(tc.reviews, tc.required); v.Agreed != tc.agreed {
				t.Errorf("Judge = %+v, want agreed %v", v, tc.agreed)
			}
		})
	}
}

func TestRequestable(t *testing.T) {
	who := []string{"@alice", "ietf-liaisons/reviewers", "other-org/iesg", "IETF-Liaisons/chairs"}
	for i := 0; i < MaxReviewers; i++ {
		who = append(who, fmt.Sprintf("u%d", i))
	}
	ok, skipped := Requestable("ietf-liaisons", who)
	if len(ok) != MaxReviewers || ok[0] != "alice" || ok[1] != "ietf-liaisons/reviewers" || ok[2] != "IETF-Liaisons/chairs" {
		t.Errorf("ok = %v", ok)
	}
	if len(skipped) != 4 || skipped[0] != "other-org/iesg" {
		t.Errorf("skipped = %v", skipped)
	}
	users, teams := SplitReviewers(ok[:3])
	if !slices.Equal(users, []string{"alice"}) || !slices.Equal(teams, []string{"reviewers", "chairs"}) {
		t.Errorf("SplitReviewers = %v, %v", users, teams)
	}
}
