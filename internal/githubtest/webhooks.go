package githubtest

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"maps"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// This file delivers webhooks from the fake to the app, as GitHub does for
// an App: each state change queues the deliveries GitHub would send, one
// goroutine per fake sends them in order, and every attempt is recorded in
// the App's delivery log (GET /app/hook/deliveries, hookdeliveries.go).

// Delivery mechanics GitHub documents ("Webhook events and payloads",
// "Handling failed webhook deliveries").
const (
	// deliveryTimeout is how long GitHub waits for the app's answer.
	deliveryTimeout = 10 * time.Second
	// hookshotAgent is the User-Agent of GitHub's webhook sender.
	hookshotAgent = "GitHub-Hookshot/a1b2c3d"
	// hookID is the id of the App's webhook, sent as X-GitHub-Hook-ID.
	hookID = 451311
	// maxResponseRecorded bounds what the log keeps of the app's answer.
	maxResponseRecorded = 64 << 10
)

// waitTimeout bounds WaitDeliveries: generous against a slow app, and
// short enough that a stuck one fails the test rather than hangs it.
const waitTimeout = 30 * time.Second

// Delivery statuses as GitHub's delivery log words them.
const (
	StatusOK            = "OK"
	StatusConnectFailed = "failed to connect to host"
	StatusTimedOut      = "timed out"
)

// Delivery is one attempt to deliver a webhook, as the App's delivery log
// records it. A redelivery is a new Delivery with its own ID and the GUID
// of the one it repeats.
type Delivery struct {
	ID         int64
	GUID       string // X-GitHub-Delivery
	Event      string // X-GitHub-Event, e.g. "issues"
	Action     string // the payload's action, e.g. "labeled"
	Redelivery bool
	// InstallationID and RepositoryID are the payload's installation and
	// repository.
	InstallationID int64
	RepositoryID   int64
	// Sender is the login of the payload's sender: the App's bot for
	// changes it made, the person for changes made with the *As helpers.
	Sender string
	// Payload is the exact body sent (and signed).
	Payload []byte
	// Header is what was sent with it; empty until attempted.
	Header http.Header
	// Attempted is false while the delivery waits in the queue; the
	// fields below are set by the attempt.
	Attempted   bool
	DeliveredAt time.Time
	Duration    time.Duration
	// StatusCode is the app's HTTP status, or 0 when no answer came back.
	StatusCode int
	// Status is "OK" for a 2xx answer, "Invalid HTTP Response: <code>" for
	// any other, StatusConnectFailed or StatusTimedOut without an answer.
	Status string
}

// OK reports whether the app accepted the delivery (a 2xx answer).
func (d Delivery) OK() bool { return d.StatusCode >= 200 && d.StatusCode <= 299 }

// delivery is one entry of the delivery log. Everything but the outcome is
// fixed when it is queued; the outcome is written once, by the sender.
type delivery struct {
	Delivery
	url      string
	response http.Header
	respBody []byte
}

// hookState is the webhook configuration, the queue and the log. Guarded
// by Server.mu; cond is signalled whenever the queue or busy changes.
type hookState struct {
	url, secret string
	cond        *sync.Cond
	queue       []*delivery
	busy        bool // the sender is attempting a delivery outside the lock
	started     bool
	closed      bool
	cancel      context.CancelFunc
	done        chan struct{}
	log         []*delivery // every delivery queued, in order
	nextID      int64
}

func (h *hookState) init(mu *sync.Mutex) {
	h.cond = sync.NewCond(mu)
	h.nextID = 93000000
}

