package datatrackertest

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/liaisonbot/liaisonbot/internal/liaison"
	"github.com/liaisonbot/liaisonbot/internal/realworld"
)

type listPage struct {
	Meta struct {
		Limit      int     `json:"limit"`
		Next       *string `json:"next"`
		Offset     int     `json:"offset"`
		Previous   *string `json:"previous"`
		TotalCount int     `json:"total_count"`
	} `json:"meta"`
	Objects []map[string]any `json:"objects"`
}

// get fetches path from the fake and returns status, content type and body.
func get(t *testing.T, s *Server, path string) (int, string, []byte) {
	t.Helper()
	resp, err := http.Get(s.URL() + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	return resp.StatusCode, resp.Header.Get("Content-Type"), body
}

func getList(t *testing.T, s *Server, path string) listPage {
	t.Helper()
	status, _, body := get(t, s, path)
	if status != http.StatusOK {
		t.Fatalf("GET %s: status %d: %s", path, status, body)
	}
	var p listPage
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	return p
}

func ids(p listPage) []int {
	var out []int
	for _, o := range p.Objects {
		out = append(out, int(o["id"].(float64)))
	}
	return out
}

func newFixture(t *testing.T) *Server {
	s := New(t)
	s.AddGroup(liaison.Group{ID: 7, Acronym: "itu-t-sg-13", Name: "ITU-T SG 13", Type: "sdo"})
	s.AddGroup(liaison.Group{ID: 1, Acronym: "ietf", Name: "IETF", Type: "ietf"})
	for i := 0; i < 5; i++ {
		s.AddStatement(Statement{Title: "LS", FromGroups: []int{7}, ToGroups: []int{1}, Purpose: "info"})
	}
	return s
}

func TestListPagination(t *testing.T) {
	s := newFixture(t)
	p := getList(t, s, statementPath+"?format=json&limit=2&order_by=id")
	if got, want := ids(p), []int{1, 2}; !slices.Equal(got, want) {
		t.Errorf("first page ids = %v, want %v", got, want)
	}
	if p.Meta.TotalCount != 5 || p.Meta.Limit != 2 || p.Meta.Offset != 0 || p.Meta.Previous != nil {
		t.Errorf("first page meta = %+v", p.Meta)
	}
	if p.Meta.Next == nil || !strings.HasPrefix(*p.Meta.Next, statementPath+"?") {
		t.Fatalf("next = %v, want a relative URL on %s", p.Meta.Next, statementPath)
	}
	if !strings.Contains(*p.Meta.Next, "offset=2") || !strings.Contains(*p.Meta.Next, "order_by=id") {
		t.Errorf("next = %q, want offset=2 and the request's other parameters", *p.Meta.Next)
	}
	p = getList(t, s, *p.Meta.Next)
	if got, want := ids(p), []int{3, 4}; !slices.Equal(got, want) {
		t.Errorf("second page ids = %v, want %v", got, want)
	}
	p = getList(t, s, *p.Meta.Next)
	if got, want := ids(p), []int{5}; !slices.Equal(got, want) || p.Meta.Next != nil || p.Meta.Previous == nil {
		t.Errorf("last page ids = %v next %v previous %v, want %v, null, a link", got, p.Meta.Next, p.Meta.Previous, want)
	}
}

func TestListDefaults(t *testing.T) {
	s := New(t)
	s.AddGroup(liaison.Group{ID: 1, Acronym: "ietf", Name: "IETF", Type: "ietf"})
	for i := 0; i < 25; i++ {
		s.AddStatement(Statement{Title: "LS", ToGroups: []int{1}})
	}
	if p := getList(t, s, statementPath); len(p.Objects) != defaultLimit || p.Meta.Limit != defaultLimit {
		t.Errorf("default page: %d objects, limit %d; want %d", len(p.Objects), p.Meta.Limit, defaultLimit)
	}
	if p := getList(t, s, statementPath+"?limit=0"); len(p.Objects) != 25 || p.Meta.Limit != maxLimit || p.Meta.Next != nil {
		t.Errorf("limit=0: %d objects, limit %d, next %v; want all 25, %d, null", len(p.Objects), p.Meta.Limit, p.Meta.Next, maxLimit)
	}
	if got := ids(getList(t, s, statementPath+"?order_by=-id&limit=3")); !slices.Equal(got, []int{25, 24, 23}) {
		t.Errorf("order_by=-id: %v", got)
	}
}

func TestListFilters(t *testing.T) {
	s := newFixture(t)
	s.Kill(2)
	s.AddAttachment(3, "Annex", "file1.pdf", false)
	s.AddAttachment(4, "Other", "file2.pdf", true)
	s.Relate(5, 3)
	s.SetTime(time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC))
	s.Update(4, func(st *Statement) { st.Title = "edited" })

	tests := []struct {
		path string
		want []int
	}{
		{statementPath + "?id=3", []int{3}},
		{statementPath + "?id__gt=3&order_by=id", []int{4, 5}},
		{statementPath + "?id__in=5,1,9", []int{1, 5}},
		{statementPath + "?state=dead", []int{2}},
		{statementPath + "?state=posted&id__gt=2", []int{3, 4, 5}},
		{attachmentPath + "?statement=3", []int{1}},
		{relatedPath + "?target=3", []int{1}},
		{relatedPath + "?source=3", nil},
		// Five statements with a submitted and a posted event each (1-10),
		// the kill (11), then the edit at the new clock (12).
		{eventPath + "?statement=2&order_by=id", []int{3, 4, 11}},
		{eventPath + "?type=killed", []int{11}},
		{eventPath + "?time__gt=2025-05-31T00:00:00Z&order_by=id", []int{12}},
		{eventPath + "?id__gt=10&order_by=id", []int{11, 12}},
	}
	for _, tt := range tests {
		if got := ids(getList(t, s, tt.path)); !slices.Equal(got, tt.want) {
			t.Errorf("GET %s: ids %v, want %v", tt.path, got, tt.want)
		}
	}
}

