package tracker

import (
	"regexp"
	"strconv"
	"strings"
)

// The app's markers stand on lines of their own; outside text in a body
// never does (it is quoted or fenced, with comment delimiters broken).
var markerRE = regexp.MustCompile(`(?m)^<!-- liaisonbot:statement (\d+) -->$`)

// StatementIDOf reads the statement id from an issue body's marker.
func StatementIDOf(body string) (int, bool) {
	m := markerRE.FindStringSubmatch(body)
	if m == nil {
		return 0, false
	}
	id, err := strconv.Atoi(m[1])
	return id, err == nil
}

var sectionRE = regexp.MustCompile(`(?ms)^<!-- liaisonbot:begin (\w+)([^>\n]*?) -->\n(.*?)^<!-- liaisonbot:end (\w+) -->$`)

// Section is one app-owned part of an issue body.
type Section struct {
	Name    string
	Attrs   string // e.g. "sha=abc" on the acknowledgement
	Content string
}

// Sections lists the app-owned sections of body by name.
func Sections(body string) map[string]Section {
	out := map[string]Section{}
	for _, m := range sectionRE.FindAllStringSubmatch(body, -1) {
		if _, seen := out[m[1]]; m[1] != m[4] || seen {
			continue // the app's own section comes first; later look-alikes are people's text
		}
		out[m[1]] = Section{Name: m[1], Attrs: strings.TrimSpace(m[2]), Content: m[3]}
	}
	return out
}

// ReplaceSections rewrites the named sections of current with those of
// fresh and leaves everything else — what people wrote — as it is. A
// section missing from current (someone deleted it) stays missing.
func ReplaceSections(current, fresh string, names ...string) string {
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	freshSecs := sectionRE.FindAllStringSubmatch(fresh, -1)
	bySection := map[string]string{}
	for _, m := range freshSecs {
		bySection[m[1]] = m[0]
	}
	done := map[string]bool{}
	return sectionRE.ReplaceAllStringFunc(current, func(old string) string {
		m := sectionRE.FindStringSubmatch(old)
		if m[1] != m[4] || !want[m[1]] || done[m[1]] {
			return old
		}
		done[m[1]] = true
		if repl, ok := bySection[m[1]]; ok {
			return repl
		}
		return old
	})
}

// PeoplesText is body without the app's marker lines and sections: what
// people wrote.
func PeoplesText(body string) string {
	body = sectionRE.ReplaceAllString(body, "")
	body = markerRE.ReplaceAllString(body, "")
	body = strings.ReplaceAll(body, ManualMarker, "")
	return strings.TrimSpace(body)
}
