package templates

import "testing"

func TestPlainText(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"bold stars", "Receipt of **LS 1** and **LS 2**", "Receipt of LS 1 and LS 2"},
		{"bold underscores", "an __email__ reply", "an email reply"},
		{"underscores inside a word stay", "snake__case__name", "snake__case__name"},
		{"stars around spaces stay", "2 ** 3 ** 4", "2 ** 3 ** 4"},
		{"link", "described in [Internet Standards Process](https://www.ietf.org/process/process) (1).",
			"described in Internet Standards Process (https://www.ietf.org/process/process) (1)."},
		{"link whose text is its URL", "[https://x.example/](https://x.example/)", "https://x.example/"},
		{"image", "![logo](https://x.example/a.png)", "logo (https://x.example/a.png)"},
		{"bold link", "**[A](https://a.example)**", "A (https://a.example)"},
		{"autolink", "see <https://datatracker.ietf.org/liaison/1/>", "see https://datatracker.ietf.org/liaison/1/"},
		{"escapes", `not \*\*bold\*\* \[x\]`, "not **bold** [x]"},
		{"hard breaks keep lines, lose trailing spaces", "indicated.  \n\nPlease note\t\nend", "indicated.\n\nPlease note\nend"},
		{"backslash hard break", "line one\\\nline two", "line one\nline two"},
		{"escaped backslash at end stays", `path C:\\`, `path C:\`},
		{"CRLF", "a  \r\nb\r\n", "a\nb\n"},
		{"curly quotes kept", "marked as \u201cFor Action\u201d", "marked as \u201cFor Action\u201d"},
		{"unclosed bold left alone", "**open only", "**open only"},
		{"bold does not span lines", "**a\nb**", "**a\nb**"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := PlainText(tc.in); got != tc.want {
				t.Errorf("PlainText(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}
