// Package datatrackertest is a fake IETF Datatracker on loopback for tests.
// It serves the parts of the read-only Tastypie API (/api/v1/) that
// liaisonbot reads, the way the real server renders them: list pages with
// "meta" and relative "next" links, related objects as resource URIs,
// submission and posting times as events, and Tastypie's error answers.
//
// It is stricter than the real server in one way: Tastypie silently
// ignores a query parameter that names no field, so a misspelt filter
// there returns every object; here any parameter the fake does not
// implement is a 400, so such a bug fails the test instead.
package datatrackertest

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"net/url"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/liaisonbot/liaisonbot/internal/liaison"
)

// Statement is a liaison statement as a test sets it up: ids and slugs
// where the API shows resource URIs.
type Statement struct {
	// ID is the statement's id; 0 takes the next free one.
	ID         int
	Title      string
	FromGroups []int
	// FromContact is the sender's mailbox ("Name <addr>").
	FromContact string
	// LegacyFromContact renders FromContact as servers before June 2025
	// did: a URI /api/v1/person/email/<addr>/ (null when empty).
	LegacyFromContact    bool
	ToGroups             []int
	ToContacts           string
	ResponseContacts     string
	TechnicalContacts    string
	ActionHolderContacts string
	CcContacts           string
	// Purpose is a slug: action, comment, info, response (or any other).
	Purpose string
	// Deadline is "YYYY-MM-DD", or "" for null.
	Deadline         string
	OtherIdentifiers string
	Body             string
	// Tags are slugs: required, taken.
	Tags []string
	// State is a slug: pending, approved, posted, dead; "" means posted,
	// where incoming statements go as soon as they are submitted.
	State string
	// Submitted is the time of the submitted event; zero takes the fake's
	// clock.
	Submitted time.Time
}

// Request is one request the fake received.
type Request struct {
	Method string
	Path   string
	Query  url.Values
	Header http.Header
}

type event struct {
	id        int
	statement int
	typ       string
	time      time.Time
}

type attachment struct {
	id        int
	statement int
	document  string
	removed   bool
}

type document struct {
	id       int
	name     string
	title    string
	filename string
	time     time.Time
}

type relation struct {
	id     int
	source int
	target int
}

// Server is the fake datatracker. Set it up with the Add methods, change
// it with Update, Post and Kill; every object id increases monotonically.
type Server struct {
	t   testing.TB
	srv *httptest.Server

	mu          sync.Mutex
	groups      map[int]liaison.Group
	statements  map[int]*Statement
	events      []event
	attachments []attachment
	documents   map[string]document
	related     []relation
	lastID      struct{ statement, event, attachment, document, related int }
	clock       time.Time

	failN      int
	failStatus int
	requests   int
	paths      map[string]int
	log        []Request
}

// New starts a fake datatracker on 127.0.0.1, closed when the test ends.
func New(t testing.TB) *Server {
	t.Helper()
	s := &Server{
		t:          t,
		groups:     make(map[int]liaison.Group),
		statements: make(map[int]*Statement),
		documents:  make(map[string]document),
		paths:      make(map[string]int),
		clock:      time.Date(2025, 1, 6, 9, 0, 0, 0, time.UTC),
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.srv.Close)
	return s
}

// URL is the fake's base URL (http://127.0.0.1:<port>), to use where the
// production base https://datatracker.ietf.org would go.
func (s *Server) URL() string { return s.srv.URL }

// SetTime sets the fake's clock, the time of the next event that is not
// given one. The clock advances a minute per event so times are distinct.
func (s *Server) SetTime(t time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.clock = t.UTC().Truncate(time.Second)
}

func (s *Server) now() time.Time {
	t := s.clock
	s.clock = s.clock.Add(time.Minute)
	return t
}

// AddGroup adds a group. Type is the group type slug: sdo, wg, area, ietf,
// iab, irtf, rg, ...
func (s *Server) AddGroup(g liaison.Group) {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if g.ID <= 0 {
		s.t.Fatalf("datatrackertest: group %q needs a positive id", g.Acronym)
	}
	if _, ok := s.groups[g.ID]; ok {
		s.t.Fatalf("datatrackertest: group %d added twice", g.ID)
	}
	s.groups[g.ID] = g
}

// AddStatement adds a statement with its submitted event, and a posted
// event when its state is posted. It returns the statement's id.
func (s *Server) AddStatement(st Statement) int {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if st.ID == 0 {
		st.ID = s.lastID.statement + 1
	}
	if st.ID < 0 {
		s.t.Fatalf("datatrackertest: statement id %d is negative", st.ID)
	}
	if _, ok := s.statements[st.ID]; ok {
		s.t.Fatalf("datatrackertest: statement %d added twice", st.ID)
	}
	if st.State == "" {
		st.State = liaison.StatePosted
	}
	s.checkGroups(st)
	s.lastID.statement = max(s.lastID.statement, st.ID)
	submitted := st.Submitted
	if submitted.IsZero() {
		submitted = s.now()
	}
	st.Submitted = submitted.UTC().Truncate(time.Second)
	st.FromGroups = slices.Clone(st.FromGroups)
	st.ToGroups = slices.Clone(st.ToGroups)
	st.Tags = slices.Clone(st.Tags)
	s.statements[st.ID] = &st
	s.addEvent(st.ID, "submitted", st.Submitted)
	if st.State == liaison.StatePosted {
		s.addEvent(st.ID, "posted", st.Submitted)
	}
	return st.ID
}

