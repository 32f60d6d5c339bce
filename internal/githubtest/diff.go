package githubtest

import (
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"
)

// fileDiff is how one path differs between two snapshots.
type fileDiff struct {
	path                 string
	status               string // added, modified or removed
	before, after        []byte // nil when absent
	additions, deletions int
	patch                string // "" for binary files
}

// diffFiles compares two snapshots path by path, sorted by path.
func diffFiles(before, after map[string][]byte) []fileDiff {
	paths := slices.Collect(maps.Keys(before))
	for p := range after {
		if _, ok := before[p]; !ok {
			paths = append(paths, p)
		}
	}
	slices.Sort(paths)
	var out []fileDiff
	for _, p := range paths {
		old, had := before[p]
		cur, has := after[p]
		d := fileDiff{path: p, before: old, after: cur}
		switch {
		case !had:
			d.status = "added"
		case !has:
			d.status = "removed"
		case sameFile(old, cur):
			continue
		default:
			d.status = "modified"
		}
		d.additions, d.deletions, d.patch = linePatch(old, cur)
		out = append(out, d)
	}
	return out
}

// sameFile reports whether two versions of a path (nil when absent) are
// the same.
func sameFile(a, b []byte) bool { return (a == nil) == (b == nil) && string(a) == string(b) }

// maxDiffCells bounds the line-by-line comparison; larger files count as
// wholly replaced.
const maxDiffCells = 4 << 20

// splitLines splits text into lines without their newlines.
func splitLines(b []byte) []string {
	if len(b) == 0 {
		return nil
	}
	return strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
}

func isBinary(b []byte) bool {
	return !utf8.Valid(b) || strings.ContainsRune(string(b), 0)
}

// linePatch counts the lines added and removed between two versions and
// renders the change as one unified-diff hunk spanning the file, as the
// patch of a diff-entry. Binary files have neither counts nor a patch, as
// on GitHub.
func linePatch(before, after []byte) (additions, deletions int, patch string) {
	if isBinary(before) || isBinary(after) {
		return 0, 0, ""
	}
	a, b := splitLines(before), splitLines(after)
	ops := lineOps(a, b)
	var sb strings.Builder
	start := func(n int) int {
		if n == 0 {
			return 0
		}
		return 1
	}
	fmt.Fprintf(&sb, "@@ -%d,%d +%d,%d @@", start(len(a)), len(a), start(len(b)), len(b))
	for _, op := range ops {
		sb.WriteByte('\n')
		sb.WriteString(op)
		switch op[0] {
		case '+':
			additions++
		case '-':
			deletions++
		}
	}
	return additions, deletions, sb.String()
}

// lineOps is the shortest edit script from a to b as lines prefixed with
// ' ', '-' or '+' (a longest common subsequence).
func lineOps(a, b []string) []string {
	var ops []string
	if len(a)*len(b) > maxDiffCells {
		for _, l := range a {
			ops = append(ops, "-"+l)
		}
		for _, l := range b {
			ops = append(ops, "+"+l)
		}
		return ops
	}
	// lcs[i][j] is the LCS length of a[i:] and b[j:].
	lcs := make([][]int, len(a)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case i < len(a) && j < len(b) && a[i] == b[j]:
			ops = append(ops, " "+a[i])
			i++
			j++
		case i < len(a) && (j == len(b) || lcs[i+1][j] >= lcs[i][j+1]):
			ops = append(ops, "-"+a[i])
			i++
		default:
			ops = append(ops, "+"+b[j])
			j++
		}
	}
	return ops
}

// diffEntryJSON renders a diff-entry of a pull request whose head is
// headSHA.
func (s *Server) diffEntryJSON(r *repo, headSHA string, d fileDiff) map[string]any {
	escaped := (&url.URL{Path: d.path}).EscapedPath()
	sha := blobSHA(d.after)
	if d.after == nil {
		sha = blobSHA(d.before)
	}
	m := map[string]any{
		"sha":          sha,
		"filename":     d.path,
		"status":       d.status,
		"additions":    d.additions,
		"deletions":    d.deletions,
		"changes":      d.additions + d.deletions,
		"blob_url":     htmlBase + r.fullName() + "/blob/" + headSHA + "/" + escaped,
		"raw_url":      htmlBase + r.fullName() + "/raw/" + headSHA + "/" + escaped,
		"contents_url": s.apiURL("repos/%s/%s/contents/%s?ref=%s", r.owner, r.name, escaped, headSHA),
	}
	if d.patch != "" {
		m["patch"] = d.patch
	}
	return m
}
