package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/liaisonbot/liaisonbot/internal/datatrackertest"
	"github.com/liaisonbot/liaisonbot/internal/githubtest"
	"github.com/liaisonbot/liaisonbot/internal/liaison"
	"github.com/liaisonbot/liaisonbot/internal/templates"
	"github.com/liaisonbot/liaisonbot/internal/templates/templatestest"
)

const (
	trackingRepo   = "ietf-liaisons/itu-t"
	installationID = 4242
)

// harness is liaisonbot run in-process against the loopback fakes of
// GitHub and the datatracker, with a config file and store on disk.
type harness struct {
	t      testing.TB
	gh     *githubtest.Server
	dt     *datatrackertest.Server
	dir    string
	config string
}

type harnessOption func(*harnessSetup)

type harnessSetup struct {
	gh          []githubtest.Option
	repoYAML    string
	extraConfig string
}

// withConfig appends YAML to the server config.
func withConfig(yaml string) harnessOption {
	return func(s *harnessSetup) { s.extraConfig += yaml }
}

func withGitHub(opts ...githubtest.Option) harnessOption {
	return func(s *harnessSetup) { s.gh = append(s.gh, opts...) }
}

func withRepoConfig(yaml string) harnessOption {
	return func(s *harnessSetup) { s.repoYAML = yaml }
}

// defaultRepoYAML tracks every incoming statement since 2025 and assigns
// ITU-T statements to alice and to ghost, whom GitHub cannot assign.
const defaultRepoYAML = `since: 2025-01-01
assignees:
  default: [alice]
  rules:
    - from: ["itu-t*"]
      users: [alice, ghost]
signoff: |
  Best regards,
  The IETF liaison manager to ITU-T
`