func TestEventsDefaultNewestFirst(t *testing.T) {
	s := newFixture(t)
	got := ids(getList(t, s, eventPath+"?statement=1"))
	if !slices.Equal(got, []int{2, 1}) {
		t.Errorf("events without order_by: %v, want newest first [2 1]", got)
	}
}

func TestErrors(t *testing.T) {
	s := newFixture(t)
	tests := []struct {
		path       string
		status     int
		wantInBody string
	}{
		{statementPath + "?xyz=1", 400, `"The 'xyz' field does not allow filtering."`},
		{statementPath + "?statement=1", 400, `"The 'statement' field does not allow filtering."`},
		{statementPath + "?state__in=posted", 400, `"'in' is not an allowed filter on the 'state' field."`},
		{eventPath + "?title=x", 400, `does not allow filtering`},
		{statementPath + "?order_by=title", 400, `"The 'title' field does not allow ordering."`},
		{statementPath + "?limit=abc", 400, `Invalid limit 'abc'`},
		{statementPath + "?offset=-1", 400, `Invalid offset '-1'`},
		{statementPath + "?id__in=1,x", 400, `not a list of integers`},
		{statementPath + "99/", 404, ""},
		{groupPath + "99/", 404, ""},
		{documentPath + "nope/", 404, ""},
		{"/api/v1/nothing/", 404, "Not Found"},
	}
	for _, tt := range tests {
		status, _, body := get(t, s, tt.path)
		if status != tt.status || !strings.Contains(string(body), tt.wantInBody) {
			t.Errorf("GET %s: %d %s; want %d containing %s", tt.path, status, body, tt.status, tt.wantInBody)
		}
		if tt.status == 404 && tt.wantInBody == "" && len(body) != 0 {
			t.Errorf("GET %s: body %q, want empty as Tastypie sends", tt.path, body)
		}
	}
}

