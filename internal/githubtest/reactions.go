package githubtest

import (
	"net/http"
	"slices"
)

// POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions: 201
// with a new reaction, or 200 with the caller's existing reaction of that
// content (GitHub's "Reaction exists"). GitHub sends no webhook for
// reactions.
func (c *call) createCommentReaction() {
	_, _, cm, ok := c.findComment()
	if !ok {
		return
	}
	var req struct {
		Content *string `json:"content"`
	}
	if !c.decode(&req) {
		return
	}
	if req.Content == nil {
		c.unprocessable(fieldError{Resource: "Reaction", Field: "content", Code: "missing_field"})
		return
	}
	if !slices.Contains(reactionContents, *req.Content) {
		c.unprocessable(fieldError{Resource: "Reaction", Field: "content", Code: "invalid", Value: *req.Content})
		return
	}
	actor := c.actor()
	for _, rc := range cm.reactions {
		if rc.user == actor && rc.content == *req.Content {
			c.json(http.StatusOK, c.s.reactionJSON(rc))
			return
		}
	}
	rc := &reaction{id: c.s.newID(), user: actor, content: *req.Content, createdAt: c.s.now()}
	cm.reactions = append(cm.reactions, rc)
	c.json(http.StatusCreated, c.s.reactionJSON(rc))
}

// GET /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions,
// optionally of one content, oldest first, paginated.
func (c *call) listCommentReactions() {
	_, _, cm, ok := c.findComment()
	if !ok {
		return
	}
	want := c.r.URL.Query().Get("content")
	var kept []*reaction
	for _, rc := range cm.reactions {
		if want == "" || rc.content == want {
			kept = append(kept, rc)
		}
	}
	c.json(http.StatusOK, renderPage(c, kept, c.s.reactionJSON))
}
