// Package templates holds liaisonbot's own text: the Markdown of the issues
// and comments it writes. Every value that comes from outside reaches these
// templates already made inert by package markdown; the templates add only
// the app's own wording and structure.
package templates

import (
	"embed"
	"strings"
	"text/template"
)

//go:embed *.md.tmpl
var files embed.FS

// Text is the parsed set of the app's templates, by file name.
var Text = template.Must(template.New("").Funcs(template.FuncMap{
	"join": strings.Join,
}).ParseFS(files, "*.md.tmpl"))
