package server

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/google/go-github/v62/github"
	"github.com/rs/zerolog"

	"github.com/liaisonbot/liaisonbot/internal/config"
	"github.com/liaisonbot/liaisonbot/internal/liaison"
	"github.com/liaisonbot/liaisonbot/internal/markdown"
	"github.com/liaisonbot/liaisonbot/internal/responses"
	"github.com/liaisonbot/liaisonbot/internal/schedule"
	"github.com/liaisonbot/liaisonbot/internal/store"
	"github.com/liaisonbot/liaisonbot/internal/templates"
	"github.com/liaisonbot/liaisonbot/internal/tracker"
)

func responseRepo(repo *github.Repository) responses.Repo {
	return responses.Repo{Owner: repo.GetOwner().GetLogin(), Name: repo.GetName(), DefaultBranch: repo.GetDefaultBranch()}
}

// setState replaces the issue's state label with state in one request,
// keeping every other label: /respond's one label write. Commands on an
// issue run one at a time (the inbox orders them by issue); its response
// pull request's events are ordered by the pull request, and they move
// the state with tracker.MoveState, label by label. A replace here can
// still undo one of those if an earlier response pull request closes in
// the instant /respond runs.
func setState(ctx context.Context, c *github.Client, repo *github.Repository, number int, labels []string, state liaison.TriageState) error {
	keep := slices.DeleteFunc(slices.Clone(labels), func(l string) bool { return strings.HasPrefix(l, liaison.PrefixState) })
	keep = append(keep, state.Label())
	if _, _, err := c.Issues.ReplaceLabelsForIssue(ctx, repo.GetOwner().GetLogin(), repo.GetName(), number, keep); err != nil {
		return fmt.Errorf("failed to label %s#%d %s: %w", repo.GetFullName(), number, state.Label(), err)
	}
	return nil
}

// restorable is the state a response's issue goes back to when its pull
// request closes unmerged: never a state the response itself set.
func restorable(st liaison.TriageState) liaison.TriageState {
	switch st {
	case "", liaison.StateResponding, liaison.StateResponseApproved:
		return liaison.StateAcknowledged
	}
	return st
}

