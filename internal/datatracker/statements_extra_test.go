package datatracker_test

import (
	"context"
	"slices"
	"testing"

	"github.com/liaisonbot/liaisonbot/internal/datatracker"
	"github.com/liaisonbot/liaisonbot/internal/datatrackertest"
	"github.com/liaisonbot/liaisonbot/internal/liaison"
)

func TestDescendingWithKnownSkipsResolution(t *testing.T) {
	fake := datatrackertest.New(t)
	fake.AddGroup(liaison.Group{ID: 1, Acronym: "itu-t-sg-13", Name: "ITU-T SG13", Type: "sdo"})
	fake.AddGroup(liaison.Group{ID: 2, Acronym: "ietf", Name: "IETF", Type: "ietf"})
	for i := 0; i < 7; i++ {
		fake.AddStatement(datatrackertest.Statement{Title: "t", FromGroups: []int{1}, ToGroups: []int{2}, Purpose: "info"})
	}
	c, err := datatracker.New(fake.URL(), datatracker.WithPageSize(3))
	if err != nil {
		t.Fatal(err)
	}
	known := map[int]bool{7: true, 6: true, 5: true}
	var got []int
	resolved := 0
	fake.ResetCounts()
	err = c.Statements(context.Background(), datatracker.Query{Descending: true, Known: func(id int) bool { return known[id] }}, func(st liaison.Statement) error {
		got = append(got, st.ID)
		if len(st.FromGroups) > 0 {
			resolved++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, []int{7, 6, 5, 4, 3, 2, 1}) {
		t.Errorf("descending walk = %v", got)
	}
	if resolved != 4 {
		t.Errorf("resolved %d statements, want the 4 unknown ones", resolved)
	}
}

func TestLatestEventID(t *testing.T) {
	fake := datatrackertest.New(t)
	c, err := datatracker.New(fake.URL())
	if err != nil {
		t.Fatal(err)
	}
	if id, err := c.LatestEventID(context.Background()); err != nil || id != 0 {
		t.Fatalf("empty feed: %d, %v", id, err)
	}
	fake.AddGroup(liaison.Group{ID: 1, Acronym: "itu-t", Name: "ITU-T", Type: "sdo"})
	sid := fake.AddStatement(datatrackertest.Statement{Title: "t", FromGroups: []int{1}, Purpose: "info"})
	want := fake.AddEvent(sid, "modified")
	if id, err := c.LatestEventID(context.Background()); err != nil || id != want {
		t.Fatalf("LatestEventID = %d, %v; want %d", id, err, want)
	}
}
