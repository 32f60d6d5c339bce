package datatrackertest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// API paths the fake serves.
const (
	statementPath  = "/api/v1/liaisons/liaisonstatement/"
	eventPath      = "/api/v1/liaisons/liaisonstatementevent/"
	attachmentPath = "/api/v1/liaisons/liaisonstatementattachment/"
	relatedPath    = "/api/v1/liaisons/relatedliaisonstatement/"
	groupPath      = "/api/v1/group/group/"
	documentPath   = "/api/v1/doc/document/"
)

// Tastypie's paging defaults (API_LIMIT_PER_PAGE and max_limit).
const (
	defaultLimit = 20
	maxLimit     = 1000
)

// timeLayout is how the datatracker's serializer writes datetimes.
const timeLayout = "2006-01-02T15:04:05Z"

// row is one object of a list resource with what its filters look at.
type row struct {
	id    int
	time  time.Time
	attrs map[string]string // exact-match filters on related objects: state, statement, ...
	obj   map[string]any
}

// resource is a list endpoint: its rows in id order and the filters it
// implements.
type resource struct {
	path    string
	filters []string
	rows    func(s *Server) []row
	// newestFirst is the model's default ordering when order_by is absent
	// (LiaisonStatementEvent is ordered by -time).
	newestFirst bool
}

// controlParams are the list parameters that are not filters.
var controlParams = []string{"format", "limit", "offset", "order_by"}

var resources = []resource{
	{path: statementPath, filters: []string{"id", "id__gt", "id__lt", "id__in", "state"}, rows: (*Server).statementRows},
	{path: eventPath, filters: []string{"id", "id__gt", "id__lt", "id__in", "statement", "time__gt", "type"}, rows: (*Server).eventRows, newestFirst: true},
	{path: attachmentPath, filters: []string{"id", "id__gt", "id__in", "statement"}, rows: (*Server).attachmentRows},
	{path: relatedPath, filters: []string{"id", "id__gt", "id__in", "source", "target"}, rows: (*Server).relatedRows},
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests++
	s.paths[r.URL.Path]++
	s.log = append(s.log, Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Header: r.Header.Clone()})

	if s.failN > 0 {
		s.failN--
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(s.failStatus)
		fmt.Fprintf(w, "<!DOCTYPE html>\n<html><body><h1>%d %s</h1></body></html>\n", s.failStatus, http.StatusText(s.failStatus))
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		writeError(w, http.StatusMethodNotAllowed, "the datatracker API is read-only")
		return
	}
	p := r.URL.Path
	for _, res := range resources {
		if p == res.path {
			s.list(w, r, res)
			return
		}
		if key, ok := detailKey(p, res.path); ok {
			id, err := strconv.Atoi(key)
			if err == nil {
				for _, row := range res.rows(s) {
					if row.id == id {
						writeJSON(w, row.obj)
						return
					}
				}
			}
			notFound(w)
			return
		}
	}
	if key, ok := detailKey(p, groupPath); ok {
		if id, err := strconv.Atoi(key); err == nil {
			if g, ok := s.groups[id]; ok {
				writeJSON(w, map[string]any{
					"id":           g.ID,
					"acronym":      g.Acronym,
					"name":         g.Name,
					"type":         fmt.Sprintf("/api/v1/name/grouptypename/%s/", g.Type),
					"state":        "/api/v1/name/groupstatename/active/",
					"parent":       nil,
					"description":  "",
					"list_email":   "",
					"resource_uri": fmt.Sprintf("%s%d/", groupPath, g.ID),
				})
				return
			}
		}
		notFound(w)
		return
	}
	if name, ok := detailKey(p, documentPath); ok {
		if d, ok := s.documents[name]; ok {
			writeJSON(w, map[string]any{
				"id":                d.id,
				"name":              d.name,
				"title":             d.title,
				"rev":               "00",
				"type":              "/api/v1/name/doctypename/liai-att/",
				"uploaded_filename": d.filename,
				"external_url":      "",
				"time":              d.time.Format(timeLayout),
				"resource_uri":      documentPath + d.name + "/",
			})
			return
		}
		notFound(w)
		return
	}
	// Django's own 404 page for a URL no resource matches.
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusNotFound)
	fmt.Fprintln(w, "<!DOCTYPE html>\n<html><body><h1>Not Found</h1></body></html>")
}

// detailKey is the key in a detail path (<base><key>/).
func detailKey(p, base string) (string, bool) {
	rest, ok := strings.CutPrefix(p, base)
	if !ok {
		return "", false
	}
	key, ok := strings.CutSuffix(rest, "/")
	if !ok || key == "" || strings.Contains(key, "/") {
		return "", false
	}
	return key, true
}

