package inbox

import (
	"strconv"
	"testing"

	"github.com/tidwall/gjson"
)

// byPaths is orderingKey written as path lookups, which copy nothing
// unsafely and scan the payload once per field: the reference the
// one-pass version must agree with.
func byPaths(payload []byte) string {
	r := gjson.GetManyBytes(payload, "repository.full_name", "issue.number", "pull_request.number", "installation.id")
	switch repo := r[0].Str; {
	case repo == "" && r[3].Type == gjson.Number:
		return "installation:" + strconv.FormatInt(r[3].Int(), 10)
	case repo == "":
		return ""
	case r[1].Type == gjson.Number:
		return repo + "#" + strconv.FormatInt(r[1].Int(), 10)
	case r[2].Type == gjson.Number:
		return repo + "#" + strconv.FormatInt(r[2].Int(), 10)
	default:
		return repo
	}
}

func FuzzOrderingKey(f *testing.F) {
	for _, s := range []string{
		`{"issue":{"number":7},"repository":{"full_name":"o/r"}}`,
		`{"action":"created","comment":{"body":"\"repository\":{\"full_name\":\"x/y\"}"},"issue":{"number":1},"repository":{"full_name":"o/r"},"installation":{"id":9}}`,
		`{"pull_request":{"number":8},"repository":{"full_name":"o\u002fr"}}`,
		`{"installation":{"id":1},"repositories_added":[{"full_name":"o/r"}]}`,
		`{"repository":{"full_name":"a/b"},"repository":{"full_name":"c/d"}}`,
		`not json`, `[]`, `{"issue":{"number":"7"},"repository":{"full_name":"o/r"}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		if !gjson.ValidBytes(payload) {
			orderingKey(payload) // must not panic on anything
			return
		}
		if got, want := orderingKey(payload), byPaths(payload); got != want {
			t.Errorf("orderingKey(%s) = %q, path lookups give %q", payload, got, want)
		}
	})
}
