package templates

import "testing"

func TestIssueBody(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   Issue
		want string
	}{
		{
			name: "every section",
			in: Issue{Marker: "<!-- m -->", Metadata: "| a | b |\n", Assignment: "Assigned.\n",
				Statement: "> text\n", AckSHA: "abc", Acknowledgement: "Dear all,\n"},
			want: "<!-- m -->\n<!-- liaisonbot:begin metadata -->\n| a | b |\n<!-- liaisonbot:end metadata -->" +
				"\n<!-- liaisonbot:begin assignment -->\nAssigned.\n<!-- liaisonbot:end assignment -->" +
				"\n\n### Statement\n\n<!-- liaisonbot:begin statement -->\n> text\n<!-- liaisonbot:end statement -->" +
				"\n\n### Acknowledgement draft\n\n<!-- liaisonbot:begin acknowledgement sha=abc -->\nDear all,\n<!-- liaisonbot:end acknowledgement -->\n",
		},
		{
			name: "no assignment, no template revision",
			in:   Issue{Marker: "<!-- m -->", Metadata: "M\n", Statement: "S\n", Acknowledgement: "A\n"},
			want: "<!-- m -->\n<!-- liaisonbot:begin metadata -->\nM\n<!-- liaisonbot:end metadata -->" +
				"\n\n### Statement\n\n<!-- liaisonbot:begin statement -->\nS\n<!-- liaisonbot:end statement -->" +
				"\n\n### Acknowledgement draft\n\n<!-- liaisonbot:begin acknowledgement -->\nA\n<!-- liaisonbot:end acknowledgement -->\n",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := IssueBody(tc.in); got != tc.want {
				t.Errorf("IssueBody:\n%q\nwant\n%q", got, tc.want)
			}
		})
	}
}

func TestUpdateComment(t *testing.T) {
	const lead = "The datatracker's record of this statement changed"
	const rewritten = ". The metadata and statement sections above were rewritten from it."
	for _, tc := range []struct {
		name string
		in   Update
		want string
	}{
		{"changes", Update{Changes: []string{"Deadline", "statement text"}}, lead + ": Deadline, statement text" + rewritten + "\n"},
		{"nothing named", Update{}, lead + rewritten + "\n"},
		{"dead and kept", Update{Changes: []string{"State"}, Dead: true, AckKept: true}, lead + ": State" + rewritten +
			"\n\nThe datatracker now marks this statement as **dead** (withdrawn). The issue stays open until someone closes it." +
			"\n\nThe acknowledgement draft was kept as written: the template it came from has changed upstream since.\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := UpdateComment(tc.in); got != tc.want {
				t.Errorf("UpdateComment:\n%q\nwant\n%q", got, tc.want)
			}
		})
	}
}
