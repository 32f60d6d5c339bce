package githubtest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/liaisonbot/liaisonbot/internal/realworld"
)

func TestMatch(t *testing.T) {
	tests := []struct {
		method, path, want string
		params             map[string]string
	}{
		{"GET", "/repos/o/r/contents/docs/guide/READ%20ME.md", "/repos/{owner}/{repo}/contents/{path}", map[string]string{"path": "docs/guide/READ ME.md"}},
		{"DELETE", "/repos/o/r/issues/3/labels/purpose%2Faction", "/repos/{owner}/{repo}/issues/{issue_number}/labels/{name}", map[string]string{"name": "purpose/action", "issue_number": "3"}},
		{"DELETE", "/repos/o/r/issues/3/labels/purpose/action", "", nil},
		{"GET", "/repos/o/r/issues/comments", "", nil},
		{"PATCH", "/repos/o/r/issues/comments/12", "/repos/{owner}/{repo}/issues/comments/{comment_id}", map[string]string{"comment_id": "12"}},
		{"GET", "/repos/o/r/issues/12/comments", "/repos/{owner}/{repo}/issues/{issue_number}/comments", map[string]string{"issue_number": "12"}},
		{"GET", "/repos/o/r/contents/", "", nil},
		{"GET", "/api/v3/repos/o/r", "", nil},
		{"PUT", "/repos/o/r", "", nil},
		{"GET", "/repos/o/r/git/ref/heads/feature/x", "/repos/{owner}/{repo}/git/ref/{ref}", map[string]string{"ref": "heads/feature/x"}},
		{"PUT", "/repos/o/r/contents/docs/a%20b.md", "/repos/{owner}/{repo}/contents/{path}", map[string]string{"path": "docs/a b.md"}},
		{"GET", "/repos/o/r/pulls/7/files", "/repos/{owner}/{repo}/pulls/{pull_number}/files", map[string]string{"pull_number": "7"}},
		{"GET", "/repos/o/r/pulls/comments", "", nil},
		{"PATCH", "/repos/o/r/check-runs/12", "/repos/{owner}/{repo}/check-runs/{check_run_id}", map[string]string{"check_run_id": "12"}},
		{"PATCH", "/repos/o/r/check-runs/x", "", nil},
	}
	for _, tc := range tests {
		rt, params := match(tc.method, tc.path)
		got := ""
		if rt != nil {
			got = rt.pattern
		}
		if got != tc.want {
			t.Errorf("%s %s matched %q, want %q", tc.method, tc.path, got, tc.want)
			continue
		}
		for k, v := range tc.params {
			if params[k] != v {
				t.Errorf("%s %s: %s = %q, want %q", tc.method, tc.path, k, params[k], v)
			}
		}
	}
}

// Every route must name an operation of the description, so it can be
// validated and counted under GitHub's own template.
func TestRoutesAreInTheDescription(t *testing.T) {
	realworld.Require(t, specRel)
	_, ops, err := loadSpec()
	if err != nil {
		t.Fatal(err)
	}
	if len(ops) != len(routes) {
		t.Errorf("%d of %d routes found", len(ops), len(routes))
	}
}

// A response of the wrong shape must be caught, or the app could be tested
// against answers GitHub never gives.
func TestResponseValidationCatchesBrokenBodies(t *testing.T) {
	realworld.Require(t, specRel)
	v := newValidator(t)
	rt, params := match("GET", "/repos/o/r/issues/1")
	r := httptest.NewRequest("GET", "/repos/o/r/issues/1", nil)
	s := &Server{base: "http://127.0.0.1/", appSlug: "x", users: map[string]int64{}, installations: map[int64]*installation{}}
	rp := &repo{owner: "o", name: "r", collaborators: map[string]collaborator{}}
	is := &issue{number: 1, title: "t", user: "u", state: "open"}
	good := s.issueJSON(rp, is)

	for _, tc := range []struct {
		name    string
		mutate  func(map[string]any)
		wantErr bool
	}{
		{"as rendered", func(map[string]any) {}, false},
		{"number missing", func(m map[string]any) { delete(m, "number") }, true},
		{"state_reason unknown", func(m map[string]any) { m["state_reason"] = "merged" }, true},
		{"labels not a list", func(m map[string]any) { m["labels"] = "a" }, true},
	} {
		m := map[string]any{}
		for k, val := range good {
			m[k] = val
		}
		tc.mutate(m)
		body, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		c := &call{s: s, r: r, route: rt, params: params, resp: &response{status: http.StatusOK, header: http.Header{"Content-Type": {"application/json; charset=utf-8"}}, body: body}}
		err = v.validateResponse(c)
		if (err != nil) != tc.wantErr {
			t.Errorf("%s: err = %v, want error %v", tc.name, err, tc.wantErr)
		}
		if err != nil && strings.Contains(shortError(err), "\nSchema:") {
			t.Errorf("shortError kept the schema dump")
		}
	}
}