// Respond opens the issue's response pull request ("/respond"): a branch
// from the default branch, the response file and the pull request, with
// the configured and involved reviewers; the issue moves to
// state/responding. There is one open at a time: asked again, it points
// to the open one.
func (s *Server) Respond(ctx context.Context, client *github.Client, repo *github.Repository, is *github.Issue, kind string, rc *config.RepoConfig) (string, error) {
	full, number := repo.GetFullName(), is.GetNumber()
	if rc == nil {
		rc = config.DefaultRepoConfig()
	}
	prev, found, err := s.store.LatestResponse(ctx, full, number)
	if err != nil {
		return "", err
	}
	attempt := 1
	if found && prev.Status == store.ResponseOpen && prev.Pull != 0 {
		// GitHub does not resend a closed event that never arrived: ask
		// the pull request itself before pointing to it.
		pr, _, err := client.PullRequests.Get(ctx, repo.GetOwner().GetLogin(), repo.GetName(), prev.Pull)
		if err != nil {
			return "", fmt.Errorf("failed to get %s#%d: %w", full, prev.Pull, err)
		}
		if pr.GetState() == "closed" {
			if err := s.PullRequestChanged(ctx, client, repo, pr, "closed"); err != nil {
				return "", err
			}
			if prev, _, err = s.store.LatestResponse(ctx, full, number); err != nil {
				return "", err
			}
			// Its labels changed with it.
			if is, _, err = client.Issues.Get(ctx, repo.GetOwner().GetLogin(), repo.GetName(), number); err != nil {
				return "", fmt.Errorf("failed to get %s#%d: %w", full, number, err)
			}
		}
	}
	if found {
		labels := tracker.LabelNames(is.Labels)
		switch {
		case prev.Status == store.ResponseOpen && prev.Pull != 0:
			// An earlier run may have stopped before the label: set it.
			if liaison.StateOf(labels) != liaison.StateResponding {
				if err := setState(ctx, client, repo, number, labels, liaison.StateResponding); err != nil {
					return "", err
				}
			}
			return fmt.Sprintf("The response pull request is open already: #%d. Review it there; close it to start again.", prev.Pull), nil
		case prev.Status == store.ResponseMerged && liaison.StateOf(labels) == liaison.StateResponseApproved:
			return fmt.Sprintf("The response was agreed in #%d (merged) and waits to be posted on the datatracker. To write another, move this issue out of %s first (`/label state/acknowledged`).",
				prev.Pull, markdown.CodeSpan(liaison.StateResponseApproved.Label())), nil
		case prev.Status == store.ResponseOpen:
			attempt = prev.Attempt // an earlier run stopped part-way: finish it
		default:
			attempt = prev.Attempt + 1
		}
	}
	id, ok := tracker.StatementIDOf(is.GetBody())
	if !ok {
		return "This issue is not tied to a datatracker statement yet (`/link` ties it): a response needs the statement it answers.", nil
	}
	st, ok, err := s.store.Statement(ctx, id)
	if err != nil {
		return "", err
	}
	if !ok {
		return fmt.Sprintf("LS %d is not in liaisonbot's store yet; try again after the next sync.", id), nil
	}
	labels := tracker.LabelNames(is.Labels)
	if slices.Contains(labels, liaison.LabelOutgoing) {
		return fmt.Sprintf("LS %d was sent by the IETF: the reply to it is the other body's to write.", id), nil
	}
	purpose := cmp.Or(liaison.PurposeOf(labels), st.Purpose)
	tg := schedule.TargetFor(schedule.TrackingRepo{FullName: full, Config: rc}, &st)
	if f := liaison.FamilyOf(labels); f != "" {
		tg.Family = f
	}
	meta := responses.Meta{
		Statement: id, Link: st.URL(s.cfg.Datatracker.URL), Issue: number, Title: st.Title,
		To: st.FromNames(), From: tg.Family.Display(), Kind: responses.Kind(kind),
	}
	if dls, err := s.store.Deadlines(ctx, full); err != nil {
		return "", err
	} else if d, ok := dls[number]; ok {
		if !d.Date.IsZero() {
			meta.Deadline = d.Date.String()
		}
	} else if st.Deadline != nil {
		meta.Deadline = st.Deadline.String()
	}

	var text, source string
	switch responses.Kind(kind) {
	case responses.Boilerplate:
		name, due := templates.ResponseName(purpose, tg.Family)
		if !due {
			return fmt.Sprintf("LS %d is %s: there is no boilerplate response for it. `/respond crafted` opens one to write.", id, markdown.CodeSpan(liaison.PurposeLabel(purpose))), nil
		}
		tpls, tplErr := s.readTemplates(ctx)
		tpl, ok := tpls[name]
		if !ok {
			why := fmt.Sprintf("The template %s could not be read", name)
			if tplErr != nil {
				why += ": " + markdown.Inline(tplErr.Error())
			}
			return why + "; try again later, or `/respond crafted`.", nil
		}
		f, err := templates.Fill(tpl, templates.Values{
			Title:  responses.Unbraced(markdown.PlainLine(st.Title)),
			From:   responses.Unbraced(st.FromNames()),
			Link:   meta.Link,
			Thanks: rc.Signoff,
		})
		if err != nil {
			return "The boilerplate response cannot be filled: " + markdown.Inline(err.Error()), nil
		}
		text = responses.BoilerplateText(f.Subject, f.Body)
		source = fmt.Sprintf("the boilerplate response, filled from `%s` (%s)", name, shortSHA(tpl.SHA))
	case responses.Crafted:
		text = responses.CraftedText(meta, rc.Signoff, st.Body)
		source = "a draft to write: replace the marked line; the statement is quoted below it for reference"
	default:
		return fmt.Sprintf("%s is not a kind of response: want boilerplate or crafted.", markdown.CodeSpan(kind)), nil
	}

	rec := store.Response{
		Repo: full, Issue: number, Attempt: attempt, StatementID: id, Kind: kind,
		Branch: responses.Branch(id, number, attempt), Path: responses.Path(id, number, st.Title),
		Status: store.ResponseOpen, PrevState: string(restorable(liaison.StateOf(labels))),
	}
	switch {
	case found && prev.Attempt == attempt:
		rec.PrevState, rec.CreatedAt = prev.PrevState, prev.CreatedAt
	case found && liaison.StateOf(labels) == liaison.StateResponding:
		// The issue still shows the last response: go back to where that
		// one started.
		rec.PrevState = prev.PrevState
	}
	if err := s.store.SaveResponse(ctx, rec); err != nil {
		return "", err
	}
	prevState := restorable(liaison.TriageState(rec.PrevState))
	r := responseRepo(repo)
	pr, err := responses.Open(ctx, client, r, responses.Draft{
		Branch: rec.Branch, Path: rec.Path, Content: responses.File(meta, text),
		Title: responses.Title(meta), Body: pullBody(meta, number, kind, source, st.ReplyURL(s.cfg.Datatracker.URL), prevState),
		AsDraft: kind == string(responses.Crafted),
		Message: fmt.Sprintf("Response to LS %d (%s), for #%d", id, kind, number),
	})
	if err != nil {
		return "", err
	}
	rec.Pull = pr.GetNumber()
	if err := s.store.SaveResponse(ctx, rec); err != nil {
		return "", err
	}

	var out []string
	out = append(out, fmt.Sprintf("Opened the response pull request #%d: %s.", rec.Pull, source))
	reviewers, err := s.reviewers(ctx, full, number, rc)
	if err != nil {
		return "", err
	}
	if msg := requestReviews(ctx, client, r, rec.Pull, reviewers); msg != "" {
		out = append(out, msg)
	}
	if liaison.StateOf(labels) != liaison.StateResponding {
		if err := setState(ctx, client, repo, number, labels, liaison.StateResponding); err != nil {
			return "", err
		}
	}
	out = append(out, fmt.Sprintf("Approvals needed: %d. Merging it moves this issue to %s and I post the final text here; closing it unmerged puts it back to %s.",
		rc.Responses.RequiredApprovals, markdown.CodeSpan(liaison.StateResponseApproved.Label()), markdown.CodeSpan(prevState.Label())))
	return strings.Join(out, " "), nil
}

