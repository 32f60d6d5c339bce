package liaison

import "testing"

func TestNames(t *testing.T) {
	for _, tc := range []struct {
		s                    string
		login, team, acronym bool
	}{
		{"alice", true, false, true},
		{"Alice-Example", true, false, false},
		{"-alice", false, false, false},
		{"a123456789012345678901234567890123456789", false, false, true},
		{"ietf/iesg", false, true, false},
		{"ietf-liaisons/my.team", false, true, false},
		{"ietf/_private", false, true, false},
		{"ietf/", false, false, false},
		{"ietf/iesg/x", false, false, false},
		{"itu-t-sg-13", true, false, true},
		{"6lo", true, false, true},
		{"ietf_wg", false, false, false},
		{"ops.area", false, false, false},
	} {
		if got := ValidLogin(tc.s); got != tc.login {
			t.Errorf("ValidLogin(%q) = %v", tc.s, got)
		}
		if got := ValidTeam(tc.s); got != tc.team {
			t.Errorf("ValidTeam(%q) = %v", tc.s, got)
		}
		if got := ValidAcronym(tc.s); got != tc.acronym {
			t.Errorf("ValidAcronym(%q) = %v", tc.s, got)
		}
	}
}
