package datatracker

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/liaisonbot/liaisonbot/internal/liaison"
)

// API paths of the resources the client reads.
const (
	statementPath  = "/api/v1/liaisons/liaisonstatement/"
	eventPath      = "/api/v1/liaisons/liaisonstatementevent/"
	attachmentPath = "/api/v1/liaisons/liaisonstatementattachment/"
	relatedPath    = "/api/v1/liaisons/relatedliaisonstatement/"
	documentPath   = "/api/v1/doc/document/"
)

// Event types the client reads times from.
const (
	EventSubmitted = "submitted"
	EventModified  = "modified"
	EventPosted    = "posted"
	EventKilled    = "killed"
)

// rawStatement is the statement resource as the API renders it. Nullable
// fields decode to "" (encoding/json leaves a string alone for null).
type rawStatement struct {
	ID                   int      `json:"id"`
	Title                string   `json:"title"`
	FromGroups           []string `json:"from_groups"`
	FromContact          string   `json:"from_contact"`
	ToGroups             []string `json:"to_groups"`
	ToContacts           string   `json:"to_contacts"`
	ResponseContacts     string   `json:"response_contacts"`
	TechnicalContacts    string   `json:"technical_contacts"`
	ActionHolderContacts string   `json:"action_holder_contacts"`
	CcContacts           string   `json:"cc_contacts"`
	Purpose              string   `json:"purpose"`
	Deadline             string   `json:"deadline"`
	OtherIdentifiers     string   `json:"other_identifiers"`
	Body                 string   `json:"body"`
	Tags                 []string `json:"tags"`
	Attachments          []string `json:"attachments"`
	State                string   `json:"state"`
	ResourceURI          string   `json:"resource_uri"`
}

type rawEvent struct {
	ID        int    `json:"id"`
	Time      string `json:"time"`
	Desc      string `json:"desc"`
	Type      string `json:"type"`
	Statement string `json:"statement"`
}

type rawAttachment struct {
	ID        int    `json:"id"`
	Removed   bool   `json:"removed"`
	Statement string `json:"statement"`
	Document  string `json:"document"`
}

type rawDocument struct {
	Name             string `json:"name"`
	Title            string `json:"title"`
	UploadedFilename string `json:"uploaded_filename"`
}

type rawRelated struct {
	ID           int    `json:"id"`
	Source       string `json:"source"`
	Target       string `json:"target"`
	Relationship string `json:"relationship"`
}

// Statement returns statement id fully resolved. A statement the
// datatracker does not have gives an error matching ErrNotFound.
func (c *Client) Statement(ctx context.Context, id int) (liaison.Statement, error) {
	if id <= 0 {
		return liaison.Statement{}, fmt.Errorf("invalid liaison statement id %d", id)
	}
	var raw rawStatement
	if err := c.get(ctx, c.endpoint(fmt.Sprintf("%s%d/", statementPath, id), nil), &raw); err != nil {
		return liaison.Statement{}, err
	}
	if raw.ID != id {
		return liaison.Statement{}, fmt.Errorf("failed to get liaison statement %d: the datatracker answered with statement %d", id, raw.ID)
	}
	return c.resolve(ctx, raw)
}

// Query selects statements for Statements. The zero Query is every
// statement.
type Query struct {
	// AfterID keeps statements with a larger id (a poller's cursor).
	AfterID int
	// IDs, when not nil, keeps only these statements (so an empty non-nil
	// slice selects nothing); ids the datatracker does not have are absent
	// from the result.
	IDs []int
	// State keeps statements in this state ("posted"); empty is any state.
	State string
	// Descending walks newest first (a backfill that stops at a date).
	Descending bool
	// Known, when set, names statements the caller has already: they are
	// passed to fn unresolved (only ID, Title, State and Purpose), saving
	// the requests that resolving costs.
	Known func(id int) bool
	// OnError, when set, receives the error of a statement that could not
	// be resolved, and the walk goes on unless it returns an error: one
	// malformed statement must not hold up all the others.
	OnError func(id int, err error) error
}

