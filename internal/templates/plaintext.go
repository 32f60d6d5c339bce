package templates

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

var (
	// Bold needs a non-space after the opening and before the closing
	// marker, as in CommonMark, so "2 ** 3 ** 4" is left alone.
	boldStars       = regexp.MustCompile(`\*\*(\S|\S.*?\S)\*\*`)
	boldUnderscores = regexp.MustCompile(`__(\S|\S.*?\S)__`)
	inlineLink      = regexp.MustCompile(`!?\[([^\[\]]*)\]\(([^()\s]+)\)`)
	autolink        = regexp.MustCompile(`<((?:https?://|mailto:)[^<>\s]+)>`)
	escapedPunct    = regexp.MustCompile("\\\\([!-/:-@\\[-`{-~])")
)

// PlainText turns the Markdown the templates use into plain text for mail:
// **bold** and __bold__ lose their markers, [text](url) becomes "text (url)"
// (just the URL when text and URL are the same), <url> loses its angle
// brackets and backslash escapes are resolved. Lines are kept as they are —
// a hard break stays a line break — with trailing white space (and a hard
// break's trailing backslash) removed, and CR LF becomes LF. Markup is only
// recognised within a line; anything else is left as written.
func PlainText(markdown string) string {
	markdown = strings.ReplaceAll(markdown, "\r\n", "\n")
	markdown = strings.ReplaceAll(markdown, "\r", "\n")
	lines := strings.Split(markdown, "\n")
	for i, l := range lines {
		lines[i] = plainLine(l)
	}
	return strings.Join(lines, "\n")
}

func plainLine(l string) string {
	l = strings.TrimRight(l, " \t")
	if strings.HasSuffix(l, `\`) && !strings.HasSuffix(l, `\\`) {
		l = strings.TrimRight(strings.TrimSuffix(l, `\`), " \t")
	}
	l = boldStars.ReplaceAllString(l, "$1")
	l = replaceIntraword(l)
	l = inlineLink.ReplaceAllStringFunc(l, func(m string) string {
		sub := inlineLink.FindStringSubmatch(m)
		text, url := sub[1], sub[2]
		if text == "" || text == url {
			return url
		}
		return text + " (" + url + ")"
	})
	l = autolink.ReplaceAllString(l, "$1")
	return escapedPunct.ReplaceAllString(l, "$1")
}

// replaceIntraword strips __bold__ markers, but not inside a word
// (snake__case__name), which CommonMark does not treat as bold either.
func replaceIntraword(l string) string {
	var b strings.Builder
	last := 0
	for _, m := range boldUnderscores.FindAllStringSubmatchIndex(l, -1) {
		if m[0] < last {
			continue
		}
		before, _ := utf8.DecodeLastRuneInString(l[:m[0]])
		after, _ := utf8.DecodeRuneInString(l[m[1]:])
		if isWordRune(before) || isWordRune(after) {
			continue
		}
		b.WriteString(l[last:m[0]])
		b.WriteString(l[m[2]:m[3]])
		last = m[1]
	}
	b.WriteString(l[last:])
	return b.String()
}

func isWordRune(r rune) bool {
	return r != utf8.RuneError && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_')
}
