package tracker

import (
	"cmp"
	"fmt"
	"net/mail"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/liaisonbot/liaisonbot/internal/liaison"
	"github.com/liaisonbot/liaisonbot/internal/markdown"
	"github.com/liaisonbot/liaisonbot/internal/store"
	"github.com/liaisonbot/liaisonbot/internal/templates"
	apptemplates "github.com/liaisonbot/liaisonbot/templates"
)

// GitHub's limits on issue text, in characters.
const (
	MaxTitle = 256
	MaxBody  = 65536
)

// CoordinationCc is copied on every liaison mail, as the templates
// repository's README asks.
const CoordinationCc = "liaison-coordination@iab.org"

// IssueSpec is everything one create request carries.
type IssueSpec struct {
	Title     string   `json:"title"`
	Body      string   `json:"body"`
	Labels    []string `json:"labels"`
	Assignees []string `json:"assignees"`
}

// Acknowledgement is the drafted acknowledgement mail of a statement.
type Acknowledgement struct {
	Template string   `json:"template"`
	SHA      string   `json:"template_sha,omitempty"`
	Subject  string   `json:"subject"`
	To       []string `json:"to"`
	Cc       []string `json:"cc"`
	Body     string   `json:"body"`
	// Invalid lists recipients that are not valid addresses: shown, never mailed.
	Invalid []string `json:"invalid_recipients,omitempty"`
	// Sendable is false when the draft must not be mailed as it is; Problem says why.
	Sendable bool   `json:"sendable"`
	Problem  string `json:"problem,omitempty"`
}

// Target is one tracking repository's view of one statement: what its
// configuration decided for it.
type Target struct {
	Repo      string
	Family    liaison.Family
	Assignees []string
	// Dropped are configured assignees GitHub cannot assign here; the issue
	// notes them instead of failing.
	Dropped []string
	Signoff string
	// Deadline is a deadline a person set with /deadline; it wins over the
	// statement's.
	Deadline *store.Deadline
	// Page is the public page the acknowledgement points readers to;
	// empty means the statement's datatracker page. A statement entered by
	// hand (ID 0) has none yet: its issue stands in.
	Page string
}

// Draft is a rendered issue and its acknowledgement.
type Draft struct {
	Issue IssueSpec
	Ack   *Acknowledgement
}

// Renderer turns statements into issue drafts.
type Renderer struct {
	// DatatrackerURL is the public base of statement pages.
	DatatrackerURL string
	// Templates are the liaison templates by file name, read once per pass
	// so every issue of a pass uses the same wording.
	Templates map[string]templates.Template
	// TemplatesErr says why a template is missing from Templates.
	TemplatesErr error
}

// Title is the issue title of a statement: "LS <id>: <title>", cut to
// GitHub's 256 characters on a character boundary.
func Title(st *liaison.Statement) string {
	t := markdown.PlainLine(st.Title)
	if t == "" {
		t = "(untitled)"
	}
	return markdown.Truncate(fmt.Sprintf("LS %d: %s", st.ID, t), MaxTitle)
}

// Render drafts the issue of st for one repository. A template problem
// does not stop the draft: the acknowledgement is marked not sendable and
// names the problem.
func (r *Renderer) Render(st *liaison.Statement, tg Target) Draft {
	cls := liaison.Classify(st, tg.Family)
	var ack *Acknowledgement
	if cls.Incoming {
		// The IETF acknowledges what it receives, not what it sends.
		ack = r.acknowledgement(st, cls.Family, tg.Signoff, cmp.Or(tg.Page, st.URL(r.DatatrackerURL)))
	}
	body := r.body(st, tg, ack)
	return Draft{
		Issue: IssueSpec{
			Title:     Title(st),
			Body:      body,
			Labels:    cls.Labels(),
			Assignees: append([]string{}, tg.Assignees...),
		},
		Ack: ack,
	}
}