func TestRendering(t *testing.T) {
	s := New(t)
	s.AddGroup(liaison.Group{ID: 2090, Acronym: "itu-t-sg-13", Name: "ITU-T SG 13", Type: "sdo"})
	s.AddGroup(liaison.Group{ID: 1, Acronym: "ietf", Name: "IETF", Type: "ietf"})
	modern := s.AddStatement(Statement{
		ID: 1983, Title: "LS on QKD", FromGroups: []int{2090}, ToGroups: []int{1},
		FromContact: "Jane Doe <jane@example.org>", Purpose: "action", Deadline: "2026-03-31",
		Tags: []string{"required"}, Submitted: time.Date(2025, 9, 3, 14, 5, 0, 0, time.UTC),
	})
	legacy := s.AddStatement(Statement{FromContact: "Jane Doe <jane@example.org>", LegacyFromContact: true, State: "pending"})
	empty := s.AddStatement(Statement{LegacyFromContact: true})
	s.AddAttachment(modern, "Annex", "file932.txt", true)

	var st map[string]any
	_, ctype, body := get(t, s, statementPath+"1983/?format=json")
	if ctype != "application/json" {
		t.Errorf("Content-Type %q", ctype)
	}
	if err := json.Unmarshal(body, &st); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"from_contact": "Jane Doe <jane@example.org>",
		"purpose":      "/api/v1/name/liaisonstatementpurposename/action/",
		"state":        "/api/v1/name/liaisonstatementstate/posted/",
		"deadline":     "2026-03-31",
		"resource_uri": "/api/v1/liaisons/liaisonstatement/1983/",
	}
	for k, v := range want {
		if st[k] != v {
			t.Errorf("%s = %v, want %v", k, st[k], v)
		}
	}
	if g := st["from_groups"].([]any); len(g) != 1 || g[0] != "/api/v1/group/group/2090/" {
		t.Errorf("from_groups = %v", g)
	}
	if g := st["tags"].([]any); len(g) != 1 || g[0] != "/api/v1/name/liaisonstatementtagname/required/" {
		t.Errorf("tags = %v", g)
	}
	if a := st["attachments"].([]any); len(a) != 1 || a[0] != "/api/v1/doc/document/liaison-1983-attachment-1/" {
		t.Errorf("attachments = %v (removed ones stay listed, as in the M2M)", a)
	}
	ev := getList(t, s, eventPath+"?statement=1983&order_by=id")
	if len(ev.Objects) != 2 || ev.Objects[0]["time"] != "2025-09-03T14:05:00Z" ||
		ev.Objects[0]["type"] != "/api/v1/name/liaisonstatementeventtypename/submitted/" ||
		ev.Objects[1]["type"] != "/api/v1/name/liaisonstatementeventtypename/posted/" {
		t.Errorf("events = %v", ev.Objects)
	}

	for id, want := range map[int]any{legacy: "/api/v1/person/email/jane@example.org/", empty: nil} {
		var got map[string]any
		_, _, body := get(t, s, statementPath+strconv.Itoa(id)+"/")
		if err := json.Unmarshal(body, &got); err != nil {
			t.Fatal(err)
		}
		if got["from_contact"] != want {
			t.Errorf("legacy from_contact of %d = %v, want %v", id, got["from_contact"], want)
		}
	}
	if n := len(getList(t, s, eventPath+"?statement="+strconv.Itoa(legacy)).Objects); n != 1 {
		t.Errorf("pending statement has %d events, want only submitted", n)
	}

	_, _, body = get(t, s, groupPath+"2090/")
	var g map[string]any
	if err := json.Unmarshal(body, &g); err != nil {
		t.Fatal(err)
	}
	if g["acronym"] != "itu-t-sg-13" || g["type"] != "/api/v1/name/grouptypename/sdo/" {
		t.Errorf("group = %v", g)
	}
	_, _, body = get(t, s, documentPath+"liaison-1983-attachment-1/")
	var d map[string]any
	if err := json.Unmarshal(body, &d); err != nil {
		t.Fatal(err)
	}
	if d["title"] != "Annex" || d["uploaded_filename"] != "file932.txt" {
		t.Errorf("document = %v", d)
	}
}

func TestStateChangesRecordEvents(t *testing.T) {
	s := New(t)
	s.AddGroup(liaison.Group{ID: 1, Acronym: "ietf", Name: "IETF", Type: "ietf"})
	a := s.AddStatement(Statement{ToGroups: []int{1}, State: "pending"})
	s.Post(a)
	s.Update(a, func(st *Statement) { st.State = "dead" })
	s.Update(a, func(st *Statement) { st.State = "pending" })
	s.Update(a, func(st *Statement) { st.ID = 99; st.Title = "new" })
	var types []string
	for _, o := range getList(t, s, eventPath+"?statement=1&order_by=id").Objects {
		types = append(types, strings.TrimSuffix(strings.TrimPrefix(o["type"].(string), "/api/v1/name/liaisonstatementeventtypename/"), "/"))
	}
	want := []string{"submitted", "posted", "modified", "killed", "modified", "resurrected", "modified"}
	if !slices.Equal(types, want) {
		t.Errorf("event types = %v, want %v", types, want)
	}
	if st := getList(t, s, statementPath+"?id=1").Objects[0]; st["title"] != "new" || st["state"] != "/api/v1/name/liaisonstatementstate/pending/" {
		t.Errorf("statement after updates = %v (the id must not change)", st)
	}
}