// SetWebhook makes the fake deliver webhooks to url, signed with secret,
// as GitHub does for an App with an active webhook. From then on, every
// state change the fake applies through the REST API (the App's own
// changes, sent by its bot) or through the *As helpers (a person's) queues
// the deliveries GitHub would send; seeding helpers such as AddIssue,
// AddComment and PutFile send none. Only repositories of a non-suspended
// installation produce deliveries, and only for the events the App
// subscribes to: issues, issue_comment, pull_request (opened, closed,
// reopened, synchronize, review_requested, and the issue-like edited,
// labeled, unlabeled, assigned and unassigned) and pull_request_review
// submitted. Pushes, refs and check runs send nothing, as the App does not
// subscribe to push, create or check_run.
//
// url "" stops queuing new deliveries. An empty secret sends no signature
// headers, as GitHub does for a webhook without one. Deliveries go out
// asynchronously and in order; WaitDeliveries waits for them.
func (s *Server) SetWebhook(url, secret string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hooks.url, s.hooks.secret = url, secret
	if s.hooks.started || url == "" {
		return
	}
	s.hooks.started = true
	ctx, cancel := context.WithCancel(context.Background())
	s.hooks.cancel = cancel
	s.hooks.done = make(chan struct{})
	go s.deliverLoop(ctx)
	s.tb.Cleanup(s.stopDeliveries)
}

// HookID is the id of the App's webhook, sent as X-GitHub-Hook-ID.
func (s *Server) HookID() int64 { return hookID }

// WaitDeliveries waits until every queued delivery, including any queued
// while it waits, has been attempted. It fails tb after 30 seconds.
func (s *Server) WaitDeliveries(tb testing.TB) {
	tb.Helper()
	deadline := time.Now().Add(waitTimeout)
	wake := time.AfterFunc(waitTimeout, func() {
		s.mu.Lock()
		s.hooks.cond.Broadcast()
		s.mu.Unlock()
	})
	defer wake.Stop()
	s.mu.Lock()
	for len(s.hooks.queue) > 0 || s.hooks.busy {
		if !time.Now().Before(deadline) {
			n := len(s.hooks.queue)
			s.mu.Unlock()
			tb.Fatalf("githubtest: %d webhook deliveries still queued (and one in flight) after %v", n, waitTimeout)
			return
		}
		s.hooks.cond.Wait()
	}
	s.mu.Unlock()
}

// Deliveries returns every delivery queued so far, attempted or not, in the
// order they were queued (redeliveries included). Call WaitDeliveries first
// to see outcomes.
func (s *Server) Deliveries() []Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Delivery, 0, len(s.hooks.log))
	for _, d := range s.hooks.log {
		out = append(out, d.snapshot())
	}
	return out
}

func (d *delivery) snapshot() Delivery {
	out := d.Delivery
	out.Payload = bytes.Clone(d.Payload)
	out.Header = d.Header.Clone()
	return out
}

// stopDeliveries ends the sender when the test ends: queued deliveries are
// dropped and one in flight is cancelled, so nothing outlives the test.
func (s *Server) stopDeliveries() {
	s.mu.Lock()
	s.hooks.closed = true
	s.hooks.queue = nil
	s.hooks.cond.Broadcast()
	s.mu.Unlock()
	s.hooks.cancel()
	<-s.hooks.done
}

// deliverLoop is the fake's single sender: it takes deliveries off the queue
// in order and attempts each once, without holding the lock while the app
// answers (the app may well call the fake meanwhile).
func (s *Server) deliverLoop(ctx context.Context) {
	defer close(s.hooks.done)
	transport := &http.Transport{Proxy: nil, DialContext: (&net.Dialer{Timeout: deliveryTimeout}).DialContext}
	defer transport.CloseIdleConnections()
	client := &http.Client{
		Transport: transport,
		Timeout:   deliveryTimeout,
		// GitHub does not follow redirects; a 3xx is the answer.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for {
		for len(s.hooks.queue) == 0 && !s.hooks.closed {
			s.hooks.cond.Wait()
		}
		if s.hooks.closed {
			return
		}
		d := s.hooks.queue[0]
		s.hooks.queue = s.hooks.queue[1:]
		s.hooks.busy = true
		header := s.deliveryHeader(d, s.hooks.secret)
		s.mu.Unlock()

		out := attempt(ctx, client, d.url, header, d.Payload)

		s.mu.Lock()
		d.Header = header
		d.Attempted = true
		d.DeliveredAt = s.now()
		d.Duration = out.duration
		d.StatusCode = out.code
		d.Status = out.status
		d.response = out.header
		d.respBody = out.body
		s.hooks.busy = false
		s.hooks.cond.Broadcast()
	}
}

