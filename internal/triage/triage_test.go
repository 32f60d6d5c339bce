package triage

import (
	"slices"
	"strings"
	"testing"

	"github.com/liaisonbot/liaisonbot/internal/commands"
)

func base() Issue {
	return Issue{Open: true, Labels: []string{"liaison", "incoming", "state/new", "purpose/information", "to/ietf", "needs-routing"}, Assignees: []string{"bob"}}
}

func TestPlan(t *testing.T) {
	tests := []struct {
		name       string
		comment    string
		authorized bool
		add, rm    []string
		assign     []string
		unassign   []string
		close      string
		reopen     bool
		reply      []string // substrings the reply must have
	}{
		{name: "purpose switch", comment: "/purpose action", authorized: true, add: []string{"purpose/action"}, rm: []string{"purpose/information"}},
		{name: "to irtf", comment: "/to irtf", authorized: true, add: []string{"to/irtf"}, rm: []string{"to/ietf"}},
		{name: "assign self and others", comment: "/assign\n/assign @carol", authorized: true, assign: []string{"alice", "carol"}},
		{name: "unassign", comment: "/unassign @bob", authorized: true, unassign: []string{"bob"}},
		{name: "ack sent", comment: "/ack sent", authorized: true, add: []string{"state/acknowledged"}, rm: []string{"state/new"}, reply: []string{"sent by hand"}},
		{name: "ack shows the draft, anyone", comment: "/ack", authorized: false},
		{name: "a typo in an exclusive namespace is refused", comment: "/label state/acknowleged", authorized: true, reply: []string{"not a label of the scheme", "state/acknowledged"}},
		{name: "label names are matched without case", comment: "/label State/Acknowledged", authorized: true, add: []string{"state/acknowledged"}, rm: []string{"state/new"}},
		{name: "no-response closes not planned", comment: "/no-response noted by the WG", authorized: true, add: []string{"state/no-response"}, rm: []string{"state/new"}, close: NotPlanned, reply: []string{"noted by the WG"}},
		{name: "sent closes as responded", comment: "/sent https://datatracker.ietf.org/liaison/2001/", authorized: true, add: []string{"state/responded"}, rm: []string{"state/new"}, close: Completed, reply: []string{"liaison/2001"}},
		{name: "route clears needs-routing and mentions", comment: "/route opsawg", authorized: true, rm: []string{"needs-routing"}, reply: []string{"`opsawg` (@ops-chairs)"}},
		{name: "two purposes in one label command: the last wins", comment: "/label purpose/comment purpose/action", authorized: true, add: []string{"purpose/action"}, rm: []string{"purpose/information"}},
		{name: "remove the only state: state/new comes back", comment: "/remove-label state/new", authorized: true, reply: []string{"every statement has a state"}},
		{name: "close then reopen", comment: "/close\n/reopen", authorized: true},
		{name: "unauthorized changes nothing, one sentence", comment: "/close\n/label x\n/purpose action", authorized: false, reply: []string{"Only people with triage or write access"}},
		{name: "bad arguments", comment: "/deadline 2026-13-40", authorized: true, reply: []string{"2026-13-40"}},
		{name: "not yet", comment: "/report", authorized: true, reply: []string{"not available yet"}},
		{name: "respond is asked of the handler", comment: "/respond crafted", authorized: true},
		{name: "involve is asked of the handler", comment: "/involve @carol @ietf/iesg\n/involve carol", authorized: true},
		{name: "respond needs authorization", comment: "/respond boilerplate\n/involve @carol", authorized: false, reply: []string{"Only people with triage or write access"}},
		{name: "ack send is asked of the handler", comment: "/ack send", authorized: true},
		{name: "deadline is asked of the handler", comment: "/deadline 2027-01-31", authorized: true},
		{name: "link is asked of the handler", comment: "/link https://datatracker.ietf.org/liaison/1983/", authorized: true},
		{name: "help", comment: "/liaison help\n/liaison help\n/liaison help", authorized: false, reply: []string{"`/ack sent`", "triage, write or manager"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := commands.Parse(tc.comment)
			e := Plan(res.Commands, base(), Context{Actor: "alice", Authorized: tc.authorized, Routes: map[string][]string{"opsawg": {"ops-chairs"}}})
			check := func(what string, got, want []string) {
				slices.Sort(got)
				slices.Sort(want)
				if !slices.Equal(got, want) {
					t.Errorf("%s = %v, want %v", what, got, want)
				}
			}
			check("add", e.AddLabels, tc.add)
			check("remove", e.RemoveLabels, tc.rm)
			check("assign", e.Assign, tc.assign)
			check("unassign", e.Unassign, tc.unassign)
			if e.Close != tc.close || e.Reopen != tc.reopen {
				t.Errorf("close %q reopen %v, want %q %v", e.Close, e.Reopen, tc.close, tc.reopen)
			}
			reply := strings.Join(e.Reply, "\n\n")
			for _, s := range tc.reply {
				if !strings.Contains(reply, s) {
					t.Errorf("reply lacks %q:\n%s", s, reply)
				}
			}
			if e.ShowAck != (tc.name == "ack shows the draft, anyone") {
				t.Errorf("ShowAck = %v", e.ShowAck)
			}
			if e.SendAck != (tc.name == "ack send is asked of the handler") {
				t.Errorf("SendAck = %v", e.SendAck)
			}
			if e.SetDeadline != (tc.name == "deadline is asked of the handler") || e.SetDeadline && e.Deadline.String() != "2027-01-31" {
				t.Errorf("SetDeadline = %v %s", e.SetDeadline, e.Deadline)
			}
			if (e.Respond == "crafted") != (tc.name == "respond is asked of the handler") {
				t.Errorf("Respond = %q", e.Respond)
			}
			if wantInvolve := tc.name == "involve is asked of the handler"; wantInvolve != slices.Equal(e.Involve, []string{"carol", "ietf/iesg"}) {
				t.Errorf("Involve = %v", e.Involve)
			}
			if (e.Link == 1983) != (tc.name == "link is asked of the handler") {
				t.Errorf("Link = %d", e.Link)
			}
			if strings.Count(reply, "The commands of this repository") > 1 {
				t.Errorf("help was answered more than once")
			}
			if !tc.authorized && strings.Count(reply, "Only people with") > 1 {
				t.Errorf("the refusal is said more than once:\n%s", reply)
			}
		})
	}
}
