package store

import (
	"context"
	"slices"
	"testing"
)

func TestResponses(t *testing.T) {
	s, path := openFile(t)
	ctx := context.Background()
	if _, ok, err := s.LatestResponse(ctx, "o/r", 3); ok || err != nil {
		t.Fatalf("LatestResponse of a new issue = %v, %v", ok, err)
	}
	first := Response{Repo: "o/r", Issue: 3, Attempt: 1, StatementID: 99, Kind: "boilerplate",
		Branch: "liaisonbot/response-99", Path: "responses/99-x.md", Status: ResponseOpen, PrevState: "state/acknowledged"}
	if err := s.SaveResponse(ctx, first); err != nil {
		t.Fatal(err)
	}
	// The pull request's number comes once GitHub answered.
	first.Pull = 7
	if err := s.SaveResponse(ctx, first); err != nil {
		t.Fatal(err)
	}
	second := first
	second.Attempt, second.Pull, second.Branch, second.Status = 2, 9, "liaisonbot/response-99-2", ResponseOpen
	first.Status = ResponseClosed
	for _, r := range []Response{first, second} {
		if err := s.SaveResponse(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	s = reopen(t, s, path)
	got, ok, err := s.LatestResponse(ctx, "o/r", 3)
	if err != nil || !ok || got.Attempt != 2 || got.Pull != 9 || got.Branch != "liaisonbot/response-99-2" || got.PrevState != "state/acknowledged" {
		t.Fatalf("LatestResponse = %+v, %v, %v", got, ok, err)
	}
	byPull, ok, err := s.ResponseByPull(ctx, "o/r", 7)
	if err != nil || !ok || byPull.Attempt != 1 || byPull.Status != ResponseClosed {
		t.Fatalf("ResponseByPull(7) = %+v, %v, %v", byPull, ok, err)
	}
	if r, ok, err := s.ResponseByBranch(ctx, "o/r", "liaisonbot/response-99-2"); err != nil || !ok || r.Attempt != 2 {
		t.Errorf("ResponseByBranch = %+v, %v, %v", r, ok, err)
	}
	if _, ok, _ := s.ResponseByPull(ctx, "o/r", 0); ok {
		t.Error("a response without a pull request was found by pull 0")
	}

	if err := s.Involve(ctx, "o/r", 3, []string{"Alice", "ietf/iesg", "alice"}); err != nil {
		t.Fatal(err)
	}
	if who, err := s.Involved(ctx, "o/r", 3); err != nil || !slices.Equal(who, []string{"alice", "ietf/iesg"}) {
		t.Errorf("Involved = %v, %v", who, err)
	}

	if first, err := s.RecordReply(ctx, "o/r", 3, 120); err != nil || !first {
		t.Fatalf("RecordReply = %v, %v", first, err)
	}
	if first, err := s.RecordReply(ctx, "o/r", 3, 120); err != nil || first {
		t.Errorf("RecordReply twice = %v, %v; want false", first, err)
	}
	if ok, err := s.ReplyRecorded(ctx, "o/r", 3, 120); err != nil || !ok {
		t.Errorf("ReplyRecorded = %v, %v", ok, err)
	}
}
