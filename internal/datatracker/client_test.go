package datatracker_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/liaisonbot/liaisonbot/internal/datatracker"
	"github.com/liaisonbot/liaisonbot/internal/datatrackertest"
	"github.com/liaisonbot/liaisonbot/internal/liaison"
)

const (
	statementPath = "/api/v1/liaisons/liaisonstatement/"
	eventPath     = "/api/v1/liaisons/liaisonstatementevent/"
)

var (
	sg13 = liaison.Group{ID: 2090, Acronym: "itu-t-sg-13", Name: "ITU-T Study Group 13", Type: "sdo"}
	ietf = liaison.Group{ID: 1, Acronym: "ietf", Name: "Internet Engineering Task Force", Type: "ietf"}
	iab  = liaison.Group{ID: 7, Acronym: "iab", Name: "Internet Architecture Board", Type: "ietf"}
)

// newServer is a fake datatracker with the groups most tests use.
func newServer(t *testing.T) *datatrackertest.Server {
	s := datatrackertest.New(t)
	s.AddGroup(sg13)
	s.AddGroup(ietf)
	s.AddGroup(iab)
	return s
}

// newClient is a client of url with fast retries.
func newClient(t *testing.T, url string, opts ...datatracker.Option) *datatracker.Client {
	t.Helper()
	opts = append([]datatracker.Option{datatracker.WithRetry(3, time.Millisecond, 5*time.Millisecond)}, opts...)
	c, err := datatracker.New(url, opts...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

func incoming(title string) datatrackertest.Statement {
	return datatrackertest.Statement{
		Title: title, FromGroups: []int{sg13.ID}, ToGroups: []int{ietf.ID},
		FromContact: "Jane Doe <jane@example.org>", Purpose: "info", Body: "text",
	}
}

func collect(t *testing.T, c *datatracker.Client, q datatracker.Query) []int {
	t.Helper()
	var ids []int
	err := c.Statements(context.Background(), q, func(st liaison.Statement) error {
		ids = append(ids, st.ID)
		return nil
	})
	if err != nil {
		t.Fatalf("Statements(%+v): %v", q, err)
	}
	return ids
}

func TestStatementResolved(t *testing.T) {
	s := newServer(t)
	submitted := time.Date(2025, 9, 3, 14, 5, 0, 0, time.UTC)
	id := s.AddStatement(datatrackertest.Statement{
		ID: 1983, Title: "LS on QKD networks", FromGroups: []int{sg13.ID}, ToGroups: []int{ietf.ID, iab.ID},
		FromContact: "Jane Doe <jane@example.org>", ToContacts: "ietf-chair@ietf.org, iab-chair@iab.org",
		ResponseContacts: "tsbsg13@itu.int", TechnicalContacts: "tech@example.org",
		ActionHolderContacts: "holder@example.org", CcContacts: "itu-t-liaison@iab.org",
		Purpose: "action", Deadline: "2026-03-31", OtherIdentifiers: "SG13-LS123",
		Body: "Please comment.", Tags: []string{"required"}, Submitted: submitted,
	})
	c := newClient(t, s.URL())
	st, err := c.Statement(context.Background(), id)
	if err != nil {
		t.Fatalf("Statement: %v", err)
	}
	deadline := liaison.Date{Year: 2026, Month: time.March, Day: 31}
	want := liaison.Statement{
		ID: 1983, Title: "LS on QKD networks",
		FromGroups: []liaison.Group{sg13}, ToGroups: []liaison.Group{ietf, iab},
		FromContact: "Jane Doe <jane@example.org>", ToContacts: "ietf-chair@ietf.org, iab-chair@iab.org",
		ResponseContacts: "tsbsg13@itu.int", TechnicalContacts: "tech@example.org",
		ActionHolderContacts: "holder@example.org", CcContacts: "itu-t-liaison@iab.org",
		Purpose: liaison.PurposeAction, Deadline: &deadline, OtherIdentifiers: "SG13-LS123",
		Body: "Please comment.", Tags: []string{"required"}, State: "posted",
		Submitted: submitted, Posted: submitted,
	}
	assertStatement(t, st, want)
	if !st.Incoming() {
		t.Error("statement from an sdo group is not incoming")
	}
}

func assertStatement(t *testing.T, got, want liaison.Statement) {
	t.Helper()
	if (got.Deadline == nil) != (want.Deadline == nil) || (got.Deadline != nil && *got.Deadline != *want.Deadline) {
		t.Errorf("Deadline = %v, want %v", got.Deadline, want.Deadline)
	}
	got.Deadline, want.Deadline = nil, nil
	if !got.Submitted.Equal(want.Submitted) || !got.Posted.Equal(want.Posted) {
		t.Errorf("Submitted, Posted = %v, %v; want %v, %v", got.Submitted, got.Posted, want.Submitted, want.Posted)
	}
	got.Submitted, got.Posted, want.Submitted, want.Posted = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	if !equalStatements(got, want) {
		t.Errorf("statement =\n%+v\nwant\n%+v", got, want)
	}
}

func equalStatements(a, b liaison.Statement) bool {
	return a.ID == b.ID && a.Title == b.Title && slices.Equal(a.FromGroups, b.FromGroups) &&
		a.FromContact == b.FromContact && slices.Equal(a.ToGroups, b.ToGroups) &&
		a.ToContacts == b.ToContacts && a.ResponseContacts == b.ResponseContacts &&
		a.TechnicalContacts == b.TechnicalContacts && a.ActionHolderContacts == b.ActionHolderContacts &&
		a.CcContacts == b.CcContacts && a.Purpose == b.Purpose && a.OtherIdentifiers == b.OtherIdentifiers &&
		a.Body == b.Body && slices.Equal(a.Tags, b.Tags) && a.State == b.State &&
		slices.Equal(a.Attachments, b.Attachments) && slices.Equal(a.Related, b.Related)
}

func TestStatementNotFound(t *testing.T) {
	s := newServer(t)
	c := newClient(t, s.URL())
	_, err := c.Statement(context.Background(), 4242)
	if !errors.Is(err, datatracker.ErrNotFound) {
		t.Fatalf("err = %v, want ErrNotFound", err)
	}
	if !strings.Contains(err.Error(), "/api/v1/liaisons/liaisonstatement/4242/") || !strings.Contains(err.Error(), "404 Not Found") {
		t.Errorf("err = %q, want the URL and status", err)
	}
	if s.Requests() != 1 {
		t.Errorf("%d requests for a 404, want 1 (no retry)", s.Requests())
	}
}

func TestFromContactShapes(t *testing.T) {
	tests := []struct {
		name   string
		st     datatrackertest.Statement
		wanted string
	}{
		{"mailbox", datatrackertest.Statement{FromContact: "Jane Doe <jane@example.org>"}, "Jane Doe <jane@example.org>"},
		{"legacy email URI", datatrackertest.Statement{FromContact: "Jane Doe <jane@example.org>", LegacyFromContact: true}, "jane@example.org"},
		{"empty", datatrackertest.Statement{}, ""},
		{"legacy null", datatrackertest.Statement{LegacyFromContact: true}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newServer(t)
			tt.st.ToGroups = []int{ietf.ID}
			id := s.AddStatement(tt.st)
			st, err := newClient(t, s.URL()).Statement(context.Background(), id)
			if err != nil {
				t.Fatal(err)
			}
			if st.FromContact != tt.wanted {
				t.Errorf("FromContact = %q, want %q", st.FromContact, tt.wanted)
			}
		})
	}
}

func TestAttachmentsWithEmptyBody(t *testing.T) {
	s := newServer(t)
	st := incoming("LS in attachments only")
	st.Body = ""
	id := s.AddStatement(st)
	s.AddAttachment(id, "LS text", "liaison-2025-09-03-itu-t-sg-13-attachment-1.pdf", false)
	s.AddAttachment(id, "Withdrawn draft", "file2.doc", true)
	s.AddAttachment(id, "", "file 3.txt", false)

	c := newClient(t, s.URL(), datatracker.WithAttachmentBaseURL("https://files.example.org/liaison"))
	got, err := c.Statement(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if got.Body != "" {
		t.Errorf("Body = %q, want empty", got.Body)
	}
	want := []liaison.Attachment{
		{Title: "LS text", URL: "https://files.example.org/liaison/liaison-2025-09-03-itu-t-sg-13-attachment-1.pdf"},
		{Title: "liaison-1-attachment-3", URL: "https://files.example.org/liaison/file%203.txt"},
	}
	if !slices.Equal(got.Attachments, want) {
		t.Errorf("Attachments = %+v, want %+v (removed one skipped, untitled one named)", got.Attachments, want)
	}

	def := newClient(t, s.URL())
	got, err = def.Statement(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if u := got.Attachments[0].URL; u != datatracker.DefaultAttachmentBaseURL+"liaison-2025-09-03-itu-t-sg-13-attachment-1.pdf" {
		t.Errorf("default attachment URL = %q", u)
	}
}

func TestPurposes(t *testing.T) {
	tests := []struct {
		slug string
		want liaison.Purpose
	}{
		{"action", liaison.PurposeAction},
		{"comment", liaison.PurposeComment},
		{"info", liaison.PurposeInformation},
		{"response", liaison.PurposeResponse},
		{"consultation", liaison.Purpose("consultation")},
	}
	s := newServer(t)
	c := newClient(t, s.URL())
	for _, tt := range tests {
		st := incoming("LS " + tt.slug)
		st.Purpose = tt.slug
		id := s.AddStatement(st)
		got, err := c.Statement(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if got.Purpose != tt.want {
			t.Errorf("purpose slug %q → %q, want %q", tt.slug, got.Purpose, tt.want)
		}
	}
}

func TestDeadlineAndStates(t *testing.T) {
	s := newServer(t)
	withDeadline := incoming("with deadline")
	withDeadline.Deadline = "2026-02-28"
	withDeadline.State = "pending"
	a := s.AddStatement(withDeadline)
	b := s.AddStatement(incoming("no deadline"))
	c := newClient(t, s.URL())

	st, err := c.Statement(context.Background(), a)
	if err != nil {
		t.Fatal(err)
	}
	if st.Deadline == nil || st.Deadline.String() != "2026-02-28" {
		t.Errorf("Deadline = %v, want 2026-02-28", st.Deadline)
	}
	if st.State != "pending" || !st.Posted.IsZero() || st.Submitted.IsZero() {
		t.Errorf("pending statement: state %q, submitted %v, posted %v", st.State, st.Submitted, st.Posted)
	}
	st, err = c.Statement(context.Background(), b)
	if err != nil {
		t.Fatal(err)
	}
	if st.Deadline != nil {
		t.Errorf("Deadline = %v, want nil for null", st.Deadline)
	}
}

func TestSubmittedFirstPostedLast(t *testing.T) {
	s := newServer(t)
	first := time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)
	st := incoming("resubmitted")
	st.Submitted = first
	id := s.AddStatement(st)
	s.SetTime(time.Date(2025, 3, 2, 8, 0, 0, 0, time.UTC))
	s.AddEvent(id, "submitted")
	s.Kill(id)
	s.Update(id, func(st *datatrackertest.Statement) { st.State = "pending" })
	s.Post(id)
	got, err := newClient(t, s.URL()).Statement(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	// Clock: submitted 08:00, killed 08:01, modified 08:02, resurrected 08:03, posted 08:04.
	if want := time.Date(2025, 3, 2, 8, 4, 0, 0, time.UTC); !got.Submitted.Equal(first) || !got.Posted.Equal(want) {
		t.Errorf("Submitted, Posted = %v, %v; want %v, %v", got.Submitted, got.Posted, first, want)
	}
}

func TestRelatedBothDirections(t *testing.T) {
	s := newServer(t)
	original := s.AddStatement(incoming("Original LS"))
	reply := s.AddStatement(incoming("Reply to Original LS"))
	earlier := s.AddStatement(incoming("Earlier LS"))
	s.Relate(reply, original)
	s.Relate(original, earlier)
	s.Relate(reply, original) // a duplicate link shows once

	c := newClient(t, s.URL())
	st, err := c.Statement(context.Background(), original)
	if err != nil {
		t.Fatal(err)
	}
	want := []liaison.Related{
		{ID: earlier, Title: "Earlier LS"},
		{ID: reply, Title: "Reply to Original LS", ReferedBy: true},
	}
	if !slices.Equal(st.Related, want) {
		t.Errorf("Related = %+v, want %+v", st.Related, want)
	}
}

func TestStatementsPagination(t *testing.T) {
	s := newServer(t)
	for i := 1; i <= 5; i++ {
		s.AddStatement(incoming("LS " + strconv.Itoa(i)))
	}
	s.Kill(2)
	c := newClient(t, s.URL(), datatracker.WithPageSize(2))

	if got := collect(t, c, datatracker.Query{}); !slices.Equal(got, []int{1, 2, 3, 4, 5}) {
		t.Errorf("all = %v", got)
	}
	if n := s.RequestsTo(statementPath); n != 3 {
		t.Errorf("%d list requests for 5 statements at 2 a page, want 3", n)
	}
	for _, r := range s.Log() {
		if lim := r.Query.Get("limit"); isList(r.Path) && lim != "2" {
			t.Errorf("request %s?%s: limit %q, want 2", r.Path, r.Query.Encode(), lim)
		}
		if r.Query.Get("format") != "json" || r.Header.Get("Accept") != "application/json" ||
			!strings.HasPrefix(r.Header.Get("User-Agent"), "liaisonbot/") {
			t.Errorf("request %s?%s: format %q, Accept %q, User-Agent %q", r.Path, r.Query.Encode(),
				r.Query.Get("format"), r.Header.Get("Accept"), r.Header.Get("User-Agent"))
		}
	}

	tests := []struct {
		q    datatracker.Query
		want []int
	}{
		{datatracker.Query{AfterID: 2}, []int{3, 4, 5}},
		{datatracker.Query{State: "posted"}, []int{1, 3, 4, 5}},
		{datatracker.Query{State: "dead"}, []int{2}},
		{datatracker.Query{IDs: []int{5, 1, 3, 9, 5}}, []int{1, 3, 5}},
		{datatracker.Query{IDs: []int{5, 1, 3}, AfterID: 1}, []int{3, 5}},
		{datatracker.Query{IDs: []int{}}, nil},
	}
	for _, tt := range tests {
		if got := collect(t, c, tt.q); !slices.Equal(got, tt.want) {
			t.Errorf("Statements(%+v) = %v, want %v", tt.q, got, tt.want)
		}
	}

	s.ResetCounts()
	collect(t, c, datatracker.Query{IDs: []int{5, 1, 3, 9}})
	if n := s.RequestsTo(statementPath); n != 2 {
		t.Errorf("%d list requests for 4 ids at 2 a chunk, want 2", n)
	}
	for _, r := range s.Log() {
		if r.Path == statementPath && r.Query.Get("id__in") == "" {
			t.Errorf("IDs query sent %s?%s without id__in", r.Path, r.Query.Encode())
		}
	}
}

// isList reports whether path is a list endpoint (its last segment names
// the resource rather than an object).
func isList(path string) bool {
	switch path {
	case statementPath, eventPath, "/api/v1/liaisons/liaisonstatementattachment/", "/api/v1/liaisons/relatedliaisonstatement/":
		return true
	}
	return false
}

func TestStatementsStopsAtCallbackError(t *testing.T) {
	s := newServer(t)
	for i := 0; i < 5; i++ {
		s.AddStatement(incoming("LS"))
	}
	c := newClient(t, s.URL(), datatracker.WithPageSize(2))
	stop := errors.New("stop")
	var seen []int
	err := c.Statements(context.Background(), datatracker.Query{}, func(st liaison.Statement) error {
		seen = append(seen, st.ID)
		if st.ID == 3 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || !slices.Equal(seen, []int{1, 2, 3}) {
		t.Errorf("err %v after %v; want stop after [1 2 3]", err, seen)
	}
	if n := s.RequestsTo(statementPath); n != 2 {
		t.Errorf("%d list requests, want 2 (no page after the stop)", n)
	}
}

func TestGroupCache(t *testing.T) {
	s := newServer(t)
	for i := 0; i < 10; i++ {
		s.AddStatement(incoming("LS"))
	}
	c := newClient(t, s.URL())
	if got := collect(t, c, datatracker.Query{}); len(got) != 10 {
		t.Fatalf("got %d statements, want 10", len(got))
	}
	for _, g := range []liaison.Group{sg13, ietf} {
		if n := s.RequestsTo("/api/v1/group/group/" + strconv.Itoa(g.ID) + "/"); n != 1 {
			t.Errorf("group %s fetched %d times, want 1", g.Acronym, n)
		}
	}
}

func TestGroupCacheConcurrent(t *testing.T) {
	s := newServer(t)
	var ids []int
	for i := 0; i < 8; i++ {
		ids = append(ids, s.AddStatement(incoming("LS")))
	}
	c := newClient(t, s.URL())
	var wg sync.WaitGroup
	errs := make(chan error, len(ids))
	for _, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st, err := c.Statement(context.Background(), id)
			if err == nil && (len(st.FromGroups) != 1 || st.FromGroups[0] != sg13) {
				err = errors.New("wrong from group " + st.FromNames())
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if n := s.RequestsTo("/api/v1/group/group/2090/"); n != 1 {
		t.Errorf("group fetched %d times by concurrent lookups, want 1", n)
	}
}

func TestEvents(t *testing.T) {
	s := newServer(t)
	s.SetTime(time.Date(2025, 5, 1, 12, 0, 0, 0, time.UTC))
	a := s.AddStatement(incoming("A")) // events 1 submitted, 2 posted
	pending := incoming("B")
	pending.State = "pending"
	b := s.AddStatement(pending)                                                // 3 submitted
	s.Update(a, func(st *datatrackertest.Statement) { st.Title = "A, edited" }) // 4 modified
	s.Post(b)                                                                   // 5 posted
	s.Kill(a)                                                                   // 6 killed
	c := newClient(t, s.URL(), datatracker.WithPageSize(2))

	var got []datatracker.Event
	err := c.Events(context.Background(), 2, func(e datatracker.Event) error {
		got = append(got, e)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []datatracker.Event{
		{ID: 3, StatementID: b, Type: "submitted", Time: time.Date(2025, 5, 1, 12, 1, 0, 0, time.UTC)},
		{ID: 4, StatementID: a, Type: "modified", Time: time.Date(2025, 5, 1, 12, 2, 0, 0, time.UTC)},
		{ID: 5, StatementID: b, Type: "posted", Time: time.Date(2025, 5, 1, 12, 3, 0, 0, time.UTC)},
		{ID: 6, StatementID: a, Type: "killed", Time: time.Date(2025, 5, 1, 12, 4, 0, 0, time.UTC)},
	}
	if !slices.EqualFunc(got, want, func(x, y datatracker.Event) bool {
		return x.ID == y.ID && x.StatementID == y.StatementID && x.Type == y.Type && x.Time.Equal(y.Time)
	}) {
		t.Errorf("Events(after 2) =\n%+v\nwant\n%+v", got, want)
	}
	if n := s.RequestsTo(eventPath); n != 2 {
		t.Errorf("%d event list requests for 4 events at 2 a page, want 2", n)
	}
	// Pages go by id, not offset: the second page starts after the last id
	// of the first.
	var gts []string
	for _, r := range s.Log() {
		if r.Query.Get("order_by") != "id" || r.Query.Get("offset") != "" {
			t.Errorf("event request %s?%s, want order_by=id and no offset", r.Path, r.Query.Encode())
		}
		gts = append(gts, r.Query.Get("id__gt"))
	}
	if !slices.Equal(gts, []string{"2", "4"}) {
		t.Errorf("id__gt of the event pages = %v, want [2 4]", gts)
	}

	got = nil
	if err := c.Events(context.Background(), 6, func(e datatracker.Event) error { got = append(got, e); return nil }); err != nil || len(got) != 0 {
		t.Errorf("Events(after 6) = %v, %v; want none", got, err)
	}
}

func TestRetryOn503ThenSuccess(t *testing.T) {
	s := newServer(t)
	id := s.AddStatement(incoming("LS"))
	c := newClient(t, s.URL())
	s.FailNext(2, http.StatusServiceUnavailable)
	st, err := c.Statement(context.Background(), id)
	if err != nil {
		t.Fatalf("Statement after two 503s: %v", err)
	}
	if st.Title != "LS" {
		t.Errorf("Title = %q", st.Title)
	}
	if n := s.RequestsTo(statementPath + "1/"); n != 3 {
		t.Errorf("statement fetched %d times, want 3 (two 503s, then success)", n)
	}

	s.FailNext(1, http.StatusTooManyRequests)
	if _, err := c.Statement(context.Background(), id); err != nil {
		t.Errorf("Statement after a 429: %v", err)
	}
}

func TestRetryGivesUp(t *testing.T) {
	s := newServer(t)
	id := s.AddStatement(incoming("LS"))
	c := newClient(t, s.URL())
	s.FailNext(10, http.StatusServiceUnavailable)
	_, err := c.Statement(context.Background(), id)
	want := "failed to get " + s.URL() + statementPath + "1/?format=json: 503 Service Unavailable"
	if err == nil || err.Error() != want {
		t.Errorf("err = %v, want %q", err, want)
	}
	var se *datatracker.StatusError
	if !errors.As(err, &se) || se.StatusCode != 503 {
		t.Errorf("err %v is not a StatusError with 503", err)
	}
	if n := s.Requests(); n != 3 {
		t.Errorf("%d requests, want 3 attempts", n)
	}
}

func TestNoRetryOn400(t *testing.T) {
	s := newServer(t)
	id := s.AddStatement(incoming("LS"))
	c := newClient(t, s.URL())
	s.FailNext(1, http.StatusBadRequest)
	if _, err := c.Statement(context.Background(), id); err == nil || !strings.Contains(err.Error(), "400 Bad Request") {
		t.Errorf("err = %v, want a 400", err)
	}
	if n := s.Requests(); n != 1 {
		t.Errorf("%d requests after a 400, want 1", n)
	}
}

func TestTastypieErrorMessage(t *testing.T) {
	var calls int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		w.Write([]byte(`{"error": "The 'id' field does not allow filtering."}`))
	}))
	defer srv.Close()
	c := newClient(t, srv.URL)
	err := c.Events(context.Background(), 0, func(datatracker.Event) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "400 Bad Request: The 'id' field does not allow filtering.") {
		t.Errorf("err = %v, want the status and Tastypie's message", err)
	}
	if calls != 1 {
		t.Errorf("%d calls, want 1", calls)
	}
}

func TestRetryAfter(t *testing.T) {
	var calls int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		w.Header().Set("Retry-After", "120")
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	defer srv.Close()
	c := newClient(t, srv.URL)
	start := time.Now()
	_, err := c.Statement(context.Background(), 1)
	var se *datatracker.StatusError
	if !errors.As(err, &se) || se.StatusCode != 429 || se.RetryAfter != 120*time.Second {
		t.Errorf("err = %v, want a 429 asking for 120s", err)
	}
	if calls != 1 || time.Since(start) > 5*time.Second {
		t.Errorf("%d calls in %v: a Retry-After beyond the maximum backoff must end the retries at once", calls, time.Since(start))
	}
}

func TestCancelDuringBackoff(t *testing.T) {
	s := newServer(t)
	c, err := datatracker.New(s.URL(), datatracker.WithRetry(5, time.Hour, time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	s.FailNext(1, http.StatusBadGateway)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err = c.Statement(ctx, 1)
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "502 Bad Gateway") {
		t.Errorf("err = %v, want the 502 and the deadline", err)
	}
}

func TestNonJSONResponse(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte("<!DOCTYPE html>\n<html><head><title>Maintenance</title></head></html>"))
	}))
	defer srv.Close()
	_, err := newClient(t, srv.URL).Statement(context.Background(), 1)
	if err == nil || !strings.Contains(err.Error(), "not a JSON object (Content-Type text/html; charset=utf-8") ||
		!strings.Contains(err.Error(), "failed to decode "+srv.URL) || strings.Contains(err.Error(), "\n") {
		t.Errorf("err = %v, want a one-line decode error naming the URL and content type", err)
	}
}

func TestNotAList(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"id": 1}`))
	}))
	defer srv.Close()
	err := newClient(t, srv.URL).Events(context.Background(), 0, func(datatracker.Event) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "not a Tastypie list") {
		t.Errorf("err = %v, want a list decoding error", err)
	}
}

func TestPagesThatDoNotAdvanceAreRefused(t *testing.T) {
	// A server that ignores id__gt and repeats its page would otherwise be
	// walked for ever.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"meta": {"next": "/api/v1/liaisons/liaisonstatementevent/?offset=1"},
			"objects": [{"id": 1, "time": "2025-01-01T00:00:00Z", "type": "/api/v1/name/liaisonstatementeventtypename/posted/",
			"statement": "/api/v1/liaisons/liaisonstatement/5/"}]}`))
	}))
	defer srv.Close()
	var n int
	err := newClient(t, srv.URL).Events(context.Background(), 0, func(datatracker.Event) error { n++; return nil })
	if err == nil || !strings.Contains(err.Error(), "out of order") || n != 1 {
		t.Errorf("err = %v after %d events, want a refusal after 1", err, n)
	}
}

