package commands

// Help describes one form of a command, Prow-style, so that "/liaison help"
// and the README can list what a repository offers.
type Help struct {
	Name Name
	// Syntax is the form as typed: "/deadline <YYYY-MM-DD|none>".
	Syntax string
	// Description says what the form does, in one sentence.
	Description string
	// Examples are complete command lines.
	Examples []string
	// StateChanging is true when the form changes the issue, the
	// statement or the outside world; only people with triage or write
	// permission, or the configured managers, may run it.
	StateChanging bool
	// Available is false for commands that later work will provide; until
	// then they answer that they are not available yet.
	Available bool
}

// help is the table behind AllHelp, in the order DESIGN.md lists the
// commands.
var help = []Help{
	{Ack, "/ack", "Show the acknowledgement for this statement, filled in from the statement and the current labels.",
		[]string{"/ack"}, false, true},
	{Ack, "/ack send", "Email the acknowledgement to the sender, once, and mark the statement acknowledged.",
		[]string{"/ack send"}, true, true},
	{Ack, "/ack sent", "Record that the acknowledgement was sent by hand and mark the statement acknowledged.",
		[]string{"/ack sent"}, true, true},
	{Assign, "/assign [@user…]", "Assign the named people, or yourself when no one is named.",
		[]string{"/assign", "/assign @alice @bob"}, true, true},
	{Unassign, "/unassign [@user…]", "Remove the named assignees, or yourself when no one is named.",
		[]string{"/unassign", "/unassign @alice"}, true, true},
	{Route, "/route <group>…", "Set the destination by datatracker group acronym (a WG, an area, iesg, iab, irtf or an RG), mention the group's people once and clear needs-routing.",
		[]string{"/route iesg", "/route opsawg ops"}, true, true},
	{Purpose, "/purpose <action|comment|information|response>", "Correct the purpose; it decides the acknowledgement template and whether a response is due.",
		[]string{"/purpose action", "/purpose info"}, true, true},
	{To, "/to <ietf|irtf|iab>", "Correct the addressee; it decides the template set.",
		[]string{"/to irtf"}, true, true},
	{Deadline, "/deadline <YYYY-MM-DD|none>", "Override the deadline, or remove it with none.",
		[]string{"/deadline 2026-03-31", "/deadline none"}, true, true},
	{Respond, "/respond <boilerplate|crafted>", "Open the response pull request: the boilerplate reply, or a draft skeleton to write.",
		[]string{"/respond boilerplate", "/respond crafted"}, true, true},
	{Involve, "/involve @user @org/team…", "Add reviewers to the response pull request and copy them on the issue.",
		[]string{"/involve @alice @ietf/iesg"}, true, true},
	{Link, "/link <id or URL>", "Tie this issue to its statement in the datatracker.",
		[]string{"/link 1983", "/link https://datatracker.ietf.org/liaison/1983/"}, true, true},
	{Sent, "/sent <URL>", "Record the posted reply by its datatracker page and close the issue as responded.",
		[]string{"/sent https://datatracker.ietf.org/liaison/2001/"}, true, true},
	{NoResponse, "/no-response [reason]", "Close the issue without a formal reply, with an optional reason.",
		[]string{"/no-response", "/no-response for information only; noted by the WG"}, true, true},
	{Close, "/close", "Close the issue.", []string{"/close"}, true, true},
	{Reopen, "/reopen", "Reopen the issue.", []string{"/reopen"}, true, true},
	{Label, "/label <label>…", "Add labels; a label changed by hand is honoured, and the app keeps one state and one purpose.",
		[]string{"/label purpose/action", "/label deadline/soon to/iab"}, true, true},
	{RemoveLabel, "/remove-label <label>…", "Remove labels.",
		[]string{"/remove-label needs-routing"}, true, true},
	{Report, "/report", "Post the status summary of this repository's statements.",
		[]string{"/report"}, false, false},
	{LiaisonHelp, "/liaison help", "List the commands of this repository.",
		[]string{"/liaison help"}, false, true},
}

// AllHelp returns the help of every form of every command, in a fixed order.
// A command with subcommands, such as /ack, has one entry per form.
func AllHelp() []Help {
	out := make([]Help, len(help))
	for i, h := range help {
		h.Examples = append([]string(nil), h.Examples...)
		out[i] = h
	}
	return out
}

// StateChanging reports whether some form of the command changes state:
// true for Ack, whose "/ack send" and "/ack sent" do, although "/ack" only
// shows. Authorise a parsed command with Command.StateChanging instead.
func (n Name) StateChanging() bool {
	for _, h := range help {
		if h.Name == n && h.StateChanging {
			return true
		}
	}
	return false
}

// Available reports whether the command is provided yet.
func (n Name) Available() bool {
	for _, h := range help {
		if h.Name == n {
			return h.Available
		}
	}
	return false
}

// Known reports whether n is one of this package's commands.
func (n Name) Known() bool {
	for _, h := range help {
		if h.Name == n {
			return true
		}
	}
	return false
}

// StateChanging reports whether running c changes state and so needs
// triage or write permission: "/ack" alone only shows the acknowledgement.
func (c Command) StateChanging() bool {
	if c.Name == Ack {
		return c.Sub != ""
	}
	return c.Name.StateChanging()
}