func (s *Server) checkGroups(st Statement) {
	s.t.Helper()
	for _, id := range append(slices.Clone(st.FromGroups), st.ToGroups...) {
		if _, ok := s.groups[id]; !ok {
			s.t.Fatalf("datatrackertest: statement %d names group %d, which was not added", st.ID, id)
		}
	}
}

func (s *Server) statement(id int) *Statement {
	s.t.Helper()
	st, ok := s.statements[id]
	if !ok {
		s.t.Fatalf("datatrackertest: no statement %d", id)
	}
	return st
}

// stateEvent is the datatracker's STATE_EVENT_MAPPING: the event a state
// change records.
func stateEvent(from, to string) string {
	switch {
	case to == "posted":
		return "posted"
	case to == "approved":
		return "approved"
	case to == "dead":
		return "killed"
	case from == "dead" && to == "pending":
		return "resurrected"
	}
	return ""
}

// Update edits statement id with fn and records a modified event, plus the
// state's event (posted, approved, killed, resurrected) when fn changed the
// state. The id cannot change.
func (s *Server) Update(id int, fn func(*Statement)) {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	old := s.statement(id)
	st := *old
	st.FromGroups = slices.Clone(old.FromGroups)
	st.ToGroups = slices.Clone(old.ToGroups)
	st.Tags = slices.Clone(old.Tags)
	fn(&st)
	st.ID = id
	s.checkGroups(st)
	prev := old.State
	*old = st
	s.addEvent(id, "modified", s.now())
	if st.State != prev {
		if typ := stateEvent(prev, st.State); typ != "" {
			s.addEvent(id, typ, s.now())
		}
	}
}

// Post moves statement id to posted and records a posted event.
func (s *Server) Post(id int) {
	s.t.Helper()
	s.setState(id, liaison.StatePosted, "posted")
}

// Kill moves statement id to dead and records a killed event.
func (s *Server) Kill(id int) {
	s.t.Helper()
	s.setState(id, liaison.StateDead, "killed")
}

func (s *Server) setState(id int, state, typ string) {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.statement(id).State = state
	s.addEvent(id, typ, s.now())
}

// AddEvent records an event of any type (msgin, comment, ...) on statement
// id at the fake's clock and returns the event's id.
func (s *Server) AddEvent(id int, typ string) int {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.statement(id)
	return s.addEvent(id, typ, s.now())
}

func (s *Server) addEvent(statement int, typ string, t time.Time) int {
	s.lastID.event++
	s.events = append(s.events, event{id: s.lastID.event, statement: statement, typ: typ, time: t})
	return s.lastID.event
}

// AddAttachment attaches a document with title whose file is filename (the
// datatracker's uploaded_filename) to statement id; removed marks it
// deleted, as the datatracker's soft delete does. It returns the
// attachment's id.
func (s *Server) AddAttachment(statementID int, title, filename string, removed bool) int {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.statement(statementID)
	n := 1
	for _, a := range s.attachments {
		if a.statement == statementID {
			n++
		}
	}
	s.lastID.document++
	name := fmt.Sprintf("liaison-%d-attachment-%d", statementID, n)
	s.documents[name] = document{id: s.lastID.document, name: name, title: title, filename: filename, time: s.now()}
	s.lastID.attachment++
	s.attachments = append(s.attachments, attachment{
		id: s.lastID.attachment, statement: statementID, document: name, removed: removed,
	})
	return s.lastID.attachment
}

// Relate links source to target with the relationship the datatracker's
// forms use (refold): source refers to target, as a reply does to the
// statement it answers. It returns the link's id.
func (s *Server) Relate(source, target int) int {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.statement(source)
	s.statement(target)
	s.lastID.related++
	s.related = append(s.related, relation{id: s.lastID.related, source: source, target: target})
	return s.lastID.related
}

// FailNext makes the next n requests fail with status (an HTML error page,
// as a proxy in front of the datatracker would send).
func (s *Server) FailNext(n, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failN, s.failStatus = n, status
}

// Requests is the number of requests received, failed ones included.
func (s *Server) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

// RequestsTo is the number of requests received for path
// ("/api/v1/group/group/7/"), whatever their query.
func (s *Server) RequestsTo(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.paths[path]
}

// Log is every request received, in order.
func (s *Server) Log() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.log)
}

// ResetCounts forgets the requests received so far.
func (s *Server) ResetCounts() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = 0
	s.paths = make(map[string]int)
	s.log = nil
}

// mailboxAddress is the address part of "Name <addr>", or s itself when it
// is not a mailbox.
func mailboxAddress(s string) string {
	if a, err := mail.ParseAddress(s); err == nil {
		return a.Address
	}
	return s
}
