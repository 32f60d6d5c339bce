package githubtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"
)

// checkRun is a check run the App created on a commit.
type checkRun struct {
	id, suiteID          int64
	name, headSHA        string
	status, conclusion   string
	detailsURL           string
	externalID           string
	title, summary, text string
	annotations          []annotation
	startedAt            time.Time
	completedAt          time.Time
}

type annotation struct {
	path               string
	startLine, endLine int
	startColumn        *int
	endColumn          *int
	level, message     string
	title, rawDetails  string
}

// maxAnnotations is how many annotations one request may add.
const maxAnnotations = 50

var (
	checkStatuses    = []string{"queued", "in_progress", "completed"}
	checkConclusions = []string{"action_required", "cancelled", "failure", "neutral", "success", "skipped", "timed_out"}
	annotationLevels = []string{"notice", "warning", "failure"}
)

// checkRunBody is the body of POST and PATCH …/check-runs.
type checkRunBody struct {
	Name        *string         `json:"name"`
	HeadSHA     *string         `json:"head_sha"`
	DetailsURL  *string         `json:"details_url"`
	ExternalID  *string         `json:"external_id"`
	Status      *string         `json:"status"`
	Conclusion  *string         `json:"conclusion"`
	StartedAt   *time.Time      `json:"started_at"`
	CompletedAt *time.Time      `json:"completed_at"`
	Output      *checkRunOutput `json:"output"`
	Actions     json.RawMessage `json:"actions"`
}

type checkRunOutput struct {
	Title       *string `json:"title"`
	Summary     *string `json:"summary"`
	Text        *string `json:"text"`
	Annotations []struct {
		Path            *string `json:"path"`
		StartLine       *int    `json:"start_line"`
		EndLine         *int    `json:"end_line"`
		StartColumn     *int    `json:"start_column"`
		EndColumn       *int    `json:"end_column"`
		AnnotationLevel *string `json:"annotation_level"`
		Message         *string `json:"message"`
		Title           *string `json:"title"`
		RawDetails      *string `json:"raw_details"`
	} `json:"annotations"`
}

// check validates the status, conclusion and output of a body, answering
// 422 as GitHub does; creating needs an output's title, which an update
// may leave out. It returns the annotations to add.
func (c *call) checkRunFields(req *checkRunBody, creating bool) ([]annotation, bool) {
	if req.Status != nil && !slices.Contains(checkStatuses, *req.Status) {
		c.unprocessable(fieldError{Resource: "CheckRun", Field: "status", Code: "invalid", Value: *req.Status})
		return nil, false
	}
	if req.Conclusion != nil && !slices.Contains(checkConclusions, *req.Conclusion) {
		// "stale" is in the description's enum, but only GitHub may set it.
		c.unprocessable(fieldError{Resource: "CheckRun", Field: "conclusion", Code: "invalid", Value: *req.Conclusion})
		return nil, false
	}
	// A conclusion completes the run; completing one needs a conclusion.
	if c.missing("conclusion", req.Conclusion == nil && ((req.Status != nil && *req.Status == "completed") || req.CompletedAt != nil)) {
		return nil, false
	}
	out := req.Output
	if out == nil {
		return nil, true
	}
	switch {
	case creating && out.Title == nil:
		c.invalidRequest(`For 'properties/output', "title" wasn't supplied.`)
		return nil, false
	case out.Summary == nil:
		c.invalidRequest(`For 'properties/output', "summary" wasn't supplied.`)
		return nil, false
	case len(out.Annotations) > maxAnnotations:
		c.invalidRequest(fmt.Sprintf("For 'properties/annotations', is more than the maximum of %d items.", maxAnnotations))
		return nil, false
	}
	var anns []annotation
	for i, a := range out.Annotations {
		if a.Path == nil || a.StartLine == nil || a.EndLine == nil || a.AnnotationLevel == nil || a.Message == nil {
			c.invalidRequest(fmt.Sprintf(`For 'items', annotation %d needs path, start_line, end_line, annotation_level and message.`, i))
			return nil, false
		}
		if !slices.Contains(annotationLevels, *a.AnnotationLevel) {
			c.unprocessable(fieldError{Resource: "CheckRun", Field: "annotation_level", Code: "invalid", Value: *a.AnnotationLevel})
			return nil, false
		}
		anns = append(anns, annotation{
			path: *a.Path, startLine: *a.StartLine, endLine: *a.EndLine, startColumn: a.StartColumn, endColumn: a.EndColumn,
			level: *a.AnnotationLevel, message: *a.Message, title: deref(a.Title), rawDetails: deref(a.RawDetails),
		})
	}
	return anns, true
}

