// Package triage decides what a comment's slash-commands do to a
// statement's issue: which labels, assignees and open/closed state change,
// and what the one combined reply says. It does no I/O; the webhook
// handler reads the issue, calls Plan and writes the Effect.
package triage

import (
	"fmt"
	"slices"
	"strings"

	"github.com/liaisonbot/liaisonbot/internal/commands"
	"github.com/liaisonbot/liaisonbot/internal/liaison"
	"github.com/liaisonbot/liaisonbot/internal/markdown"
)

// Issue is what the commands act on.
type Issue struct {
	Open      bool
	Labels    []string
	Assignees []string
}

// Context is who runs the commands and what the repository configured.
type Context struct {
	Actor string
	// Authorized is whether Actor may run state-changing commands.
	Authorized bool
	// Routes maps a group acronym to the users and teams to mention.
	Routes map[string][]string
}

// Close reasons, as GitHub's state_reason names them.
const (
	Completed  = "completed"
	NotPlanned = "not_planned"
)

// Effect is what the commands of one comment add up to.
type Effect struct {
	AddLabels, RemoveLabels []string
	Assign, Unassign        []string
	// Close is "" (leave open), Completed or NotPlanned.
	Close  string
	Reopen bool
	// ShowAck asks for the acknowledgement as it would be mailed ("/ack");
	// SendAck asks for the mail ("/ack send"): the handler queues it and
	// the state moves once it is sent.
	ShowAck, SendAck bool
	// Link is the datatracker statement to tie the issue to ("/link"); the
	// handler fetches it and rewrites the issue.
	Link int
	// SetDeadline asks the handler to record Deadline ("/deadline"; the
	// zero Date is "none").
	SetDeadline bool
	Deadline    liaison.Date
	// Respond is the kind of response pull request to open ("/respond"):
	// "boilerplate" or "crafted"; empty for none.
	Respond string
	// Involve are the users and "org/team"s to involve ("/involve").
	Involve []string
	// Reply is the one combined answer, a paragraph per command that has
	// something to say; empty when there is nothing to say.
	Reply []string
	// Ran counts the commands carried out.
	Ran int
}

type plan struct {
	is      Issue
	ctx     Context
	labels  []string
	assign  []string
	open    bool
	reason  string
	reply   []string
	ran     int
	refused bool
	showAck bool
	sendAck bool
	helped  bool
	link    int

	setDeadline bool
	deadline    liaison.Date
	respond     string
	involve     []string
}

// Plan runs the commands, in order, against a copy of the issue and
// returns the difference as an Effect.
func Plan(cmds []commands.Command, is Issue, c Context) Effect {
	p := &plan{is: is, ctx: c, labels: slices.Clone(is.Labels), assign: slices.Clone(is.Assignees), open: is.Open}
	for _, cmd := range cmds {
		p.run(cmd)
	}
	return p.effect()
}

func (p *plan) say(format string, args ...any) {
	p.reply = append(p.reply, fmt.Sprintf(format, args...))
}

func (p *plan) run(c commands.Command) {
	raw := markdown.CodeSpan(c.Raw)
	switch {
	case c.Err != nil:
		p.say("%s: %s", raw, markdown.Inline(c.Err.Error()))
		return
	case !c.Name.Available():
		p.say("%s is not available yet.", raw)
		return
	case c.StateChanging() && !p.ctx.Authorized:
		if !p.refused {
			p.say("Only people with triage or write access to this repository, or its configured liaison managers, can change this issue; %s was not run.", raw)
			p.refused = true
		}
		return
	}
	p.ran++
	switch c.Name {
	case commands.Ack:
		p.ack(c)
	case commands.Assign:
		for _, l := range p.logins(c) {
			if !containsFold(p.assign, l) {
				p.assign = append(p.assign, l)
			}
		}
	case commands.Unassign:
		for _, l := range p.logins(c) {
			p.assign = slices.DeleteFunc(p.assign, func(a string) bool { return strings.EqualFold(a, l) })
		}
	case commands.Route:
		p.route(c)
	case commands.Purpose:
		p.set(liaison.PurposeLabel(c.Purpose))
	case commands.To:
		p.set(liaison.FamilyLabel(c.Family))
	case commands.Sent:
		p.set(liaison.StateResponded.Label())
		p.open, p.reason = false, Completed
		p.say("Recorded the reply posted at %s; closing as responded.", markdown.CodeSpan(c.URL))
	case commands.NoResponse:
		p.set(liaison.StateNoResponse.Label())
		p.open, p.reason = false, NotPlanned
		if c.Reason != "" {
			p.say("Closed without a formal reply: %s", markdown.Inline(c.Reason))
		}
	case commands.Close:
		p.open, p.reason = false, Completed
	case commands.Reopen:
		p.open, p.reason = true, ""
	case commands.Label:
		for _, l := range c.Labels {
			if why := unknownTriageLabel(l); why != "" {
				p.ran--
				p.say("%s: %s", raw, why)
				return
			}
		}
		for _, l := range c.Labels {
			p.set(strings.ToLower(l))
		}
	case commands.RemoveLabel:
		for _, l := range c.Labels {
			p.labels = slices.DeleteFunc(p.labels, func(x string) bool { return strings.EqualFold(x, l) })
		}
	case commands.Link:
		p.link = c.StatementID
	case commands.Deadline:
		p.setDeadline, p.deadline = true, c.Date
	case commands.Respond:
		p.respond = c.Sub
	case commands.Involve:
		for _, who := range append(slices.Clone(c.Logins), c.Teams...) {
			if !containsFold(p.involve, who) {
				p.involve = append(p.involve, who)
			}
		}
	case commands.LiaisonHelp:
		p.help()
	}
}

