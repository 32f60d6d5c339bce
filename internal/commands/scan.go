package commands

import (
	"fmt"
	"sort"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/text"
)

// Bounds on what Parse gives to goldmark. Its block and link parsers take
// time quadratic in the length of a line of nested quotes or of link
// openers ("> > > …", "[](" repeated): about a second for one 64 KiB line.
// Lines of a few kilobytes cost milliseconds, and GitHub caps a comment at
// 65,536 characters.
const (
	maxLineBytes = 8 << 10
	maxBodyBytes = 256 << 10 // 65,536 characters of up to 4 bytes
)

// gfm parses comments as GitHub does. A goldmark parser keeps no state
// between calls, so one serves every goroutine.
var gfm = goldmark.New(goldmark.WithExtensions(extension.GFM)).Parser()

// commandLine is a line that starts with a slash in paragraph text of the
// comment itself.
type commandLine struct {
	line int    // 1-based
	raw  string // the whole line, without its line ending
	text string // from the slash to the end of the line
	// visible is text without HTML comments, which GitHub does not show;
	// it starts like text, because a comment cannot start before the
	// first blank after the name.
	visible string
}

// commandLines finds the lines of src that GitHub shows as paragraph text
// of the comment itself and that start with an unescaped slash. Everything
// nested in a container (quote, list item) and every other kind of block
// (code, HTML, table) is skipped, because only top-level paragraphs and
// headings are looked at.
//
// src has only "\n" line endings; starts are its line starts.
func commandLines(src string, starts []int) []commandLine {
	source := []byte(src)
	doc := gfm.Parse(text.NewReader(source))

	var out []commandLine
	for block := doc.FirstChild(); block != nil; block = block.NextSibling() {
		switch block.Kind() {
		case ast.KindParagraph, ast.KindHeading:
		default:
			continue
		}
		// A line may be a command only if a text node that is a direct
		// child of the block starts exactly at the line's first
		// non-blank character: a slash inside a code span, a link or
		// an HTML comment belongs to another node, and an escaped slash
		// ("\/") starts its text node at the backslash.
		textStarts := map[int]bool{}
		for n := block.FirstChild(); n != nil; n = n.NextSibling() {
			if t, ok := n.(*ast.Text); ok {
				textStarts[t.Segment.Start] = true
			}
		}
		comments := htmlComments(block, source)
		lines := block.Lines()
		for i := 0; i < lines.Len(); i++ {
			seg := lines.At(i)
			idx := sort.SearchInts(starts, seg.Start+1) - 1
			if idx < 0 {
				continue
			}
			lineStart := starts[idx]
			lineEnd := len(src)
			if idx+1 < len(starts) {
				lineEnd = starts[idx+1] - 1 // the "\n"
			}
			p := lineStart
			for p < lineEnd && (src[p] == ' ' || src[p] == '\t') {
				p++
			}
			if p >= lineEnd || src[p] != '/' || p < seg.Start || !textStarts[p] {
				continue
			}
			out = append(out, commandLine{
				line:    idx + 1,
				raw:     src[lineStart:lineEnd],
				text:    src[p:lineEnd],
				visible: withoutRanges(src, p, lineEnd, comments),
			})
		}
	}
	return out
}

// htmlComments returns the byte ranges of the inline HTML comments in block,
// which are invisible on GitHub and so are no part of any argument.
func htmlComments(block ast.Node, source []byte) [][2]int {
	var out [][2]int
	_ = ast.Walk(block, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		raw, ok := n.(*ast.RawHTML)
		if !ok || raw.Segments.Len() == 0 {
			return ast.WalkContinue, nil
		}
		first, last := raw.Segments.At(0), raw.Segments.At(raw.Segments.Len()-1)
		if strings.HasPrefix(string(first.Value(source)), "<!--") {
			out = append(out, [2]int{first.Start, last.Stop})
		}
		return ast.WalkSkipChildren, nil
	})
	return out
}

// withoutRanges is src[from:to] with the parts covered by skip left out.
func withoutRanges(src string, from, to int, skip [][2]int) string {
	var b strings.Builder
	pos := from
	for _, r := range skip {
		if r[1] <= pos || r[0] >= to {
			continue
		}
		if r[0] > pos {
			b.WriteString(src[pos:r[0]])
		}
		pos = max(pos, r[1])
	}
	if pos < to {
		b.WriteString(src[pos:to])
	}
	return b.String()
}

// checkLines reports whether src may hold a command at all, and an error
// when it may but is too large to parse safely. Only a line whose first
// non-blank character is a slash followed by a letter can be a command, so
// a comment without one (most comments) is not parsed.
func checkLines(src string, starts []int) (bool, error) {
	candidate, long := false, 0
	for i, start := range starts {
		end := len(src)
		if i+1 < len(starts) {
			end = starts[i+1] - 1
		}
		if end-start > maxLineBytes && long == 0 {
			long = i + 1
		}
		line := strings.TrimLeft(src[start:end], " \t")
		if len(line) >= 2 && line[0] == '/' && isASCIILetter(line[1]) {
			candidate = true
		}
	}
	switch {
	case !candidate:
		return false, nil
	case len(src) > maxBodyBytes:
		return true, fmt.Errorf("comment not read for commands: it is longer than %d bytes", maxBodyBytes)
	case long > 0:
		return true, fmt.Errorf("comment not read for commands: line %d is longer than %d bytes", long, maxLineBytes)
	}
	return true, nil
}

// normalizeNewlines turns "\r\n" and lone "\r" into "\n", so that a line
// is the same line for goldmark, for line numbers and for Raw.
func normalizeNewlines(s string) string {
	if !strings.Contains(s, "\r") {
		return s
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.ReplaceAll(s, "\r", "\n")
}

// lineStarts is the offset of the first byte of every line of s, which has
// only "\n" line endings.
func lineStarts(s string) []int {
	starts := []int{0}
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' {
			starts = append(starts, i+1)
		}
	}
	return starts
}