// apply writes a validated body's fields to run.
func (run *checkRun) apply(req *checkRunBody, anns []annotation, now time.Time) {
	if req.Name != nil && *req.Name != "" {
		run.name = *req.Name
	}
	if req.DetailsURL != nil {
		run.detailsURL = *req.DetailsURL
	}
	if req.ExternalID != nil {
		run.externalID = *req.ExternalID
	}
	if req.StartedAt != nil {
		run.startedAt = req.StartedAt.UTC()
	}
	if req.Status != nil {
		run.status = *req.Status
		if run.status != "completed" {
			run.conclusion, run.completedAt = "", time.Time{}
		}
	}
	if req.Conclusion != nil {
		run.status, run.conclusion = "completed", *req.Conclusion
		run.completedAt = now
		if req.CompletedAt != nil {
			run.completedAt = req.CompletedAt.UTC()
		}
	}
	if out := req.Output; out != nil {
		if out.Title != nil {
			run.title = *out.Title
		}
		if out.Summary != nil {
			run.summary = *out.Summary
		}
		if out.Text != nil {
			run.text = *out.Text
		}
		// Annotations add up over updates, as GitHub documents.
		run.annotations = append(run.annotations, anns...)
	}
}

// POST /repos/{owner}/{repo}/check-runs: 201 with the check run; 422 for
// a head_sha that is not a commit of the repository, or a status and
// conclusion that do not go together. Only an installation token may
// create check runs (the route's auth). GitHub sends check_run webhooks
// only to Apps that subscribe to them, which this App does not.
func (c *call) createCheckRun() {
	r, ok := c.repo()
	if !ok {
		return
	}
	var req checkRunBody
	if !c.decode(&req) {
		return
	}
	if c.missing("name", req.Name == nil || *req.Name == "") || c.missing("head_sha", req.HeadSHA == nil) {
		return
	}
	anns, ok := c.checkRunFields(&req, true)
	if !ok {
		return
	}
	cm := r.commits[*req.HeadSHA]
	if cm == nil {
		c.unprocessableMessage("No commit found for SHA: " + *req.HeadSHA)
		return
	}
	now := c.s.now()
	run := &checkRun{id: c.s.newID(), name: *req.Name, headSHA: cm.sha, status: "queued", startedAt: now}
	for _, other := range r.checkRuns {
		if other.headSHA == cm.sha {
			run.suiteID = other.suiteID
			break
		}
	}
	if run.suiteID == 0 {
		run.suiteID = c.s.newID()
	}
	run.apply(&req, anns, now)
	r.checkRuns = append(r.checkRuns, run)
	c.json(http.StatusCreated, c.s.checkRunJSON(r, run))
}

// PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}: 200 with the
// check run. Annotations are appended to those it has.
func (c *call) updateCheckRun() {
	r, ok := c.repo()
	if !ok {
		return
	}
	id, _ := strconv.ParseInt(c.params["check_run_id"], 10, 64)
	var run *checkRun
	for _, cr := range r.checkRuns {
		if cr.id == id {
			run = cr
		}
	}
	if run == nil {
		c.notFound()
		return
	}
	var req checkRunBody
	if !c.decode(&req) {
		return
	}
	anns, ok := c.checkRunFields(&req, false)
	if !ok {
		return
	}
	run.apply(&req, anns, c.s.now())
	c.json(http.StatusOK, c.s.checkRunJSON(r, run))
}

// checkRunJSON renders a check-run. Its pull_requests are the open pull
// requests whose head is the run's commit, as GitHub lists them.
func (s *Server) checkRunJSON(r *repo, run *checkRun) map[string]any {
	api := s.apiURL("repos/%s/%s/check-runs/%d", r.owner, r.name, run.id)
	prs := []map[string]any{}
	repoMin := map[string]any{"id": r.id, "url": s.apiURL("repos/%s/%s", r.owner, r.name), "name": r.name}
	for _, is := range r.issues {
		if is.pull == nil || is.state != "open" || is.pull.headSHA != run.headSHA {
			continue
		}
		prs = append(prs, map[string]any{
			"id":     is.pull.id,
			"number": is.number,
			"url":    s.apiURL("repos/%s/%s/pulls/%d", r.owner, r.name, is.number),
			"head":   map[string]any{"ref": is.pull.head, "sha": is.pull.headSHA, "repo": repoMin},
			"base":   map[string]any{"ref": is.pull.base, "sha": is.pull.baseSHA, "repo": repoMin},
		})
	}
	details := run.detailsURL
	if details == "" {
		details = appExternalURL
	}
	return map[string]any{
		"id":           run.id,
		"head_sha":     run.headSHA,
		"node_id":      fmt.Sprintf("CR_%d", run.id),
		"external_id":  run.externalID,
		"url":          api,
		"html_url":     fmt.Sprintf("%s%s/runs/%d", htmlBase, r.fullName(), run.id),
		"details_url":  details,
		"status":       run.status,
		"conclusion":   nullableString(run.conclusion),
		"started_at":   nullableTime(run.startedAt),
		"completed_at": nullableTime(run.completedAt),
		"output": map[string]any{
			"title":             nullableString(run.title),
			"summary":           nullableString(run.summary),
			"text":              nullableString(run.text),
			"annotations_count": len(run.annotations),
			"annotations_url":   api + "/annotations",
		},
		"name":          run.name,
		"check_suite":   map[string]any{"id": run.suiteID},
		"app":           s.appJSON(),
		"pull_requests": prs,
	}
}
