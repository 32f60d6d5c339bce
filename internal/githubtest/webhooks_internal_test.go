package githubtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/liaisonbot/liaisonbot/internal/realworld"
)

// errorsTB records Errorf so a test can see the fake report a problem
// without failing itself.
type errorsTB struct {
	testing.TB
	mu     sync.Mutex
	errors []string
}

func (e *errorsTB) Errorf(format string, args ...any) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.errors = append(e.errors, fmt.Sprintf(format, args...))
}

func (e *errorsTB) recorded() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.errors...)
}

// Every event and action the fake sends must be one the description lists,
// or its payloads could not be checked.
func TestWebhookSchemasCoverWhatTheFakeSends(t *testing.T) {
	realworld.Require(t, specRel)
	v := newValidator(t)
	for _, key := range []string{
		"issues-opened", "issues-edited", "issues-closed", "issues-reopened", "issues-labeled",
		"issues-unlabeled", "issues-assigned", "issues-unassigned", "issue-comment-created", "issue-comment-edited",
		"pull-request-opened", "pull-request-closed", "pull-request-reopened", "pull-request-synchronize",
		"pull-request-review-requested", "pull-request-edited", "pull-request-labeled", "pull-request-unlabeled",
		"pull-request-assigned", "pull-request-unassigned", "pull-request-review-submitted",
	} {
		if v.webhooks[key] == nil {
			t.Errorf("no schema for x-webhooks %q", key)
		}
	}
	if got := webhookKey("issue_comment", "created"); got != "issue-comment-created" {
		t.Errorf("webhookKey = %q", got)
	}
	if got := webhookKey("pull_request", "review_requested"); got != "pull-request-review-requested" {
		t.Errorf("webhookKey = %q", got)
	}
}

// GitHub's own payloads must pass, or the validator would be stricter than
// GitHub and fail good fakes (github-api.md section 1 lists which pass).
func TestRealPayloadsValidate(t *testing.T) {
	realworld.Require(t, specRel)
	dir := realworld.Require(t, "webhooks")
	v := newValidator(t)
	for _, f := range []string{
		"issues.opened.json", "issues.opened.with-organization.json", "issues.labeled.json", "issues.edited.json",
		"issues.closed.json", "issue_comment.created.json", "issue_comment.created.with-installation.json", "issue_comment.edited.json",
		"pull_request.opened.json", "pull_request.closed.json",
	} {
		body, err := os.ReadFile(dir + "/" + f)
		if err != nil {
			t.Fatal(err)
		}
		event, _, _ := strings.Cut(f, ".")
		var p struct{ Action string }
		if err := json.Unmarshal(body, &p); err != nil {
			t.Fatal(err)
		}
		if err := v.validateWebhook(event, p.Action, body); err != nil {
			t.Errorf("%s: %s", f, shortError(err))
		}
	}
}

// A payload GitHub would never send must fail the test: the fake's payloads
// are built from its state, so each case breaks one that was rendered for
// real.
func TestBrokenWebhookPayloadFailsTheTest(t *testing.T) {
	realworld.Require(t, specRel)
	sink := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer sink.Close()
	tests := []struct {
		name          string
		event, action string
		mutate        func(p map[string]any)
		wantErr       string
	}{
		{"as rendered", "issues", "labeled", func(map[string]any) {}, ""},
		{"issue missing", "issues", "labeled", func(p map[string]any) { delete(p, "issue") }, `"/issue"`},
		{"number as a string", "issues", "labeled", func(p map[string]any) { p["issue"].(map[string]any)["number"] = "1" }, `"/issue/number"`},
		{"label without colour", "issues", "labeled", func(p map[string]any) { delete(p["label"].(map[string]any), "color") }, `"/label/color"`},
		{"sender without login", "issues", "labeled", func(p map[string]any) { delete(p["sender"].(map[string]any), "login") }, `"/sender/login"`},
		{"installation without id", "issues", "labeled", func(p map[string]any) { delete(p["installation"].(map[string]any), "id") }, `"/installation/id"`},
		{"action GitHub does not send", "issues", "exploded", func(map[string]any) {}, "lists no webhook"},
		{"edited without changes", "issues", "edited", func(map[string]any) {}, `"/changes"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := &errorsTB{TB: t}
			s := New(rec)
			s.AddInstallation(1, "ietf", "ietf/liaisons")
			s.SetWebhook(sink.URL, "secret")
			n := s.AddIssue("ietf/liaisons", Issue{Title: "t", Labels: []string{"a"}})

			s.mu.Lock()
			r := s.mustRepo("ietf/liaisons")
			is := r.issue(n)
			p := s.payload(r, s.hookInstallation(r), "alice", tc.action, map[string]any{
				"issue": s.issueJSON(r, is), "label": s.labelJSON(r, is.labels[0]),
			})
			// Round-trip, so the mutations see what goes on the wire.
			body, err := json.Marshal(p)
			if err == nil {
				p = map[string]any{}
				err = json.Unmarshal(body, &p)
			}
			if err != nil {
				s.mu.Unlock()
				t.Fatal(err)
			}
			tc.mutate(p)
			body, _ = json.Marshal(p)
			s.queuePayload(tc.event, tc.action, body, 1, r.id, "alice")
			s.mu.Unlock()
			s.WaitDeliveries(t)

			errs := rec.recorded()
			if tc.wantErr == "" {
				if len(errs) != 0 {
					t.Errorf("a rendered payload was reported: %q", errs)
				}
				return
			}
			if len(errs) != 1 || !strings.Contains(errs[0], "webhook-"+webhookKey(tc.event, tc.action)) || !strings.Contains(errs[0], tc.wantErr) {
				t.Errorf("recorded %q, want one error naming webhook-%s and %q", errs, webhookKey(tc.event, tc.action), tc.wantErr)
			}
		})
	}
}