func shortSHA(sha string) string {
	if len(sha) > 7 {
		return sha[:7]
	}
	return sha
}

// codeList writes names as code spans, so listing them pings nobody.
func codeList(names []string) string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = markdown.CodeSpan(n)
	}
	return strings.Join(out, ", ")
}

// requestReviews asks who to review the pull request and says, in a
// sentence for the reply, who was asked and who could not be. A reviewer
// GitHub refuses must not undo the pull request, so refusals are told,
// not returned.
func requestReviews(ctx context.Context, client *github.Client, r responses.Repo, pull int, who []string) string {
	if len(who) == 0 {
		return ""
	}
	ok, skipped := responses.Requestable(r.Owner, who)
	refused, err := responses.RequestReviewers(ctx, client, r, pull, ok)
	if err != nil {
		zerolog.Ctx(ctx).Warn().Err(err).Msg("reviewers not requested")
		return fmt.Sprintf("I could not request reviews on #%d: %s.", pull, markdown.Inline(err.Error()))
	}
	asked := slices.DeleteFunc(slices.Clone(ok), func(w string) bool { return slices.Contains(refused, w) })
	var parts []string
	if len(asked) > 0 {
		parts = append(parts, fmt.Sprintf("Review requested on #%d from %s.", pull, codeList(asked)))
	}
	if len(refused) > 0 {
		parts = append(parts, "GitHub refused to ask "+codeList(refused)+" (not a collaborator with access to this repository?).")
	}
	if len(skipped) > 0 {
		parts = append(parts, fmt.Sprintf("Not asked: %s (a team of another organisation, or past %d reviewers).", codeList(skipped), responses.MaxReviewers))
	}
	return strings.Join(parts, " ")
}