// Statements calls fn with each statement q selects, fully resolved, in id
// order (or reverse id order). It stops at fn's first error and returns it.
func (c *Client) Statements(ctx context.Context, q Query, fn func(liaison.Statement) error) error {
	base := url.Values{}
	if q.AfterID > 0 {
		base.Set("id__gt", strconv.Itoa(q.AfterID))
	}
	if s := strings.TrimSpace(q.State); s != "" {
		base.Set("state", s)
	}
	visit := func(raw rawStatement) error {
		if q.Known != nil && q.Known(raw.ID) {
			return fn(liaison.Statement{ID: raw.ID, Title: raw.Title, State: slugOf(raw.State), Purpose: liaison.PurposeFromSlug(slugOf(raw.Purpose))})
		}
		st, err := c.resolve(ctx, raw)
		if err != nil {
			if q.OnError != nil && ctx.Err() == nil {
				return q.OnError(raw.ID, err)
			}
			return err
		}
		return fn(st)
	}
	rawID := func(r rawStatement) int { return r.ID }
	if q.IDs == nil {
		return walkByID(ctx, c, statementPath, base, q.Descending, rawID, visit)
	}
	ids := slices.Clone(q.IDs)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	ids = slices.DeleteFunc(ids, func(id int) bool { return id <= 0 })
	for chunk := range slices.Chunk(ids, c.pageSize) {
		v := cloneValues(base)
		v.Set("id__in", joinInts(chunk))
		if err := walkByID(ctx, c, statementPath, v, q.Descending, rawID, visit); err != nil {
			return err
		}
	}
	return nil
}

// resolve turns the API's resource URIs into the statement's parts.
func (c *Client) resolve(ctx context.Context, raw rawStatement) (liaison.Statement, error) {
	st := liaison.Statement{
		ID:                   raw.ID,
		Title:                raw.Title,
		FromContact:          contactOf(raw.FromContact),
		ToContacts:           raw.ToContacts,
		ResponseContacts:     raw.ResponseContacts,
		TechnicalContacts:    raw.TechnicalContacts,
		ActionHolderContacts: raw.ActionHolderContacts,
		CcContacts:           raw.CcContacts,
		Purpose:              liaison.PurposeFromSlug(slugOf(raw.Purpose)),
		OtherIdentifiers:     raw.OtherIdentifiers,
		Body:                 raw.Body,
		State:                slugOf(raw.State),
	}
	fail := func(err error) (liaison.Statement, error) {
		return liaison.Statement{}, fmt.Errorf("failed to resolve liaison statement %d: %w", raw.ID, err)
	}
	if raw.ID <= 0 {
		return fail(errors.New("no id"))
	}
	if d := strings.TrimSpace(raw.Deadline); d != "" {
		date, err := liaison.ParseDate(d)
		if err != nil {
			return fail(fmt.Errorf("deadline: %w", err))
		}
		st.Deadline = &date
	}
	for _, t := range raw.Tags {
		if s := slugOf(t); s != "" {
			st.Tags = append(st.Tags, s)
		}
	}
	var err error
	if st.FromGroups, err = c.groupList(ctx, raw.FromGroups); err != nil {
		return fail(err)
	}
	if st.ToGroups, err = c.groupList(ctx, raw.ToGroups); err != nil {
		return fail(err)
	}
	if st.Attachments, err = c.attachments(ctx, raw.ID); err != nil {
		return fail(err)
	}
	if st.Related, err = c.related(ctx, raw.ID); err != nil {
		return fail(err)
	}
	if st.Submitted, st.Posted, err = c.times(ctx, raw.ID); err != nil {
		return fail(err)
	}
	return st, nil
}

func (c *Client) groupList(ctx context.Context, uris []string) ([]liaison.Group, error) {
	var groups []liaison.Group
	for _, uri := range uris {
		id, err := idOf("group", uri)
		if err != nil {
			return nil, err
		}
		g, err := c.group(ctx, id)
		if err != nil {
			return nil, err
		}
		groups = append(groups, g)
	}
	return groups, nil
}

