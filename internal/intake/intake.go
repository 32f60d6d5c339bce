// Package intake reads the "Incoming liaison" issue form
// (.github/ISSUE_TEMPLATE/incoming-liaison.yml): a statement that arrived
// by mail, entered by hand before it is posted on the datatracker.
package intake

import (
	"errors"
	"fmt"
	"strings"

	"github.com/liaisonbot/liaisonbot/internal/liaison"
)

// Form is what someone entered.
type Form struct {
	Title, From, Identifier, Contact, Link, Body string
	Family                                       liaison.Family
	Purpose                                      liaison.Purpose
	Deadline                                     *liaison.Date
}

// noResponse is what GitHub writes for a field left empty.
const noResponse = "_No response_"

// fields are the headings of the form's fields, in the form's order
// (.github/ISSUE_TEMPLATE/incoming-liaison.yml), lower-cased.
var fields = []string{"title", "from", "to", "purpose", "deadline", "sender's identifier", "response contact", "link", "statement"}

// Parse reads an issue body written by the form. ok is false when the body
// is not the form's (no From and Purpose sections); err names the fields
// that are present but wrong.
func Parse(body string) (f Form, ok bool, err error) {
	sections := map[string]string{}
	var cur string
	var text []string
	flush := func() {
		if cur != "" {
			v := strings.TrimSpace(strings.Join(text, "\n"))
			if v == noResponse {
				v = ""
			}
			sections[cur] = v
		}
	}
	// Only the form's own headings, each in its turn (GitHub writes every
	// field, "_No response_" when empty), start a field: a "### From"
	// inside the pasted statement (untrusted text) must not replace the
	// sender. The statement is the last field and takes the rest of the
	// body as it is.
	next := 0
	for _, line := range strings.Split(strings.ReplaceAll(body, "\r\n", "\n"), "\n") {
		if h, found := strings.CutPrefix(line, "### "); found && next < len(fields) {
			if h = strings.ToLower(strings.TrimSpace(h)); h == fields[next] {
				flush()
				cur, text = h, nil
				next++
				continue
			}
		}
		text = append(text, line)
	}
	flush()
	if _, hasFrom := sections["from"]; !hasFrom {
		return Form{}, false, nil
	}
	if _, hasPurpose := sections["purpose"]; !hasPurpose {
		return Form{}, false, nil
	}
	f = Form{
		Title:      oneLine(sections["title"]),
		From:       oneLine(sections["from"]),
		Identifier: oneLine(sections["sender's identifier"]),
		Contact:    oneLine(sections["response contact"]),
		Link:       oneLine(sections["link"]),
		Body:       sections["statement"],
	}
	var errs []error
	if f.Title == "" {
		errs = append(errs, errors.New("Title is empty"))
	}
	if f.From == "" {
		errs = append(errs, errors.New("From is empty"))
	}
	fam, okFam := liaison.ParseFamily(sections["to"])
	if !okFam {
		errs = append(errs, fmt.Errorf("To %q is not IETF, IAB or IRTF", sections["to"]))
	}
	f.Family = fam
	switch p := strings.ToLower(sections["purpose"]); p {
	case "for action":
		f.Purpose = liaison.PurposeAction
	case "for comment":
		f.Purpose = liaison.PurposeComment
	case "for information":
		f.Purpose = liaison.PurposeInformation
	case "in response":
		f.Purpose = liaison.PurposeResponse
	default:
		errs = append(errs, fmt.Errorf("Purpose %q is not one of the form's", sections["purpose"]))
	}
	if d := sections["deadline"]; d != "" {
		date, err := liaison.ParseDate(strings.TrimSpace(d))
		if err != nil {
			errs = append(errs, fmt.Errorf("Deadline: %w", err))
		} else {
			f.Deadline = &date
		}
	}
	return f, true, errors.Join(errs...)
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// Statement is the form as a statement, for rendering: no datatracker id
// yet, the sending body as a group of its own.
func (f Form) Statement() liaison.Statement {
	acronym := strings.ToLower(strings.ReplaceAll(f.From, " ", "-"))
	return liaison.Statement{
		Title:            f.Title,
		FromGroups:       []liaison.Group{{Name: f.From, Acronym: acronym, Type: "sdo"}},
		ToGroups:         []liaison.Group{{Name: f.Family.Display(), Acronym: string(f.Family), Type: string(f.Family)}},
		ResponseContacts: f.Contact,
		Purpose:          f.Purpose,
		Deadline:         f.Deadline,
		OtherIdentifiers: f.Identifier,
		Body:             f.Body,
		State:            liaison.StatePosted,
	}
}