func (p *plan) logins(c commands.Command) []string {
	if len(c.Logins) == 0 {
		return []string{p.ctx.Actor}
	}
	return c.Logins
}

// unknownTriageLabel says why l cannot be set, when it is in one of the
// namespaces the app keeps exclusive but names nothing the app knows: a
// typo there would replace the real state, purpose or addressee.
func unknownTriageLabel(l string) string {
	low := strings.ToLower(l)
	for _, ns := range []string{liaison.PrefixState, liaison.PrefixPurpose, liaison.PrefixTo} {
		if !strings.HasPrefix(low, ns) {
			continue
		}
		var known []string
		for _, spec := range liaison.Catalog {
			if strings.HasPrefix(spec.Name, ns) {
				known = append(known, spec.Name)
			}
		}
		if !slices.Contains(known, low) {
			return fmt.Sprintf("%s is not a label of the scheme: want one of %s", markdown.CodeSpan(l), strings.Join(known, ", "))
		}
	}
	return ""
}

// set adds a label; in an exclusive namespace it replaces the one there.
func (p *plan) set(label string) {
	for _, ns := range []string{liaison.PrefixState, liaison.PrefixPurpose, liaison.PrefixTo} {
		if strings.HasPrefix(label, ns) {
			p.labels = slices.DeleteFunc(p.labels, func(x string) bool { return strings.HasPrefix(x, ns) })
		}
	}
	if !containsFold(p.labels, label) {
		p.labels = append(p.labels, label)
	}
}

func (p *plan) ack(c commands.Command) {
	switch c.Sub {
	case "":
		p.ran--
		p.showAck = true
	case "sent":
		if st := liaison.StateOf(p.labels); st == "" || st == liaison.StateNew {
			p.set(liaison.StateAcknowledged.Label())
		}
		p.say("Recorded that the acknowledgement was sent by hand by %s.", markdown.CodeSpan(p.ctx.Actor))
	case "send":
		p.sendAck = true
	}
}

func (p *plan) route(c commands.Command) {
	p.labels = slices.DeleteFunc(p.labels, func(x string) bool { return x == liaison.LabelNeedsRouting })
	var parts []string
	for _, g := range c.Groups {
		who := p.ctx.Routes[g]
		s := markdown.CodeSpan(g)
		if len(who) > 0 {
			var ms []string
			for _, w := range who {
				ms = append(ms, "@"+w)
			}
			s += " (" + strings.Join(ms, " ") + ")"
		}
		parts = append(parts, s)
	}
	p.say("Routed to %s.", strings.Join(parts, ", "))
}

func (p *plan) help() {
	if p.helped {
		return // once per comment, however often asked
	}
	p.helped = true
	var b strings.Builder
	b.WriteString("The commands of this repository, one per line in a comment:\n\n| command | what it does | who |\n| --- | --- | --- |\n")
	for _, h := range commands.AllHelp() {
		who := "anyone"
		if h.StateChanging {
			who = "triage, write or manager"
		}
		desc := h.Description
		if !h.Available {
			desc = "Not available yet. " + desc
		}
		fmt.Fprintf(&b, "| %s | %s | %s |\n", markdown.CodeSpan(h.Syntax), desc, who)
	}
	p.say("%s", strings.TrimRight(b.String(), "\n"))
}

func (p *plan) effect() Effect {
	e := Effect{Reply: p.reply, Ran: p.ran, ShowAck: p.showAck, SendAck: p.sendAck, Link: p.link,
		SetDeadline: p.setDeadline, Deadline: p.deadline, Respond: p.respond, Involve: p.involve}
	// set already left one label in each namespace a command touched; the
	// rest are made consistent as the label handler would.
	fix := liaison.Consistent(p.labels, "")
	p.labels = slices.DeleteFunc(p.labels, func(x string) bool { return slices.Contains(fix.Remove, x) })
	p.labels = append(p.labels, fix.Add...)
	for _, l := range p.labels {
		if !containsFold(p.is.Labels, l) {
			e.AddLabels = append(e.AddLabels, l)
		}
	}
	for _, l := range p.is.Labels {
		if !containsFold(p.labels, l) {
			e.RemoveLabels = append(e.RemoveLabels, l)
		}
	}
	for _, a := range p.assign {
		if !containsFold(p.is.Assignees, a) {
			e.Assign = append(e.Assign, a)
		}
	}
	for _, a := range p.is.Assignees {
		if !containsFold(p.assign, a) {
			e.Unassign = append(e.Unassign, a)
		}
	}
	switch {
	case p.is.Open && !p.open:
		e.Close = p.reason
	case !p.is.Open && p.open:
		e.Reopen = true
	}
	if len(fix.Notes) > 0 {
		e.Reply = append(e.Reply, "I also "+strings.Join(fix.Notes, "; ")+".")
	}
	return e
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}