// attachments lists the statement's attachments that were not removed, as
// links to their files.
func (c *Client) attachments(ctx context.Context, id int) ([]liaison.Attachment, error) {
	q := url.Values{"statement": {strconv.Itoa(id)}, "order_by": {"id"}}
	var docs []string
	err := walk(ctx, c, attachmentPath, q, func(a rawAttachment) error {
		if !a.Removed {
			docs = append(docs, slugOf(a.Document))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	var out []liaison.Attachment
	for _, name := range docs {
		if name == "" {
			continue
		}
		a, err := c.attachment(ctx, name)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

// attachment reads the document behind an attachment. A document that has
// gone missing is still listed, linked to its datatracker page, rather than
// failing the whole statement.
func (c *Client) attachment(ctx context.Context, name string) (liaison.Attachment, error) {
	docPage := c.base.String() + "/doc/" + url.PathEscape(name) + "/"
	var d rawDocument
	err := c.get(ctx, c.endpoint(documentPath+url.PathEscape(name)+"/", nil), &d)
	switch {
	case errors.Is(err, ErrNotFound):
		return liaison.Attachment{Title: name, URL: docPage}, nil
	case err != nil:
		return liaison.Attachment{}, err
	}
	a := liaison.Attachment{Title: strings.TrimSpace(d.Title), URL: docPage}
	if a.Title == "" {
		a.Title = name
	}
	if f := strings.TrimSpace(d.UploadedFilename); f != "" {
		a.URL = c.attachBase + url.PathEscape(f)
	}
	return a, nil
}

// related lists the statements this one refers to (it is their source) and
// those referring to it (ReferedBy), with their titles.
func (c *Client) related(ctx context.Context, id int) ([]liaison.Related, error) {
	var rel []liaison.Related
	add := func(r liaison.Related) {
		if r.ID == id || slices.Contains(rel, r) {
			return
		}
		rel = append(rel, r)
	}
	q := url.Values{"source": {strconv.Itoa(id)}, "order_by": {"id"}}
	err := walk(ctx, c, relatedPath, q, func(r rawRelated) error {
		t, err := idOf("statement", r.Target)
		if err != nil {
			return err
		}
		add(liaison.Related{ID: t})
		return nil
	})
	if err != nil {
		return nil, err
	}
	q = url.Values{"target": {strconv.Itoa(id)}, "order_by": {"id"}}
	err = walk(ctx, c, relatedPath, q, func(r rawRelated) error {
		s, err := idOf("statement", r.Source)
		if err != nil {
			return err
		}
		add(liaison.Related{ID: s, ReferedBy: true})
		return nil
	})
	if err != nil || len(rel) == 0 {
		return rel, err
	}
	titles, err := c.titles(ctx, rel)
	if err != nil {
		return nil, err
	}
	for i := range rel {
		rel[i].Title = titles[rel[i].ID]
	}
	return rel, nil
}

// titles fetches the titles of related statements with one id__in request
// per page, without resolving them.
func (c *Client) titles(ctx context.Context, rel []liaison.Related) (map[int]string, error) {
	ids := make([]int, 0, len(rel))
	for _, r := range rel {
		ids = append(ids, r.ID)
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	titles := make(map[int]string, len(ids))
	for chunk := range slices.Chunk(ids, c.pageSize) {
		q := url.Values{"id__in": {joinInts(chunk)}, "order_by": {"id"}}
		err := walk(ctx, c, statementPath, q, func(s struct {
			ID    int    `json:"id"`
			Title string `json:"title"`
		}) error {
			titles[s.ID] = s.Title
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return titles, nil
}

// times reads when the statement was first submitted and last posted from
// its events; a time it has no event for is zero.
func (c *Client) times(ctx context.Context, id int) (submitted, posted time.Time, err error) {
	q := url.Values{"statement": {strconv.Itoa(id)}, "order_by": {"id"}}
	err = walk(ctx, c, eventPath, q, func(raw rawEvent) error {
		typ := slugOf(raw.Type)
		if typ != EventSubmitted && typ != EventPosted {
			return nil
		}
		t, err := parseTime(raw.Time)
		if err != nil {
			return fmt.Errorf("event %d: %w", raw.ID, err)
		}
		switch {
		case typ == EventSubmitted && submitted.IsZero():
			submitted = t
		case typ == EventPosted:
			posted = t
		}
		return nil
	})
	return submitted, posted, err
}

// parseTime reads the API's UTC datetimes ("2025-09-03T14:05:00Z"); a
// datetime without a zone is taken as UTC, as the datatracker stores UTC.
func parseTime(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("invalid time %q: want YYYY-MM-DDTHH:MM:SSZ", s)
}

func joinInts(ids []int) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = strconv.Itoa(id)
	}
	return strings.Join(s, ",")
}

func cloneValues(v url.Values) url.Values {
	out := make(url.Values, len(v))
	for k, vs := range v {
		out[k] = slices.Clone(vs)
	}
	return out
}