// reviewers are the repository's configured reviewers and the people
// involved on the issue, once each.
func (s *Server) reviewers(ctx context.Context, repo string, number int, rc *config.RepoConfig) ([]string, error) {
	involved, err := s.store.Involved(ctx, repo, number)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, who := range append(slices.Clone(rc.Responses.Reviewers), involved...) {
		if !slices.ContainsFunc(out, func(o string) bool { return strings.EqualFold(o, who) }) {
			out = append(out, who)
		}
	}
	return out, nil
}

// pullBody is the response pull request's description: what it answers,
// by when, and what merging or closing it does.
func pullBody(m responses.Meta, issue int, kind, source, replyURL string, prev liaison.TriageState) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Response to #%d, LS %d: %s.\n\n", issue, m.Statement, markdown.Inline(m.Title))
	fmt.Fprintf(&b, "- To: %s\n", markdown.Inline(m.To))
	fmt.Fprintf(&b, "- From: %s\n", m.From)
	if m.Deadline != "" {
		fmt.Fprintf(&b, "- Deadline: **%s**\n", m.Deadline)
	} else {
		b.WriteString("- Deadline: none given\n")
	}
	fmt.Fprintf(&b, "- Kind: %s — %s\n\n", kind, source)
	b.WriteString("The check `" + responses.CheckName + "` fails while a `{placeholder}` is left in the text or the front matter does not match the issue.\n\n")
	fmt.Fprintf(&b, "**On merge**, #%d moves to `%s` and gets the final text, to post on the datatracker as the reply: %s\n", issue, liaison.StateResponseApproved.Label(), replyURL)
	fmt.Fprintf(&b, "**Closed without merging**, #%d goes back to `%s`.\n", issue, prev.Label())
	return b.String()
}

// Involve adds reviewers to the issue's response ("/involve"): remembered
// for the pull requests to come and requested on the open one. The reply
// mentions them, which brings them into the issue's conversation.
func (s *Server) Involve(ctx context.Context, client *github.Client, repo *github.Repository, is *github.Issue, who []string) (string, error) {
	full, number := repo.GetFullName(), is.GetNumber()
	if err := s.store.Involve(ctx, full, number, who); err != nil {
		return "", err
	}
	mentions := make([]string, len(who))
	for i, w := range who {
		mentions[i] = "@" + strings.TrimPrefix(w, "@")
	}
	msg := strings.Join(mentions, " ") + ": you are involved in the response to this statement."
	cur, found, err := s.store.LatestResponse(ctx, full, number)
	if err != nil {
		return "", err
	}
	if !found || cur.Status != store.ResponseOpen || cur.Pull == 0 {
		return msg + " Your review will be requested on the response pull request (`/respond` opens it).", nil
	}
	return msg + " " + requestReviews(ctx, client, responseRepo(repo), cur.Pull, who), nil
}