func TestFailNextAndCounters(t *testing.T) {
	s := newFixture(t)
	s.FailNext(2, http.StatusServiceUnavailable)
	for i := 0; i < 2; i++ {
		if status, ctype, _ := get(t, s, statementPath); status != 503 || !strings.HasPrefix(ctype, "text/html") {
			t.Errorf("request %d: %d %s, want a 503 HTML page", i, status, ctype)
		}
	}
	if status, _, _ := get(t, s, statementPath); status != 200 {
		t.Errorf("third request: %d, want 200", status)
	}
	get(t, s, groupPath+"7/")
	if s.Requests() != 4 || s.RequestsTo(statementPath) != 3 || s.RequestsTo(groupPath+"7/") != 1 {
		t.Errorf("counts: %d total, %d statements, %d group", s.Requests(), s.RequestsTo(statementPath), s.RequestsTo(groupPath+"7/"))
	}
	if log := s.Log(); len(log) != 4 || log[3].Path != groupPath+"7/" {
		t.Errorf("log = %+v", log)
	}
	s.ResetCounts()
	if s.Requests() != 0 || s.RequestsTo(statementPath) != 0 || len(s.Log()) != 0 {
		t.Error("ResetCounts left counts")
	}
}

func TestReadOnly(t *testing.T) {
	s := newFixture(t)
	resp, err := http.Post(s.URL()+statementPath, "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST: %d, want 405", resp.StatusCode)
	}
}

// TestSlugsExistInNameTables checks the fake against the datatracker's real
// name fixture: every slug it renders must be one the datatracker has.
func TestSlugsExistInNameTables(t *testing.T) {
	path := realworld.Require(t, "datatracker/names-fixture-liaison-excerpt.json")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var fixture []struct {
		Model string `json:"model"`
		PK    string `json:"pk"`
	}
	if err := json.Unmarshal(data, &fixture); err != nil {
		t.Fatalf("failed to decode %s: %v", path, err)
	}
	names := map[string]bool{}
	for _, o := range fixture {
		names[strings.TrimPrefix(o.Model, "name.")+"/"+o.PK] = true
	}

	s := New(t)
	s.AddGroup(liaison.Group{ID: 1, Acronym: "ietf", Name: "IETF", Type: "ietf"})
	a := s.AddStatement(Statement{ToGroups: []int{1}, Purpose: "info", Tags: []string{"taken"}, State: "pending"})
	b := s.AddStatement(Statement{ToGroups: []int{1}, Purpose: "response", Tags: []string{"required"}})
	s.Update(a, func(st *Statement) { st.State = "approved" })
	s.Post(a)
	s.Kill(b)
	s.Update(b, func(st *Statement) { st.State = "pending" })
	s.AddAttachment(a, "Annex", "file1.pdf", false)
	s.Relate(b, a)

	var uris []string
	collect := func(v any) {
		if str, ok := v.(string); ok {
			uris = append(uris, str)
		}
		if list, ok := v.([]any); ok {
			for _, x := range list {
				uris = append(uris, x.(string))
			}
		}
	}
	for _, p := range []string{statementPath, eventPath, relatedPath} {
		for _, o := range getList(t, s, p+"?limit=100").Objects {
			for _, k := range []string{"purpose", "state", "tags", "type", "relationship"} {
				collect(o[k])
			}
		}
	}
	_, _, body := get(t, s, documentPath+"liaison-1-attachment-1/")
	var d map[string]any
	if err := json.Unmarshal(body, &d); err != nil {
		t.Fatal(err)
	}
	collect(d["type"])

	if len(uris) < 15 {
		t.Fatalf("collected only %d name URIs: %v", len(uris), uris)
	}
	for _, u := range uris {
		rest, ok := strings.CutPrefix(u, "/api/v1/name/")
		key := strings.TrimSuffix(rest, "/")
		if !ok || !names[key] {
			t.Errorf("the fake renders %s, which is not in the datatracker's name tables", u)
		}
	}
}