// deliveryHeader is what GitHub sends with a delivery to an App's webhook.
func (s *Server) deliveryHeader(d *delivery, secret string) http.Header {
	h := http.Header{}
	h.Set("Accept", "*/*")
	h.Set("Content-Type", "application/json")
	h.Set("User-Agent", hookshotAgent)
	h.Set("X-GitHub-Event", d.Event)
	h.Set("X-GitHub-Delivery", d.GUID)
	h.Set("X-GitHub-Hook-ID", strconv.Itoa(hookID))
	h.Set("X-GitHub-Hook-Installation-Target-Type", "integration")
	h.Set("X-GitHub-Hook-Installation-Target-ID", strconv.FormatInt(s.appID, 10))
	if secret != "" {
		h.Set("X-Hub-Signature", "sha1="+hexHMAC(sha1.New, secret, d.Payload))
		h.Set("X-Hub-Signature-256", SignatureSHA256(secret, d.Payload))
	}
	return h
}

// SignatureSHA256 is the X-Hub-Signature-256 value GitHub sends with
// payload under secret: "sha256=" and the hex HMAC-SHA256 of the raw body.
// Tests that post deliveries themselves (a forged or replayed one) use it.
func SignatureSHA256(secret string, payload []byte) string {
	return "sha256=" + hexHMAC(sha256.New, secret, payload)
}

func hexHMAC(h func() hash.Hash, secret string, payload []byte) string {
	mac := hmac.New(h, []byte(secret))
	mac.Write(payload)
	return hex.EncodeToString(mac.Sum(nil))
}

// outcome is what one attempt came to.
type outcome struct {
	code     int
	status   string
	duration time.Duration
	header   http.Header
	body     []byte
}

// attempt posts one delivery and words the outcome as GitHub's log does.
func attempt(ctx context.Context, client *http.Client, url string, header http.Header, payload []byte) outcome {
	start := time.Now()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(payload))
	if err != nil {
		return outcome{status: StatusConnectFailed, duration: time.Since(start)}
	}
	req.Header = header.Clone()
	resp, err := client.Do(req)
	if err != nil {
		status := StatusConnectFailed
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			status = StatusTimedOut
		}
		return outcome{status: status, duration: time.Since(start)}
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxResponseRecorded))
	out := outcome{code: resp.StatusCode, duration: time.Since(start), header: resp.Header.Clone(), body: body}
	if out.code >= 200 && out.code <= 299 {
		out.status = StatusOK
	} else {
		out.status = fmt.Sprintf("Invalid HTTP Response: %d", out.code)
	}
	return out
}

// newGUID makes a random UUID, as X-GitHub-Delivery carries.
func newGUID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(fmt.Sprintf("githubtest: crypto/rand failed: %v", err))
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	x := hex.EncodeToString(b[:])
	return x[0:8] + "-" + x[8:12] + "-" + x[12:16] + "-" + x[16:20] + "-" + x[20:32]
}

// enqueue adds a delivery to the log and the queue. Callers hold s.mu.
func (s *Server) enqueue(d *delivery) {
	s.hooks.nextID++
	d.ID = s.hooks.nextID
	s.hooks.log = append(s.hooks.log, d)
	s.hooks.queue = append(s.hooks.queue, d)
	s.hooks.cond.Broadcast()
}

// hookInstallation is the installation whose App receives r's webhooks:
// the first by id that has r and is not suspended, or nil.
func (s *Server) hookInstallation(r *repo) *installation {
	for _, in := range s.sortedInstallations() {
		if in.has(r.fullName()) && in.suspendedAt.IsZero() {
			return in
		}
	}
	return nil
}

