// Package templates holds liaisonbot's own text: the Markdown of the issues
// and comments it writes. Every value that comes from outside reaches these
// functions already made inert by package markdown; they add only the app's
// own wording and structure.
//
// The text is written in Go rather than as text/template files on purpose:
// text/template looks methods up by name at run time, and a binary that
// links it keeps every exported method of every type it uses (for
// go-github alone, thousands of API methods never called), because the
// linker cannot tell which ones a template might name. That dead code is
// about 5 MB of the binary and stays resident in a running server.
// Written in Go, the wording is also checked by the compiler.
package templates

import "strings"

// Issue is what the body of a statement's issue is made of. The sections
// between liaisonbot:begin and liaisonbot:end markers belong to the app and
// are rewritten when the statement changes; everything outside them belongs
// to people. Each section's text ends with a newline.
type Issue struct {
	Marker          string
	Metadata        string
	Assignment      string // empty: no assignment section
	Statement       string
	AckSHA          string // the template revision the draft was filled from
	Acknowledgement string
}

// IssueBody writes the body of a statement's issue.
func IssueBody(d Issue) string {
	var b strings.Builder
	b.Grow(len(d.Marker) + len(d.Metadata) + len(d.Assignment) + len(d.Statement) + len(d.Acknowledgement) + 512)
	b.WriteString(d.Marker)
	section(&b, "metadata", "", d.Metadata)
	if d.Assignment != "" {
		section(&b, "assignment", "", d.Assignment)
	}
	b.WriteString("\n\n### Statement\n")
	section(&b, "statement", "", d.Statement)
	b.WriteString("\n\n### Acknowledgement draft\n")
	attrs := ""
	if d.AckSHA != "" {
		attrs = " sha=" + d.AckSHA
	}
	section(&b, "acknowledgement", attrs, d.Acknowledgement)
	b.WriteString("\n")
	return b.String()
}

// section writes one app-kept section on a line of its own.
func section(b *strings.Builder, name, attrs, text string) {
	b.WriteString("\n<!-- liaisonbot:begin " + name + attrs + " -->\n")
	b.WriteString(text)
	b.WriteString("<!-- liaisonbot:end " + name + " -->")
}

// Update is what the comment on a statement's changed record says.
type Update struct {
	Changes []string // what changed, as people name it
	Dead    bool     // the datatracker now marks the statement dead
	AckKept bool     // the drafted acknowledgement was kept: its template changed
}

// UpdateComment writes the comment the app leaves when it rewrites an
// issue from a changed datatracker record.
func UpdateComment(u Update) string {
	var b strings.Builder
	b.WriteString("The datatracker's record of this statement changed")
	if len(u.Changes) > 0 {
		b.WriteString(": " + strings.Join(u.Changes, ", "))
	}
	b.WriteString(". The metadata and statement sections above were rewritten from it.")
	if u.Dead {
		b.WriteString("\n\nThe datatracker now marks this statement as **dead** (withdrawn). The issue stays open until someone closes it.")
	}
	if u.AckKept {
		b.WriteString("\n\nThe acknowledgement draft was kept as written: the template it came from has changed upstream since.")
	}
	b.WriteString("\n")
	return b.String()
}