// PullRequestChanged follows a response pull request: its file is checked
// on every new head, and when it closes the issue's state moves — merged,
// to state/response-approved with the final text posted on the issue;
// closed unmerged, back to the state before. Other pull requests are not
// the app's business.
func (s *Server) PullRequestChanged(ctx context.Context, client *github.Client, repo *github.Repository, pr *github.PullRequest, action string) error {
	full := repo.GetFullName()
	rec, ok, err := s.store.ResponseByPull(ctx, full, pr.GetNumber())
	if err != nil {
		return err
	}
	if !ok {
		// GitHub sends "opened" as soon as the pull request exists, which
		// can be before /respond has recorded its number: the branch
		// names the response.
		head := pr.GetHead()
		if head.GetRepo().GetFullName() != full || !strings.HasPrefix(head.GetRef(), responses.BranchPrefix) {
			return nil
		}
		if rec, ok, err = s.store.ResponseByBranch(ctx, full, head.GetRef()); err != nil || !ok {
			return err
		}
		switch rec.Pull {
		case pr.GetNumber():
			// /respond recorded it between the two lookups.
		case 0:
			rec.Pull = pr.GetNumber()
			if err := s.store.SaveResponse(ctx, rec); err != nil {
				return err
			}
		default:
			return nil // the branch belongs to another pull request
		}
	}
	r := responseRepo(repo)
	switch action {
	case "opened", "reopened", "synchronize", "ready_for_review":
		if action == "reopened" && rec.Status == store.ResponseClosed {
			if err := s.reopened(ctx, client, repo, rec); err != nil {
				return err
			}
		}
		return s.check(ctx, client, r, rec, pr.GetHead().GetSHA())
	case "closed":
		if rec.Status != store.ResponseOpen {
			return nil // said already (a redelivery)
		}
		is, _, err := client.Issues.Get(ctx, r.Owner, r.Name, rec.Issue)
		if err != nil {
			return fmt.Errorf("failed to get %s#%d: %w", full, rec.Issue, err)
		}
		labels := tracker.LabelNames(is.Labels)
		if pr.GetMerged() {
			return s.merged(ctx, client, repo, rec, pr, labels)
		}
		return s.closedUnmerged(ctx, client, repo, rec, labels)
	}
	return nil
}

// check lints the response files at head and reports a check run.
func (s *Server) check(ctx context.Context, client *github.Client, r responses.Repo, rec store.Response, head string) error {
	files, err := responses.ResponseFiles(ctx, client, r, rec.Pull)
	if err != nil {
		return err
	}
	want := responses.Meta{Statement: rec.StatementID, Issue: rec.Issue}
	problems := map[string][]responses.Problem{}
	for _, f := range files {
		content, err := responses.ReadFile(ctx, client, r, head, f)
		if err != nil {
			return err
		}
		if ps := responses.Lint(content, want); len(ps) > 0 {
			problems[f] = ps
		}
	}
	return responses.Report(ctx, client, r, head, files, problems)
}

func (s *Server) merged(ctx context.Context, client *github.Client, repo *github.Repository, rec store.Response, pr *github.PullRequest, labels []string) error {
	r := responseRepo(repo)
	ref := pr.GetMergeCommitSHA()
	if ref == "" {
		ref = r.DefaultBranch
	}
	content, err := s.mergedText(ctx, client, r, ref, rec)
	if err != nil {
		return err
	}
	if err := tracker.MoveState(ctx, client, repo.GetFullName(), rec.Issue, labels, liaison.StateResponseApproved); err != nil {
		return err
	}
	reply := (&liaison.Statement{ID: rec.StatementID}).ReplyURL(s.cfg.Datatracker.URL)
	body := fmt.Sprintf("The response was agreed and merged in #%d. Post it on the datatracker as the reply to LS %d: %s\n\n"+
		"Once the reply is posted, I record it here and close this issue (or `/sent <URL>` does it by hand).",
		rec.Pull, rec.StatementID, reply)
	final := ""
	if content != nil {
		final = responses.Final(content)
	}
	switch {
	case content == nil:
		body += fmt.Sprintf("\n\nThe pull request left no response file under `%s`: take the text from #%d.", responses.Dir, rec.Pull)
	case len(final) > maxComment-len(body)-200:
		body += fmt.Sprintf("\n\nThe text is too long for a comment: take it from `%s` on the default branch.", rec.Path)
	default:
		body += "\n\n" + markdown.Fence("text", final)
	}
	if err := comment(ctx, client, repo, rec.Issue, body); err != nil {
		return err
	}
	rec.Status = store.ResponseMerged
	return s.store.SaveResponse(ctx, rec)
}