// emit queues the webhook GitHub sends for a change to r by sender, with
// the payload's common fields (action, repository, sender, installation,
// organization for an organisation's repository) and fields. The payload
// is validated against the description's schema for the event and action
// first; a mismatch fails the test, because a fake that sends payloads
// GitHub never would proves nothing. Callers hold s.mu.
func (s *Server) emit(r *repo, sender, event, action string, fields map[string]any) {
	if s.hooks.url == "" || s.hooks.closed {
		return
	}
	in := s.hookInstallation(r)
	if in == nil {
		return
	}
	body, err := json.Marshal(s.payload(r, in, sender, action, fields))
	if err != nil {
		s.tb.Errorf("githubtest: failed to encode the %s.%s webhook: %v", event, action, err)
		return
	}
	s.queuePayload(event, action, body, in.id, r.id, sender)
}

// payload is a webhook body: the fields every App delivery for a
// repository has, and fields. Callers hold s.mu.
func (s *Server) payload(r *repo, in *installation, sender, action string, fields map[string]any) map[string]any {
	payload := map[string]any{
		"action":       action,
		"repository":   s.webhookRepository(r),
		"sender":       s.user(sender),
		"installation": map[string]any{"id": in.id, "node_id": installationNodeID(in.id)},
	}
	if s.userType(r.owner) == "Organization" {
		payload["organization"] = s.organizationJSON(r.owner)
	}
	maps.Copy(payload, fields)
	return payload
}

// queuePayload validates a payload and queues its delivery. Callers hold
// s.mu.
func (s *Server) queuePayload(event, action string, body []byte, installationID, repositoryID int64, sender string) {
	if s.validator != nil {
		if err := s.validator.validateWebhook(event, action, body); err != nil {
			s.tb.Errorf("githubtest: the fake's %s.%s webhook does not match GitHub's schema %s: %s",
				event, action, "webhook-"+webhookKey(event, action), shortError(err))
		}
	}
	s.enqueue(&delivery{
		Delivery: Delivery{
			GUID: newGUID(), Event: event, Action: action, InstallationID: installationID,
			RepositoryID: repositoryID, Sender: sender, Payload: body,
		},
		url: s.hooks.url,
	})
}

// redeliver queues a delivery again: the same payload under the same GUID,
// marked as a redelivery, as a new entry in the log. Callers hold s.mu.
func (s *Server) redeliver(orig *delivery) {
	d := &delivery{Delivery: orig.Delivery, url: s.hooks.url}
	d.Redelivery = true
	d.Header, d.Attempted, d.DeliveredAt, d.Duration, d.StatusCode, d.Status = nil, false, time.Time{}, 0, 0, ""
	if d.url == "" {
		d.url = orig.url
	}
	s.enqueue(d)
}

// The changes below are emitted after they are applied, so every payload
// shows the issue as it ends up, as GitHub's (generated after the change)
// usually do.

// pullIssueActions are the issues actions GitHub sends as pull_request
// webhooks with the same action when the issue is a pull request.
var pullIssueActions = map[string]bool{
	"edited": true, "closed": true, "reopened": true, "labeled": true, "unlabeled": true,
	"assigned": true, "unassigned": true,
}

// emitIssue queues an issues webhook for is. A change to a pull request
// through the issue endpoints is a pull_request webhook on GitHub; pull
// requests seeded with AddPullRequest have no branches to render one
// from, so they get none.
func (s *Server) emitIssue(r *repo, is *issue, sender, action string, fields map[string]any) {
	if is.pullRequest {
		if is.pull != nil && pullIssueActions[action] {
			s.emitPull(r, is, sender, action, fields)
		}
		return
	}
	all := map[string]any{"issue": s.issueJSON(r, is)}
	maps.Copy(all, fields)
	s.emit(r, sender, "issues", action, all)
}

// emitOpened queues what GitHub sends for a new issue: opened, then one
// labeled per label and one assigned per assignee it was created with.
func (s *Server) emitOpened(r *repo, is *issue, sender string) {
	s.emitIssue(r, is, sender, "opened", nil)
	s.emitLabels(r, is, sender, nil)
	s.emitAssignees(r, is, sender, nil)
}

