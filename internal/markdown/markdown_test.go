package markdown

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/text"
)

var gfm = goldmark.New(goldmark.WithExtensions(extension.GFM))

// hostile is statement text that tries everything a body could do.
var hostile = []string{
	"Dear @ietf-chairs and @octocat, see #12 and org/repo#3",
	"/respond crafted\n/close",
	"<script>alert(1)</script>\n<!-- hidden -->\n<img src=x onerror=alert(1)>",
	"```\n/respond boilerplate\n```\nafter the fence",
	"~~~\ncode\n~~~",
	"> nested quote\n>> deeper",
	"Title with {insert title} and **{Thanks}**",
	"# Heading\n\nSetext\n===\n---\n* item\n1. item",
	"    indented code?\n\ttabbed",
	"| a | b |\n|---|---|\n| c | d |",
	"[link](javascript:alert(1)) ![img](http://x/y.png)",
	"line one\r\nline two\rline three\u202eevil\u0000nul",
	"Über Ölçü — 国际电信联盟 📡",
	"\\`` `x` ``` ````",
	"See GH-12, gh-3 and https://github.com/ietf/repo/issues/4 or www.github.com/a/b/pull/5",
	"Costs $5 and $10, or $$x^2$$",
}

func TestQuoteIsOneInertBlockQuote(t *testing.T) {
	for _, in := range hostile {
		t.Run(in, func(t *testing.T) {
			out := Quote(in)
			checkInertQuote(t, in, out)
		})
	}
}

func checkInertQuote(t *testing.T, in, out string) {
	t.Helper()
	src := []byte(out)
	doc := gfm.Parser().Parse(text.NewReader(src))
	if doc.ChildCount() != 1 || doc.FirstChild().Kind() != ast.KindBlockquote {
		t.Fatalf("quote of %q is not exactly one block quote:\n%s", in, out)
	}
	err := ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n.Kind() {
		case ast.KindHTMLBlock, ast.KindRawHTML, ast.KindFencedCodeBlock, ast.KindCodeBlock,
			ast.KindCodeSpan, ast.KindLink, ast.KindImage, ast.KindHeading, ast.KindList,
			ast.KindThematicBreak, ast.KindEmphasis:
			t.Errorf("quote of %q contains a %s node:\n%s", in, n.Kind(), out)
		}
		if n.Kind() == ast.KindBlockquote && n != doc.FirstChild() {
			t.Errorf("quote of %q contains a nested block quote:\n%s", in, out)
		}
		return ast.WalkContinue, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var html bytes.Buffer
	if err := gfm.Convert(src, &html); err != nil {
		t.Fatal(err)
	}
	h := html.String()
	if regexp.MustCompile(`@[A-Za-z0-9]`).MatchString(h) {
		t.Errorf("rendered quote of %q would mention someone: %s", in, h)
	}
	if regexp.MustCompile(`#[0-9]|(?i)gh-[0-9]|(?i)github\.com/`).MatchString(h) {
		t.Errorf("rendered quote of %q would reference an issue: %s", in, h)
	}
	// goldmark renders no math; GitHub does, between unescaped dollars.
	if regexp.MustCompile(`(^|[^\\])\$`).MatchString(out) {
		t.Errorf("quote of %q has an unescaped $ that GitHub would read as math:\n%s", in, out)
	}
	if strings.Contains(h, "<script") || strings.Contains(h, "<img") || strings.Contains(h, "<!--") {
		t.Errorf("rendered quote of %q carries HTML: %s", in, h)
	}
	for _, line := range strings.Split(out, "\n") {
		if line != "" && !strings.HasPrefix(line, ">") {
			t.Errorf("line %q of the quote does not start with '>'", line)
		}
	}
}

func TestQuoteKeepsTheWords(t *testing.T) {
	in := "Dear colleagues,\n\nITU-T SG13 asks the IETF (see §3.1) about {insert title}.\nThanks!"
	var html bytes.Buffer
	if err := gfm.Convert([]byte(Quote(in)), &html); err != nil {
		t.Fatal(err)
	}
	plain := regexp.MustCompile(`<[^>]+>`).ReplaceAllString(html.String(), "")
	for _, w := range []string{"Dear colleagues,", "ITU-T SG13 asks the IETF (see §3.1) about {insert title}.", "Thanks!"} {
		if !strings.Contains(plain, w) {
			t.Errorf("rendered quote lost %q:\n%s", w, plain)
		}
	}
}

func TestFenceBreaksCommentMarkers(t *testing.T) {
	out := Fence("text", "Subject: x\n<!-- liaisonbot:end acknowledgement -->\n")
	if strings.Contains(out, "<!--") || strings.Contains(out, "-->") {
		t.Errorf("a fence carries an HTML comment delimiter:\n%s", out)
	}
}

func TestFenceCannotBeClosedByTheText(t *testing.T) {
	for _, in := range hostile {
		out := Fence("text", in)
		doc := gfm.Parser().Parse(text.NewReader([]byte(out)))
		if doc.ChildCount() != 1 || doc.FirstChild().Kind() != ast.KindFencedCodeBlock {
			t.Errorf("fence of %q is not one fenced code block:\n%s", in, out)
		}
	}
}

func TestInlineInATableCell(t *testing.T) {
	cell := Inline("a | b @x <b>c</b>\nd")
	md := "| k | v |\n|---|---|\n| key | " + cell + " |\n"
	var html bytes.Buffer
	if err := gfm.Convert([]byte(md), &html); err != nil {
		t.Fatal(err)
	}
	h := html.String()
	if strings.Count(h, "<td>") != 2 {
		t.Errorf("escaped cell broke the table: %s", h)
	}
	if strings.Contains(h, "<b>") || regexp.MustCompile(`@x`).MatchString(h) {
		t.Errorf("escaped cell is not inert: %s", h)
	}
}

func TestTruncate(t *testing.T) {
	tests := []struct {
		in   string
		max  int
		want string
	}{
		{"short", 10, "short"},
		{"exactly10!", 10, "exactly10!"},
		{"eleven char", 10, "eleven ch…"},
		{"ÜÜÜÜÜ", 3, "ÜÜ…"},
		{"", 3, ""},
	}
	for _, tc := range tests {
		got := Truncate(tc.in, tc.max)
		if got != tc.want {
			t.Errorf("Truncate(%q, %d) = %q, want %q", tc.in, tc.max, got, tc.want)
		}
		if utf8.RuneCountInString(got) > tc.max || !utf8.ValidString(got) {
			t.Errorf("Truncate(%q, %d) = %q is too long or invalid", tc.in, tc.max, got)
		}
	}
}

func TestPlainLine(t *testing.T) {
	got := PlainLine("  Subject:\r\nBcc: evil@example.com\t\u202e x ")
	if got != "Subject: Bcc: evil@example.com x" {
		t.Errorf("PlainLine = %q", got)
	}
}

func FuzzQuote(f *testing.F) {
	for _, h := range hostile {
		f.Add(h)
	}
	f.Fuzz(func(t *testing.T, in string) {
		if !utf8.ValidString(in) {
			return
		}
		checkInertQuote(t, in, Quote(in))
	})
}
