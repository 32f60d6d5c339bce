package handler

import (
	"context"
	"testing"
)

func TestPushPokesOnConfigChanges(t *testing.T) {
	tests := []struct {
		name    string
		payload string
		poked   bool
	}{
		{"config changed on the default branch", `{"ref":"refs/heads/main","repository":{"full_name":"o/r","default_branch":"main"},"commits":[{"modified":[".github/liaison.yml"]}]}`, true},
		{"org defaults added", `{"ref":"refs/heads/main","repository":{"full_name":"o/.github","default_branch":"main"},"commits":[{"added":["liaison.yml"]}]}`, true},
		{"another branch", `{"ref":"refs/heads/feature","repository":{"full_name":"o/r","default_branch":"main"},"commits":[{"modified":[".github/liaison.yml"]}]}`, false},
		{"other files", `{"ref":"refs/heads/main","repository":{"full_name":"o/r","default_branch":"main"},"commits":[{"modified":["README.md"]}]}`, false},
	}
	for _, tc := range tests {
		poked, refreshed := false, false
		h := &Push{Base: &Base{ReposChanged: func() { refreshed = true }}, ConfigChanged: func() { poked = true }}
		if err := h.Handle(context.Background(), "push", "d", []byte(tc.payload)); err != nil {
			t.Fatal(err)
		}
		if poked != tc.poked || refreshed != tc.poked {
			t.Errorf("%s: poked %v refreshed %v, want %v", tc.name, poked, refreshed, tc.poked)
		}
	}
	if err := (&Push{Base: &Base{}}).Handle(context.Background(), "push", "d", []byte("{")); err == nil {
		t.Error("a broken payload was accepted")
	}
}