func (r *Renderer) acknowledgement(st *liaison.Statement, fam liaison.Family, signoff, page string) *Acknowledgement {
	name := templates.AcknowledgementName(st.Purpose, fam)
	ack := &Acknowledgement{Template: name, Cc: []string{CoordinationCc}}
	ack.To, ack.Invalid = Recipients(st)
	tpl, ok := r.Templates[name]
	if !ok {
		ack.Problem = fmt.Sprintf("the template %s could not be read", name)
		if r.TemplatesErr != nil {
			ack.Problem += ": " + r.TemplatesErr.Error()
		}
		return ack
	}
	ack.SHA = tpl.SHA
	f, err := templates.Fill(tpl, templates.Values{
		Title:  markdown.PlainLine(st.Title),
		From:   st.FromNames(),
		Link:   page,
		Thanks: signoff,
	})
	switch {
	case err != nil:
		ack.Problem = err.Error()
	case len(ack.To) == 0:
		ack.Subject, ack.Body = f.Subject, f.Text
		ack.Problem = "the statement names no valid address to acknowledge (response contacts or from contact)"
	default:
		// The mail is plain text: the template's Markdown is undone.
		ack.Subject, ack.Body, ack.Sendable = f.Subject, f.Text, true
	}
	return ack
}

// Recipients are the acknowledgement's addressees: the statement's response
// contacts, else its from contact. Entries that are not valid addresses are
// returned apart so they are shown but never mailed.
func Recipients(st *liaison.Statement) (valid, invalid []string) {
	src := st.ResponseContacts
	if strings.TrimSpace(src) == "" {
		src = st.FromContact
	}
	src = strings.NewReplacer("\r\n", ",", "\n", ",", ";", ",").Replace(src)
	if strings.TrimSpace(src) == "" {
		return nil, nil
	}
	if list, err := mail.ParseAddressList(src); err == nil {
		for _, a := range list {
			valid = append(valid, displayAddress(a))
		}
		return valid, nil
	}
	// One bad entry spoils ParseAddressList; take the entries one by one.
	for _, part := range splitAddresses(src) {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if a, err := mail.ParseAddress(part); err == nil {
			valid = append(valid, displayAddress(a))
		} else {
			invalid = append(invalid, part)
		}
	}
	return valid, invalid
}

