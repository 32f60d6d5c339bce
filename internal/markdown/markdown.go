// Package markdown turns untrusted text (statement titles and bodies from
// the datatracker or a mail) into GitHub Markdown that shows the text as it
// is and does nothing else: it pings nobody, references no issue (#12,
// GH-12, github.com links), runs no command, injects no HTML, renders no
// math and cannot break out of the block that holds it.
package markdown

import (
	"strings"
	"unicode"
)

// zwsp is inserted after "@" and "#" so GitHub neither mentions a user nor
// cross-references an issue; Renovate and Dependabot use the same entity.
const zwsp = "&#8203;"

// Inline escapes s for use inside a Markdown paragraph or table cell: the
// characters that start emphasis, code, links, images, HTML, entities or
// strikethrough are backslash-escaped, mentions and issue references are
// broken with a zero-width space, and line breaks and control characters
// become spaces.
func Inline(s string) string {
	return escape(s, false)
}

// escape is Inline; at the start of a line it also escapes what would open
// a block there: a list item, a heading, a setext underline, a quote, or a
// line that reads like a slash-command.
func escape(s string, lineStart bool) string {
	var b strings.Builder
	if lineStart {
		// Decide the line start on what will be written, not on characters
		// the loop below drops.
		s = escapeBlockStart(strings.TrimLeft(dropInvisible(s), " "), &b)
	}
	b.Grow(len(s) + len(s)/8)
	rs := []rune(s)
	for i, r := range rs {
		switch {
		case r == '\r' || r == '\n' || r == '\t':
			b.WriteByte(' ')
		case unicode.IsControl(r) || isInvisibleFormat(r):
			// dropped: controls and bidi overrides could disguise text
		case r == '@':
			b.WriteString("@" + zwsp)
		case r == '#' && i+1 < len(rs) && unicode.IsDigit(rs[i+1]):
			b.WriteString(`\#` + zwsp)
		case r == '-' && i >= 2 && i+1 < len(rs) && unicode.IsDigit(rs[i+1]) && strings.EqualFold(string(rs[i-2:i]), "gh"):
			// GH-12 is an issue reference too.
			b.WriteString(zwsp + "-")
		case (r == '.' || r == '/') && i >= 6 && strings.EqualFold(string(rs[i-6:i]), "github"):
			// A link to a GitHub issue or pull request would put a
			// "mentioned this" entry in its timeline: break the host.
			b.WriteString(zwsp)
			b.WriteRune(r)
		case r == '|':
			b.WriteString(`\|`)
		case r < 128 && strings.IndexByte(inlineSpecial, byte(r)) >= 0:
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Quote renders untrusted multi-line text as a Markdown block quote. Each
// line is escaped as by Inline and kept as a line (a hard break), blank lines
// separate paragraphs, and every line starts with "> " so nothing in the text
// can end the quote, open a code block or be read as a command.
func Quote(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	lines := strings.Split(strings.TrimRight(s, "\n \t"), "\n")
	var b strings.Builder
	for i, line := range lines {
		line = strings.TrimRight(line, " \t")
		if line == "" {
			b.WriteString(">\n")
			continue
		}
		// Leading spaces would make an indented code block: keep the
		// indentation visible with no-break spaces instead.
		trimmed := strings.TrimLeft(line, " \t")
		indent := len(line) - len(trimmed)
		b.WriteString("> ")
		b.WriteString(strings.Repeat("\u00a0", indent))
		b.WriteString(escape(trimmed, true))
		if i+1 < len(lines) && strings.TrimSpace(lines[i+1]) != "" {
			b.WriteString("  ") // hard line break inside the paragraph
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// Fence renders text as a fenced code block with the given info string,
// using a backtick fence longer than any run of backticks in the text so
// the text cannot close it. Inside a code block GitHub renders nothing:
// no mentions, no references, no HTML. HTML comment delimiters in the text
// are broken with a zero-width space so that text cannot pass for the
// markers a program keeps around the block.
func Fence(info, text string) string {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	text = strings.ReplaceAll(text, "\r", "\n")
	text = strings.NewReplacer("<!--", "<!-\u200b-", "-->", "-\u200b->").Replace(dropInvisible(text))
	n := 3
	if m := longestRun(text, '`') + 1; m > n {
		n = m
	}
	fence := strings.Repeat("`", n)
	var b strings.Builder
	b.WriteString(fence)
	b.WriteString(info)
	b.WriteByte('\n')
	b.WriteString(strings.TrimRight(text, "\n"))
	b.WriteByte('\n')
	b.WriteString(fence)
	b.WriteByte('\n')
	return b.String()
}

// CodeSpan renders s as inline code that s cannot close.
func CodeSpan(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if s == "" {
		return ""
	}
	n := longestRun(s, '`') + 1
	ticks := strings.Repeat("`", n)
	pad := ""
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		pad = " "
	}
	return ticks + pad + s + pad + ticks
}

// PlainLine makes untrusted text safe as a single line of plain text, such
// as an issue title or a mail header: whitespace runs collapse to one space
// and control and bidi-override characters go.
func PlainLine(s string) string {
	var b strings.Builder
	space := false
	for _, r := range s {
		switch {
		case unicode.IsSpace(r):
			space = b.Len() > 0
			continue
		case unicode.IsControl(r) || isInvisibleFormat(r):
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Truncate cuts s to at most max runes, ending with "…" when it cut.
func Truncate(s string, max int) string {
	if max <= 0 {
		return ""
	}
	n := 0
	for i := range s {
		if n == max-1 {
			if len([]rune(s[i:])) <= 1 {
				return s
			}
			return s[:i] + "…"
		}
		n++
	}
	return s
}

// dropInvisible removes control and format characters other than line
// breaks and tabs.
func dropInvisible(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' || r == '\t' {
			return r
		}
		if unicode.IsControl(r) || isInvisibleFormat(r) {
			return -1
		}
		return r
	}, s)
}

func longestRun(s string, c rune) int {
	best, cur := 0, 0
	for _, r := range s {
		if r == c {
			cur++
			if cur > best {
				best = cur
			}
		} else {
			cur = 0
		}
	}
	return best
}

// inlineSpecial are the characters that can start inline Markdown syntax
// anywhere in a line, GitHub's $math$ included ('|', '@' and '#' before a
// digit are handled apart).
const inlineSpecial = "\\`*_{}[]<>#~&!$"

// escapeBlockStart writes an escaped form of the block-opening prefix of s
// to b and returns the rest.
func escapeBlockStart(s string, b *strings.Builder) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '-', '+', '=', '/', '>':
		b.WriteByte('\\')
		b.WriteByte(s[0])
		return s[1:]
	}
	// "1." or "1)" would start an ordered list.
	i := 0
	for i < len(s) && i < 10 && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i > 0 && i < len(s) && (s[i] == '.' || s[i] == ')') {
		b.WriteString(s[:i])
		b.WriteByte('\\')
		b.WriteByte(s[i])
		return s[i+1:]
	}
	return s
}

// isInvisibleFormat reports bidi controls and similar format characters
// (Unicode category Cf other than the zero-width joiners used in emoji).
func isInvisibleFormat(r rune) bool {
	if r == '\u200d' {
		return false
	}
	return unicode.Is(unicode.Cf, r)
}