// list answers a list request the way Tastypie does: filter, order, page.
func (s *Server) list(w http.ResponseWriter, r *http.Request, res resource) {
	q := r.URL.Query()
	rows := res.rows(s)
	names := make([]string, 0, len(q))
	for name := range q {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if slices.Contains(controlParams, name) {
			continue
		}
		values := q[name]
		if !slices.Contains(res.filters, name) {
			field, lookup, _ := strings.Cut(name, "__")
			if slices.Contains(res.filters, field) && lookup != "" {
				writeError(w, http.StatusBadRequest, fmt.Sprintf("'%s' is not an allowed filter on the '%s' field.", lookup, field))
			} else {
				writeError(w, http.StatusBadRequest, fmt.Sprintf("The '%s' field does not allow filtering.", field))
			}
			return
		}
		keep, err := filter(name, values[len(values)-1])
		if err != nil {
			writeError(w, http.StatusBadRequest, err.Error())
			return
		}
		rows = slices.DeleteFunc(rows, func(r row) bool { return !keep(r) })
	}

	switch ob := q.Get("order_by"); ob {
	case "id":
	case "-id":
		slices.Reverse(rows)
	case "":
		if res.newestFirst {
			slices.SortStableFunc(rows, func(a, b row) int {
				if c := b.time.Compare(a.time); c != 0 {
					return c
				}
				return b.id - a.id
			})
		}
	default:
		field := strings.TrimPrefix(ob, "-")
		writeError(w, http.StatusBadRequest, fmt.Sprintf("The '%s' field does not allow ordering.", field))
		return
	}

	limit := defaultLimit
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("Invalid limit '%s' provided. Please provide a positive integer.", v))
			return
		}
		if n < 0 {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("Invalid limit '%s' provided. Please provide a positive integer >= 0.", v))
			return
		}
		limit = n
	}
	if limit == 0 || limit > maxLimit {
		limit = maxLimit
	}
	offset := 0
	if v := q.Get("offset"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("Invalid offset '%s' provided. Please provide an integer.", v))
			return
		}
		if n < 0 {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("Invalid offset '%s' provided. Please provide a positive integer >= 0.", v))
			return
		}
		offset = n
	}

	total := len(rows)
	objects := make([]map[string]any, 0, limit)
	for i := offset; i < total && i < offset+limit; i++ {
		objects = append(objects, rows[i].obj)
	}
	pageURI := func(off int) string {
		v := url.Values{}
		for k, vs := range q {
			v[k] = slices.Clone(vs)
		}
		v.Set("limit", strconv.Itoa(limit))
		v.Set("offset", strconv.Itoa(off))
		return res.path + "?" + v.Encode()
	}
	var next, previous any
	if offset+limit < total {
		next = pageURI(offset + limit)
	}
	if offset-limit >= 0 {
		previous = pageURI(offset - limit)
	}
	writeJSON(w, map[string]any{
		"meta": map[string]any{
			"limit":       limit,
			"next":        next,
			"offset":      offset,
			"previous":    previous,
			"total_count": total,
		},
		"objects": objects,
	})
}

// filter is the test for one filter parameter.
func filter(name, value string) (func(row) bool, error) {
	switch name {
	case "id", "id__gt", "id__lt":
		n, err := strconv.Atoi(value)
		if err != nil {
			return nil, fmt.Errorf("Invalid value '%s' for filter '%s': not an integer.", value, name)
		}
		switch name {
		case "id":
			return func(r row) bool { return r.id == n }, nil
		case "id__lt":
			return func(r row) bool { return r.id < n }, nil
		}
		return func(r row) bool { return r.id > n }, nil
	case "id__in":
		set := map[int]bool{}
		for _, f := range strings.Split(value, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil {
				return nil, fmt.Errorf("Invalid value '%s' for filter '%s': not a list of integers.", value, name)
			}
			set[n] = true
		}
		return func(r row) bool { return set[r.id] }, nil
	case "time__gt":
		t, err := parseFilterTime(value)
		if err != nil {
			return nil, err
		}
		return func(r row) bool { return r.time.After(t) }, nil
	}
	return func(r row) bool { return r.attrs[name] == value }, nil
}

func parseFilterTime(v string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05", time.DateOnly} {
		if t, err := time.Parse(layout, v); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("Invalid value '%s' for filter 'time__gt': not a datetime.", v)
}