// emitLabels queues labeled for each label is has and before had not, and
// unlabeled for each label before had and is has not.
func (s *Server) emitLabels(r *repo, is *issue, sender string, before []*label) {
	for _, l := range is.labels {
		if !slices.Contains(before, l) {
			s.emitIssue(r, is, sender, "labeled", map[string]any{"label": s.labelJSON(r, l)})
		}
	}
	for _, l := range before {
		if !slices.Contains(is.labels, l) {
			s.emitIssue(r, is, sender, "unlabeled", map[string]any{"label": s.labelJSON(r, l)})
		}
	}
}

// emitAssignees queues assigned and unassigned for the difference between
// before and is's assignees.
func (s *Server) emitAssignees(r *repo, is *issue, sender string, before []string) {
	has := func(list []string, login string) bool {
		return slices.ContainsFunc(list, func(a string) bool { return strings.EqualFold(a, login) })
	}
	for _, a := range is.assignees {
		if !has(before, a) {
			s.emitIssue(r, is, sender, "assigned", map[string]any{"assignee": s.user(a)})
		}
	}
	for _, a := range before {
		if !has(is.assignees, a) {
			s.emitIssue(r, is, sender, "unassigned", map[string]any{"assignee": s.user(a)})
		}
	}
}

// issueBefore is what an edit may change, captured before it.
type issueBefore struct {
	title, body, state string
	labels             []*label
	assignees          []string
}

func captureIssue(is *issue) issueBefore {
	return issueBefore{
		title: is.title, body: is.body, state: is.state,
		labels: slices.Clone(is.labels), assignees: slices.Clone(is.assignees),
	}
}

// emitChanges queues everything GitHub sends for an edit, given the issue
// before it: edited (with the old title and body in changes), closed or
// reopened, then the label and assignee differences.
func (s *Server) emitChanges(r *repo, is *issue, sender string, before issueBefore) {
	changes := map[string]any{}
	if is.title != before.title {
		changes["title"] = map[string]any{"from": before.title}
	}
	if is.body != before.body {
		changes["body"] = map[string]any{"from": before.body}
	}
	if len(changes) > 0 {
		s.emitIssue(r, is, sender, "edited", map[string]any{"changes": changes})
	}
	if is.state != before.state {
		action := "reopened"
		if is.state == "closed" {
			action = "closed"
		}
		s.emitIssue(r, is, sender, action, nil)
	}
	s.emitLabels(r, is, sender, before.labels)
	s.emitAssignees(r, is, sender, before.assignees)
}

// emitComment queues an issue_comment webhook; GitHub sends these for
// comments on pull requests too.
func (s *Server) emitComment(r *repo, is *issue, cm *comment, sender, action string, fields map[string]any) {
	all := map[string]any{"issue": s.issueJSON(r, is), "comment": s.commentJSON(r, is, cm)}
	maps.Copy(all, fields)
	s.emit(r, sender, "issue_comment", action, all)
}

// emitCommentEdit queues issue_comment edited with the old body in changes,
// when the body did change.
func (s *Server) emitCommentEdit(r *repo, is *issue, cm *comment, sender, old string) {
	if cm.body == old {
		return
	}
	s.emitComment(r, is, cm, sender, "edited", map[string]any{"changes": map[string]any{"body": map[string]any{"from": old}}})
}

// emitPull queues a pull_request webhook for is with fields (such as
// before and after for synchronize, or label for labeled).
func (s *Server) emitPull(r *repo, is *issue, sender, action string, fields map[string]any) {
	all := map[string]any{"number": is.number, "pull_request": s.pullJSON(r, is, pullFull)}
	maps.Copy(all, fields)
	s.emit(r, sender, "pull_request", action, all)
}

// emitReview queues pull_request_review submitted for rv, whose author
// is the sender. GitHub's payload carries the simple form of the pull
// request.
func (s *Server) emitReview(r *repo, is *issue, rv *review) {
	s.emit(r, rv.user, "pull_request_review", "submitted", map[string]any{
		"review":       s.reviewJSON(r, is, rv, true),
		"pull_request": s.pullJSON(r, is, pullSimple),
	})
}