// mergedText reads the merged response: its recorded file, else the
// response file the pull request ended with (renamed in review); nil when
// it left none.
func (s *Server) mergedText(ctx context.Context, client *github.Client, r responses.Repo, ref string, rec store.Response) ([]byte, error) {
	content, err := responses.ReadFile(ctx, client, r, ref, rec.Path)
	if err == nil {
		return content, nil
	}
	files, ferr := responses.ResponseFiles(ctx, client, r, rec.Pull)
	if ferr != nil {
		return nil, ferr
	}
	if len(files) == 0 {
		return nil, nil
	}
	return responses.ReadFile(ctx, client, r, ref, files[0])
}

func (s *Server) closedUnmerged(ctx context.Context, client *github.Client, repo *github.Repository, rec store.Response, labels []string) error {
	back := restorable(liaison.TriageState(rec.PrevState))
	note := fmt.Sprintf("The response pull request #%d was closed without merging. This issue is back to %s; `/respond` opens a new one.",
		rec.Pull, markdown.CodeSpan(back.Label()))
	if st := liaison.StateOf(labels); st == liaison.StateResponding || st == back {
		if err := tracker.MoveState(ctx, client, repo.GetFullName(), rec.Issue, labels, back); err != nil {
			return err
		}
	} else {
		// Someone moved the state by hand meanwhile: theirs stands.
		note = fmt.Sprintf("The response pull request #%d was closed without merging; `/respond` opens a new one.", rec.Pull)
	}
	if err := comment(ctx, client, repo, rec.Issue, note); err != nil {
		return err
	}
	rec.Status = store.ResponseClosed
	return s.store.SaveResponse(ctx, rec)
}

// reopened takes a response pull request back after it was closed
// unmerged, unless the issue has a newer one.
func (s *Server) reopened(ctx context.Context, client *github.Client, repo *github.Repository, rec store.Response) error {
	latest, _, err := s.store.LatestResponse(ctx, repo.GetFullName(), rec.Issue)
	if err != nil || latest.Attempt != rec.Attempt {
		return err
	}
	is, _, err := client.Issues.Get(ctx, repo.GetOwner().GetLogin(), repo.GetName(), rec.Issue)
	if err != nil {
		return fmt.Errorf("failed to get %s#%d: %w", repo.GetFullName(), rec.Issue, err)
	}
	if err := tracker.MoveState(ctx, client, repo.GetFullName(), rec.Issue, tracker.LabelNames(is.Labels), liaison.StateResponding); err != nil {
		return err
	}
	rec.Status = store.ResponseOpen
	return s.store.SaveResponse(ctx, rec)
}

// ReviewSubmitted tells the issue once when its response is agreed: the
// required approvals, and no change still requested.
func (s *Server) ReviewSubmitted(ctx context.Context, client *github.Client, repo *github.Repository, pr *github.PullRequest, rc *config.RepoConfig) error {
	rec, ok, err := s.store.ResponseByPull(ctx, repo.GetFullName(), pr.GetNumber())
	if err != nil || !ok || rec.Status != store.ResponseOpen {
		return err
	}
	if rc == nil {
		rc = config.DefaultRepoConfig()
	}
	reviews, err := responses.Reviews(ctx, client, responseRepo(repo), rec.Pull)
	if err != nil {
		return err
	}
	v := responses.Judge(reviews, rc.Responses.RequiredApprovals)
	switch {
	case v.Agreed && !rec.ApprovedNoted:
		note := fmt.Sprintf("The response in #%d is agreed: approved by %s, with no change requested. Merge it to post it.",
			rec.Pull, codeList(v.Approvers))
		if err := comment(ctx, client, repo, rec.Issue, note); err != nil {
			return err
		}
		rec.ApprovedNoted = true
	case !v.Agreed && rec.ApprovedNoted:
		rec.ApprovedNoted = false // changes were asked since: say it again when agreed again
	default:
		return nil
	}
	return s.store.SaveResponse(ctx, rec)
}

// maxComment keeps a comment under GitHub's 65,536 characters.
const maxComment = 60000

func comment(ctx context.Context, c *github.Client, repo *github.Repository, number int, body string) error {
	return (&tracker.GitHubIssues{Client: c}).Comment(ctx, repo.GetFullName(), number, body)
}