func (s *Server) statementRows() []row {
	ids := make([]int, 0, len(s.statements))
	for id := range s.statements {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	rows := make([]row, 0, len(ids))
	for _, id := range ids {
		st := s.statements[id]
		rows = append(rows, row{id: id, attrs: map[string]string{"state": st.State}, obj: s.renderStatement(st)})
	}
	return rows
}

func (s *Server) renderStatement(st *Statement) map[string]any {
	groups := func(ids []int) []string {
		out := make([]string, 0, len(ids))
		for _, id := range ids {
			out = append(out, fmt.Sprintf("%s%d/", groupPath, id))
		}
		return out
	}
	var fromContact any = st.FromContact
	if st.LegacyFromContact {
		fromContact = nil
		if st.FromContact != "" {
			fromContact = "/api/v1/person/email/" + mailboxAddress(st.FromContact) + "/"
		}
	}
	var purpose any
	if st.Purpose != "" {
		purpose = "/api/v1/name/liaisonstatementpurposename/" + st.Purpose + "/"
	}
	var deadline any
	if st.Deadline != "" {
		deadline = st.Deadline
	}
	tags := make([]string, 0, len(st.Tags))
	for _, t := range st.Tags {
		tags = append(tags, "/api/v1/name/liaisonstatementtagname/"+t+"/")
	}
	docs := []string{}
	for _, a := range s.attachments {
		if a.statement == st.ID {
			docs = append(docs, documentPath+a.document+"/")
		}
	}
	return map[string]any{
		"id":                     st.ID,
		"title":                  st.Title,
		"from_groups":            groups(st.FromGroups),
		"from_contact":           fromContact,
		"to_groups":              groups(st.ToGroups),
		"to_contacts":            st.ToContacts,
		"response_contacts":      st.ResponseContacts,
		"technical_contacts":     st.TechnicalContacts,
		"action_holder_contacts": st.ActionHolderContacts,
		"cc_contacts":            st.CcContacts,
		"purpose":                purpose,
		"deadline":               deadline,
		"other_identifiers":      st.OtherIdentifiers,
		"body":                   st.Body,
		"tags":                   tags,
		"attachments":            docs,
		"state":                  "/api/v1/name/liaisonstatementstate/" + st.State + "/",
		"resource_uri":           fmt.Sprintf("%s%d/", statementPath, st.ID),
	}
}

func (s *Server) eventRows() []row {
	rows := make([]row, 0, len(s.events))
	for _, e := range s.events {
		rows = append(rows, row{
			id:    e.id,
			time:  e.time,
			attrs: map[string]string{"statement": strconv.Itoa(e.statement), "type": e.typ},
			obj: map[string]any{
				"id":           e.id,
				"time":         e.time.Format(timeLayout),
				"desc":         eventDesc(e.typ),
				"type":         "/api/v1/name/liaisonstatementeventtypename/" + e.typ + "/",
				"by":           "/api/v1/person/person/1/",
				"statement":    fmt.Sprintf("%s%d/", statementPath, e.statement),
				"resource_uri": fmt.Sprintf("%s%d/", eventPath, e.id),
			},
		})
	}
	return rows
}

// eventDesc is the desc the datatracker writes for an event type
// ("Statement Posted").
func eventDesc(typ string) string {
	if typ == "" {
		return "Statement"
	}
	return "Statement " + strings.ToUpper(typ[:1]) + typ[1:]
}

func (s *Server) attachmentRows() []row {
	rows := make([]row, 0, len(s.attachments))
	for _, a := range s.attachments {
		rows = append(rows, row{
			id:    a.id,
			attrs: map[string]string{"statement": strconv.Itoa(a.statement)},
			obj: map[string]any{
				"id":           a.id,
				"removed":      a.removed,
				"statement":    fmt.Sprintf("%s%d/", statementPath, a.statement),
				"document":     documentPath + a.document + "/",
				"resource_uri": fmt.Sprintf("%s%d/", attachmentPath, a.id),
			},
		})
	}
	return rows
}

func (s *Server) relatedRows() []row {
	rows := make([]row, 0, len(s.related))
	for _, r := range s.related {
		rows = append(rows, row{
			id:    r.id,
			attrs: map[string]string{"source": strconv.Itoa(r.source), "target": strconv.Itoa(r.target)},
			obj: map[string]any{
				"id":           r.id,
				"source":       fmt.Sprintf("%s%d/", statementPath, r.source),
				"target":       fmt.Sprintf("%s%d/", statementPath, r.target),
				"relationship": "/api/v1/name/docrelationshipname/refold/",
				"resource_uri": fmt.Sprintf("%s%d/", relatedPath, r.id),
			},
		})
	}
	return rows
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// writeError answers as Tastypie does for a bad request: {"error": msg}.
func writeError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": msg})
}

// notFound answers as Tastypie does for a missing object: 404, empty body.
func notFound(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusNotFound)
}