// splitAddresses splits a comma-separated address list at the commas that
// separate entries, not those inside a quoted name ("Doe, John" <j@x.org>)
// or an angle-bracketed address.
func splitAddresses(s string) []string {
	var out []string
	quoted, angle, start := false, false, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\' && quoted:
			i++
		case c == '"':
			quoted = !quoted
		case c == '<' && !quoted:
			angle = true
		case c == '>' && !quoted:
			angle = false
		case c == ',' && !quoted && !angle:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

// displayAddress writes an address as people read it: "Name <addr>", the
// name in quotes only where RFC 5322 needs them and never RFC 2047-encoded
// (mail headers encode it when the mail is sent).
func displayAddress(a *mail.Address) string {
	if a.Name == "" {
		return "<" + a.Address + ">"
	}
	if strings.ContainsAny(a.Name, "()<>[]:;@\\,.\"") {
		return strconv.Quote(a.Name) + " <" + a.Address + ">"
	}
	return a.Name + " <" + a.Address + ">"
}

// Marker is the hidden, machine-readable line that ties an issue to its
// statement; the app finds its issues by it when the store lost track. A
// statement entered by hand, with no datatracker id yet, gets ManualMarker.
func Marker(id int) string {
	if id == 0 {
		return ManualMarker
	}
	return fmt.Sprintf("<!-- liaisonbot:statement %d -->", id)
}

// ManualMarker marks an issue the app normalised from the intake form.
const ManualMarker = "<!-- liaisonbot:manual -->"

func (r *Renderer) body(st *liaison.Statement, tg Target, ack *Acknowledgement) string {
	d := apptemplates.Issue{
		Marker:          Marker(st.ID),
		Metadata:        r.metadata(st, tg),
		Assignment:      assignmentNote(tg),
		Acknowledgement: ackSection(ack),
	}
	if ack != nil {
		d.AckSHA = ack.SHA
	}
	d.Statement = r.statementSection(st, func(quote string) int {
		d.Statement = quote
		return utf8.RuneCountInString(apptemplates.IssueBody(d))
	})
	return apptemplates.IssueBody(d)
}

// statementSection quotes the body inertly and, when the issue would pass
// GitHub's limit, cuts the quote at a line and links the full text.
func (r *Renderer) statementSection(st *liaison.Statement, size func(string) int) string {
	text := st.Body
	if strings.TrimSpace(text) == "" {
		return "_The statement has no body text; its content is in the attachments._\n"
	}
	quote := markdown.Quote(text)
	const margin = 64 // room for GitHub counting differently than runes
	if size(quote) <= MaxBody-margin {
		return quote
	}
	note := fmt.Sprintf("\n_The statement is too long for an issue and was cut here; read the full text on the [datatracker](%s)._\n",
		safeURL(st.URL(r.DatatrackerURL)))
	lines := strings.Split(text, "\n")
	lo, hi := 0, len(lines)
	for lo < hi { // the longest prefix of lines that fits
		mid := (lo + hi + 1) / 2
		if size(markdown.Quote(strings.Join(lines[:mid], "\n"))+note) <= MaxBody-margin {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	cut := strings.Join(lines[:lo], "\n")
	if lo == 0 { // one enormous line: cut by characters
		runes := []rune(lines[0])
		n := len(runes)
		for n > 0 && size(markdown.Quote(string(runes[:n]))+note) > MaxBody-margin {
			n = n * 3 / 4
		}
		cut = string(runes[:n])
	}
	if strings.TrimSpace(cut) == "" {
		return note
	}
	return markdown.Quote(cut) + note
}

func (r *Renderer) metadata(st *liaison.Statement, tg Target) string {
	var b strings.Builder
	row := func(k, v string) {
		if v == "" {
			v = "—"
		}
		fmt.Fprintf(&b, "| **%s** | %s |\n", k, v)
	}
	b.WriteString("| | |\n| --- | --- |\n")
	row("Title", cell(st.Title))
	row("From", groups(st.FromGroups))
	row("From contact", cell(st.FromContact))
	row("To", groups(st.ToGroups))
	row("To contacts", cell(st.ToContacts))
	row("Response contacts", cell(st.ResponseContacts))
	row("Technical contacts", cell(st.TechnicalContacts))
	row("Action holders", cell(st.ActionHolderContacts))
	row("Cc", cell(st.CcContacts))
	row("Purpose", markdown.Inline(st.Purpose.Display()))
	row("Addressed to", liaison.Classify(st, tg.Family).Family.Display())
	row("Deadline", DeadlineCell(st, tg.Deadline))
	row("Sender's identifier", cell(st.OtherIdentifiers))
	if st.ID == 0 {
		row("Datatracker", "not posted yet: entered by hand; `/link <id>` ties it once it is")
	} else {
		row("Datatracker", fmt.Sprintf("[LS %d](%s)", st.ID, safeURL(st.URL(r.DatatrackerURL))))
	}
	if !st.Posted.IsZero() {
		row("Posted", st.Posted.UTC().Format("2006-01-02 15:04 UTC"))
	} else if !st.Submitted.IsZero() {
		row("Submitted", st.Submitted.UTC().Format("2006-01-02 15:04 UTC"))
	}
	if st.State != liaison.StatePosted {
		row("Datatracker state", markdown.Inline(st.State))
	}
	var atts []string
	for i, a := range st.Attachments {
		if i == maxListed {
			atts = append(atts, fmt.Sprintf("… %d more on the datatracker", len(st.Attachments)-maxListed))
			break
		}
		title := a.Title
		if strings.TrimSpace(title) == "" {
			title = "attachment"
		}
		atts = append(atts, fmt.Sprintf("[%s](%s)", cell(title), safeURL(a.URL)))
	}
	row("Attachments", strings.Join(atts, "<br>"))
	var rel []string
	for i, rs := range st.Related {
		if i == maxListed {
			rel = append(rel, fmt.Sprintf("… %d more on the datatracker", len(st.Related)-maxListed))
			break
		}
		s := fmt.Sprintf("[LS %d](%s)", rs.ID, safeURL((&liaison.Statement{ID: rs.ID}).URL(r.DatatrackerURL)))
		if rs.Title != "" {
			s += " " + cell(rs.Title)
		}
		if rs.ReferedBy {
			s += " (refers to this one)"
		}
		rel = append(rel, s)
	}
	row("Related statements", strings.Join(rel, "<br>"))
	return b.String()
}

// assignmentNote says which configured assignees GitHub could not assign.
// It is written when the issue is made and is its own section, so updates
// from the datatracker (which do not check assignees again) leave it.
func assignmentNote(tg Target) string {
	if len(tg.Dropped) == 0 {
		return ""
	}
	var names []string
	for _, d := range tg.Dropped {
		names = append(names, markdown.CodeSpan(d))
	}
	return "Not assigned: " + strings.Join(names, ", ") + " — configured in `.github/liaison.yml`, but GitHub cannot assign them in this repository (no access, or not a user).\n"
}

// Bounds on metadata cells, so outside text cannot push the issue past
// GitHub's body limit however long its contact lists are.
const (
	maxCell   = 1000
	maxListed = 30
)

// cell is an escaped, length-bounded table cell.
func cell(s string) string {
	return markdown.Inline(markdown.Truncate(s, maxCell))
}

// DeadlineCell is the metadata table's deadline: the one a person set,
// saying so and what the statement says, else the statement's own.
func DeadlineCell(st *liaison.Statement, set *store.Deadline) string {
	own := "none given"
	if st != nil && st.Deadline != nil && !st.Deadline.IsZero() {
		own = st.Deadline.String()
	}
	if set != nil {
		d := "none"
		if !set.Date.IsZero() {
			d = set.Date.String()
		}
		return fmt.Sprintf("%s (set with `/deadline` by %s; the statement says %s)", d, markdown.CodeSpan(set.SetBy), own)
	}
	if st != nil && st.Purpose.NeedsResponse() && own == "none given" {
		return "none given (an action statement normally has one: check with the sender)"
	}
	return own
}

// SetDeadlineRow rewrites the deadline row of a body's metadata table.
func SetDeadlineRow(body, cell string) string {
	done := false
	return deadlineRowRE.ReplaceAllStringFunc(body, func(row string) string {
		if done {
			return row
		}
		done = true
		return "| **Deadline** | " + cell + " |"
	})
}

var deadlineRowRE = regexp.MustCompile(`(?m)^\| \*\*Deadline\*\* \| .* \|$`)

func groups(gs []liaison.Group) string {
	var parts []string
	for _, g := range gs {
		name := g.DisplayName()
		s := cell(name)
		if g.Acronym != "" && g.Acronym != name {
			s += " (" + markdown.CodeSpan(g.Acronym) + ")"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, ", ")
}

func ackSection(ack *Acknowledgement) string {
	var b strings.Builder
	if ack == nil {
		b.WriteString("_No acknowledgement: the IETF sent this statement._\n")
		return b.String()
	}
	fmt.Fprintf(&b, "From the template %s", markdown.CodeSpan(ack.Template))
	if ack.SHA != "" {
		fmt.Fprintf(&b, " (blob %s)", markdown.CodeSpan(shortSHA(ack.SHA)))
	}
	b.WriteString(" of the liaison templates.\n\n")
	if !ack.Sendable {
		fmt.Fprintf(&b, "> [!WARNING]\n> Not sendable as it is: %s\n\n", markdown.Inline(ack.Problem))
	}
	if len(ack.Invalid) > 0 {
		var bad []string
		for _, s := range ack.Invalid {
			bad = append(bad, markdown.CodeSpan(s))
		}
		fmt.Fprintf(&b, "Not valid addresses, so never mailed: %s\n\n", strings.Join(bad, ", "))
	}
	if ack.Subject == "" && ack.Body == "" {
		return b.String()
	}
	b.WriteString(AckText(ack))
	return b.String()
}

// AckText is an acknowledgement as the mail reads, in a code fence: the
// title and names in it are outside text, and a fence keeps them inert.
func AckText(ack *Acknowledgement) string {
	var mailText strings.Builder
	fmt.Fprintf(&mailText, "Subject: %s\n", ack.Subject)
	fmt.Fprintf(&mailText, "To: %s\n", strings.Join(ack.To, ", "))
	fmt.Fprintf(&mailText, "Cc: %s\n\n", strings.Join(ack.Cc, ", "))
	mailText.WriteString(ack.Body)
	return markdown.Fence("text", mailText.String())
}

func shortSHA(s string) string {
	if len(s) > 12 {
		return s[:12]
	}
	return s
}

// safeURL makes an outside URL usable as a Markdown link destination: only
// http and https, and every character that could end the destination is
// percent-encoded.
func safeURL(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "#"
	}
	s := u.String()
	return strings.NewReplacer("(", "%28", ")", "%29", " ", "%20", "<", "%3C", ">", "%3E", "\"", "%22", "`", "%60").Replace(s)
}