func TestKilledDuringAWalkSkipsNothing(t *testing.T) {
	s := datatrackertest.New(t)
	s.AddGroup(liaison.Group{ID: 1, Acronym: "itu-t-sg-13", Name: "ITU-T SG13", Type: "sdo"})
	var ids []int
	for i := 0; i < 6; i++ {
		ids = append(ids, s.AddStatement(datatrackertest.Statement{Title: "t", FromGroups: []int{1}, Purpose: "info"}))
	}
	c := newClient(t, s.URL(), datatracker.WithPageSize(2))
	var got []int
	err := c.Statements(context.Background(), datatracker.Query{State: "posted"}, func(st liaison.Statement) error {
		got = append(got, st.ID)
		if st.ID == ids[1] {
			s.Kill(ids[0]) // leaves the posted list while it is being walked
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, ids) {
		t.Errorf("walked %v, want %v: a statement leaving the list must not shift another out of the walk", got, ids)
	}
}

func TestUnreachableHost(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	c := newClient(t, "http://"+addr)
	_, err = c.Statement(context.Background(), 1983)
	if err == nil {
		t.Fatal("no error from a closed port")
	}
	msg := err.Error()
	if !strings.Contains(msg, addr+": dial tcp") || strings.Contains(msg, "goroutine") || strings.Contains(msg, "\n") {
		t.Errorf("err = %q, want one line naming %s", msg, addr)
	}
}

func TestPageSizeBounds(t *testing.T) {
	tests := []struct {
		size int
		want string
	}{
		{0, "1"},
		{-5, "1"},
		{1000, "100"},
		{37, "37"},
	}
	for _, tt := range tests {
		s := newServer(t)
		c := newClient(t, s.URL(), datatracker.WithPageSize(tt.size))
		collect(t, c, datatracker.Query{})
		if got := s.Log()[0].Query.Get("limit"); got != tt.want {
			t.Errorf("WithPageSize(%d) sent limit=%s, want %s", tt.size, got, tt.want)
		}
	}
	s := newServer(t)
	collect(t, newClient(t, s.URL()), datatracker.Query{})
	if got := s.Log()[0].Query.Get("limit"); got != strconv.Itoa(datatracker.DefaultPageSize) {
		t.Errorf("default limit=%s, want %d", got, datatracker.DefaultPageSize)
	}
}

func TestUserAgent(t *testing.T) {
	s := newServer(t)
	collect(t, newClient(t, s.URL(), datatracker.WithUserAgent("liaisonbot/1.2.3 (+https://example.org)")), datatracker.Query{})
	if ua := s.Log()[0].Header.Get("User-Agent"); ua != "liaisonbot/1.2.3 (+https://example.org)" {
		t.Errorf("User-Agent = %q", ua)
	}
}

func TestNewValidates(t *testing.T) {
	tests := []struct {
		name string
		base string
		opts []datatracker.Option
	}{
		{"no scheme", "datatracker.ietf.org", nil},
		{"ftp", "ftp://datatracker.ietf.org", nil},
		{"query", "https://datatracker.ietf.org/?x=1", nil},
		{"bad attachment base", "", []datatracker.Option{datatracker.WithAttachmentBaseURL("www.ietf.org/lib")}},
		{"nil http client", "", []datatracker.Option{datatracker.WithHTTPClient(nil)}},
		{"inverted backoff", "", []datatracker.Option{datatracker.WithRetry(3, time.Minute, time.Second)}},
		{"empty user agent", "", []datatracker.Option{datatracker.WithUserAgent(" ")}},
	}
	for _, tt := range tests {
		if _, err := datatracker.New(tt.base, tt.opts...); err == nil {
			t.Errorf("%s: New accepted it", tt.name)
		}
	}
	c, err := datatracker.New("")
	if err != nil || c.BaseURL() != datatracker.DefaultBaseURL {
		t.Errorf("New(\"\") = %v, %v; want the default base", c, err)
	}
	c, err = datatracker.New("https://datatracker.ietf.org/")
	if err != nil || c.BaseURL() != "https://datatracker.ietf.org" {
		t.Errorf("trailing slash: %v, %v", c, err)
	}
}

func TestParseID(t *testing.T) {
	tests := []struct {
		in      string
		want    int
		wantErr string
	}{
		{"1983", 1983, ""},
		{" 1983 ", 1983, ""},
		{"https://datatracker.ietf.org/liaison/1983/", 1983, ""},
		{"https://datatracker.ietf.org/liaison/1983", 1983, ""},
		{"http://127.0.0.1:8000/liaison/7/", 7, ""},
		{"", 0, "empty"},
		{"0", 0, "leading zeros"},
		{"01983", 0, "leading zeros"},
		{"-5", 0, "not a number"},
		{"+5", 0, "not a number"},
		{"19a3", 0, "not a number"},
		{"12345678901234567890", 0, "too long"},
		{"https://datatracker.ietf.org/liaison/", 0, "not /liaison/<id>/"},
		{"https://datatracker.ietf.org/liaison/1983/history/", 0, "not /liaison/<id>/"},
		{"https://datatracker.ietf.org/doc/1983/", 0, "not /liaison/<id>/"},
		{"https://datatracker.ietf.org/liaison/1983/?x=1", 0, "query"},
		{"datatracker.ietf.org/liaison/1983/", 0, "want https://"},
		{"ftp://datatracker.ietf.org/liaison/1983/", 0, "want https://"},
		{"/liaison/1983/", 0, "want https://"},
	}
	for _, tt := range tests {
		got, err := datatracker.ParseID(tt.in)
		if tt.wantErr == "" {
			if err != nil || got != tt.want {
				t.Errorf("ParseID(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), strconv.Quote(tt.in)) {
			t.Errorf("ParseID(%q) = %d, %v; want an error naming the input and %q", tt.in, got, err, tt.wantErr)
		}
	}
}
