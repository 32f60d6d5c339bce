// Package templatestest provides liaison templates for tests: the real
// ones from ../shared/realworld when they are there, else minimal ones
// with the same file names, shape and placeholders (written here, not
// copied), so tests of everything around the templates run anywhere.
package templatestest

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/liaisonbot/liaisonbot/internal/realworld"
	"github.com/liaisonbot/liaisonbot/internal/templates"
)

// minimal are stand-ins with every placeholder the real templates use.
var minimal = map[string]string{
	templates.EmailIETFInfo:      "Subject:  Receipt of **{Liaison Title}**\n\n**{Insert From}**\n\nWe received **{insert title}**, logged at **{insert link}**.\n",
	templates.EmailIETFAction:    "Subject:  Receipt of **{Liaison Title}**\n\n**{Insert From}**\n\nWe received **{insert title}** for action, logged at **{insert link}**.\n",
	templates.EmailIRTF:          "Subject:  Receipt of **{Liaison Title}**\n\n**{Insert From}**\n\nThe IRTF received **{insert title}**, logged at **{insert link}**.\n",
	templates.ResponseIETFAction: "Subject:  In response to **{Liaison Title}**\n\n**{Insert From}**\n\nThank you for **{insert title}**.\n\n**{Thanks}**\n",
	templates.ResponseIRTFAction: "Subject:  In response to **{Liaison Title}**\n\n**{Insert From}**\n\nThank you for **{insert title}**.\n",
}

// Files returns the five templates' contents by file name.
func Files(t testing.TB) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	dir := realworld.Optional(t, "liaison-templates")
	for _, n := range templates.Names {
		if dir == "" {
			out[n] = []byte(minimal[n])
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil {
			t.Fatal(err)
		}
		out[n] = b
	}
	return out
}