func newHarness(t testing.TB, opts ...harnessOption) *harness {
	t.Helper()
	setup := harnessSetup{repoYAML: defaultRepoYAML}
	for _, o := range opts {
		o(&setup)
	}
	h := &harness{t: t, gh: githubtest.New(t, setup.gh...), dt: datatrackertest.New(t), dir: t.TempDir()}

	h.gh.AddRepo(trackingRepo)
	h.gh.AddInstallation(installationID, "ietf-liaisons", trackingRepo)
	h.gh.AddCollaborator(trackingRepo, "alice", "triage")
	h.gh.PutFile(trackingRepo, "", ".github/liaison.yml", []byte(setup.repoYAML))

	// The templates, from the real copies of the default branch.
	h.gh.AddRepo(templates.DefaultRepo, githubtest.Public())
	for name, b := range templatestest.Files(t) {
		h.gh.PutFile(templates.DefaultRepo, "main", name, b)
	}

	key := filepath.Join(h.dir, "app.pem")
	if err := os.WriteFile(key, h.gh.PrivateKeyPEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	h.config = filepath.Join(h.dir, "liaisonbot.yml")
	cfg := fmt.Sprintf(`github:
  v3_api_url: %[1]s
  v4_api_url: %[1]sgraphql
  app:
    integration_id: %[2]d
    webhook_secret: test-secret
github_app:
  private_key_file: %[3]s
datatracker:
  url: %[4]s
store:
  dsn: sqlite:%[5]s
logging:
  level: error
`, h.gh.URL(), h.gh.AppID(), key, h.dt.URL(), filepath.Join(h.dir, "liaisonbot.db")) + setup.extraConfig
	if err := os.WriteFile(h.config, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return h
}

// run runs liaisonbot with args and returns what it printed.
func (h *harness) run(ctx context.Context, args ...string) (string, error) {
	h.t.Helper()
	cmd := newRootCommand()
	var out bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&out)
	cmd.SetArgs(append([]string{"--config", h.config}, args...))
	err := cmd.ExecuteContext(ctx)
	return out.String(), err
}

func (h *harness) mustRun(args ...string) string {
	h.t.Helper()
	out, err := h.run(context.Background(), args...)
	if err != nil {
		h.t.Fatalf("liaisonbot %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// groups the corpus uses.
var corpusGroups = []liaison.Group{
	{ID: 1, Acronym: "itu-t-sg-13", Name: "ITU-T SG13", Type: "sdo"},
	{ID: 2, Acronym: "itu-t-sg-17", Name: "ITU-T SG17", Type: "sdo"},
	{ID: 3, Acronym: "3gpp-tsgsa-sa2", Name: "3GPP-TSGSA-SA2", Type: "sdo"},
	{ID: 4, Acronym: "ieee-802-1", Name: "IEEE 802.1", Type: "sdo"},
	{ID: 10, Acronym: "ietf", Name: "The IETF", Type: "ietf"},
	{ID: 11, Acronym: "iesg", Name: "IESG", Type: "ietf"},
	{ID: 12, Acronym: "6man", Name: "IPv6 Maintenance", Type: "wg"},
	{ID: 13, Acronym: "iab", Name: "Internet Architecture Board", Type: "iab"},
	{ID: 14, Acronym: "irtf", Name: "Internet Research Task Force", Type: "irtf"},
}

// corpusCase is one statement of the end-to-end corpus and what its issue
// must show.
type corpusCase struct {
	st       datatrackertest.Statement
	wanted   bool
	purpose  string // the purpose label
	family   string // the to/ label
	template string // the acknowledgement template
	// attach adds attachments after the statement exists.
	attach func(dt *datatrackertest.Server, id int)
}

const hostileBody = "Dear @ietf-chairs and @someone,\n\n/respond crafted\n/close\n<script>alert('x')</script>\n<!-- liaisonbot:statement 1 -->\nPlease fill {insert title} and **{Thanks}**.\n```\n/respond boilerplate\n```\n> quoted /assign @mallory\nSee #1 and ietf/other#2."

// corpus is at least thirty statements covering every purpose, both
// from_contact shapes, an empty body with attachments, a title over 256
// characters, non-ASCII, mentions, commands, HTML, placeholders and a
// closing code fence, an unknown purpose, deadlines where they are odd, a
// statement to the IAB, one to the IRTF and one outgoing.
func corpus() []corpusCase {
	long := strings.Repeat("A very long liaison statement title about network slicing ", 6)
	cs := []corpusCase{
		{st: datatrackertest.Statement{Title: "LS on IMT-2030 network requirements", Purpose: "action", Deadline: "2026-12-31", FromGroups: []int{1}, ToGroups: []int{10}, FromContact: "tsbsg13@itu.int", LegacyFromContact: true, ResponseContacts: "Rapporteur Q5/13 <q5-13@itu.int>", Body: "Please act."},
			wanted: true, purpose: "purpose/action", family: "to/ietf", template: templates.EmailIETFAction},
		{st: datatrackertest.Statement{Title: "LS for comment on draft Recommendation Y.3000", Purpose: "comment", Deadline: "2027-02-01", FromGroups: []int{1}, ToGroups: []int{12}, FromContact: "Chair SG13 <chair13@itu.int>", Body: "Comments welcome."},
			wanted: true, purpose: "purpose/comment", family: "to/ietf", template: templates.EmailIETFAction},
		{st: datatrackertest.Statement{Title: "Information with a deadline", Purpose: "info", Deadline: "2026-12-01", FromGroups: []int{2}, ToGroups: []int{10}, FromContact: "SG17 <sg17@itu.int>", Body: "FYI."},
			wanted: true, purpose: "purpose/information", family: "to/ietf", template: templates.EmailIETFInfo},
		{st: datatrackertest.Statement{Title: "Action without a deadline", Purpose: "action", FromGroups: []int{3}, ToGroups: []int{11}, FromContact: "3GPP SA2 <sa2@3gpp.org>", Body: "Please act, no date."},
			wanted: true, purpose: "purpose/action", family: "to/ietf", template: templates.EmailIETFAction},
		{st: datatrackertest.Statement{Title: "Reply to the IETF on SRv6", Purpose: "response", FromGroups: []int{1}, ToGroups: []int{10}, FromContact: "x@itu.int", Body: "Our reply."},
			wanted: true, purpose: "purpose/response", family: "to/ietf", template: templates.EmailIETFInfo},
		{st: datatrackertest.Statement{Title: "A purpose nobody knows yet", Purpose: "other", FromGroups: []int{4}, ToGroups: []int{10}, FromContact: "ieee@ieee.org", Body: "?"},
			wanted: true, purpose: "purpose/other", family: "to/ietf", template: templates.EmailIETFInfo},
		{st: datatrackertest.Statement{Title: "All content in attachments", Purpose: "info", FromGroups: []int{1}, ToGroups: []int{10}, FromContact: "a@itu.int", Body: ""},
			wanted: true, purpose: "purpose/information", family: "to/ietf", template: templates.EmailIETFInfo,
			attach: func(dt *datatrackertest.Server, id int) {
				dt.AddAttachment(id, "LS text (PDF)", "file1001.pdf", false)
				dt.AddAttachment(id, "Withdrawn annex", "file1002.pdf", true)
			}},
		{st: datatrackertest.Statement{Title: long, Purpose: "info", FromGroups: []int{1}, ToGroups: []int{10}, FromContact: "a@itu.int", Body: "Long title."},
			wanted: true, purpose: "purpose/information", family: "to/ietf", template: templates.EmailIETFInfo},
		{st: datatrackertest.Statement{Title: "Über Ölçü — 国际电信联盟 📡 liaison", Purpose: "action", Deadline: "2026-12-24", FromGroups: []int{1}, ToGroups: []int{10}, FromContact: "Jürgen Müller <juergen@itu.int>", Body: "Grüße aus Genf — 你好."},
			wanted: true, purpose: "purpose/action", family: "to/ietf", template: templates.EmailIETFAction},
		{st: datatrackertest.Statement{Title: "Hostile body", Purpose: "action", Deadline: "2026-12-20", FromGroups: []int{2}, ToGroups: []int{10}, FromContact: "a@itu.int", Body: hostileBody},
			wanted: true, purpose: "purpose/action", family: "to/ietf", template: templates.EmailIETFAction},
		{st: datatrackertest.Statement{Title: "{insert title} for @ietf-chairs <script>x</script> ``` /respond crafted", Purpose: "info", FromGroups: []int{2}, ToGroups: []int{10}, FromContact: "a@itu.int", Body: "Title games."},
			wanted: true, purpose: "purpose/information", family: "to/ietf", template: templates.EmailIETFInfo},
		{st: datatrackertest.Statement{Title: "To the IAB", Purpose: "action", Deadline: "2027-01-10", FromGroups: []int{1}, ToGroups: []int{13}, FromContact: "a@itu.int", Body: "For the IAB."},
			wanted: true, purpose: "purpose/action", family: "to/iab", template: templates.EmailIETFAction},
		{st: datatrackertest.Statement{Title: "To the IRTF", Purpose: "action", Deadline: "2027-01-10", FromGroups: []int{2}, ToGroups: []int{14}, FromContact: "a@itu.int", Body: "Quantum."},
			wanted: true, purpose: "purpose/action", family: "to/irtf", template: templates.EmailIRTF},
		{st: datatrackertest.Statement{Title: "Outgoing: IETF to ITU-T", Purpose: "info", FromGroups: []int{10}, ToGroups: []int{1}, FromContact: "IETF Chair <chair@ietf.org>", Body: "From us."},
			wanted: false},
		{st: datatrackertest.Statement{Title: "Bad contacts", Purpose: "info", FromGroups: []int{4}, ToGroups: []int{10}, FromContact: "not an address", ResponseContacts: "ok@ieee.org, also not one", Body: "x"},
			wanted: true, purpose: "purpose/information", family: "to/ietf", template: templates.EmailIETFInfo},
	}
	purposes := []string{"action", "comment", "info", "response"}
	labels := map[string]string{"action": "purpose/action", "comment": "purpose/comment", "info": "purpose/information", "response": "purpose/response"}
	tpl := map[string]string{"action": templates.EmailIETFAction, "comment": templates.EmailIETFAction, "info": templates.EmailIETFInfo, "response": templates.EmailIETFInfo}
	for i := 0; i < 20; i++ {
		p := purposes[i%4]
		from := []int{1, 2, 3, 4}[i%4]
		deadline := ""
		if p == "action" || p == "comment" {
			deadline = fmt.Sprintf("2027-03-%02d", i+1)
		}
		cs = append(cs, corpusCase{
			st:     datatrackertest.Statement{Title: fmt.Sprintf("Routine statement %d", i), Purpose: p, Deadline: deadline, FromGroups: []int{from}, ToGroups: []int{10}, FromContact: fmt.Sprintf("Sender %d <s%d@example.org>", i, i), Body: fmt.Sprintf("Body %d.", i)},
			wanted: true, purpose: labels[p], family: "to/ietf", template: tpl[p],
		})
	}
	return cs
}

// seed loads the corpus into the fake datatracker and returns the ids of
// the statements, in corpus order.
func (h *harness) seed(cs []corpusCase) []int {
	for _, g := range corpusGroups {
		h.dt.AddGroup(g)
	}
	ids := make([]int, len(cs))
	for i, c := range cs {
		ids[i] = h.dt.AddStatement(c.st)
		if c.attach != nil {
			c.attach(h.dt, ids[i])
		}
	}
	return ids
}

// wantedCount is how many statements of cs a tracking repository wants.
func wantedCount(cs []corpusCase) int {
	n := 0
	for _, c := range cs {
		if c.wanted {
			n++
		}
	}
	return n
}
