package config

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// document is a parsed YAML file: where each key and value sits, so that
// problems found after decoding can still name their line.
type document struct {
	name   string
	keys   map[string]int // key path → line of the key
	byLine []placed       // every key and value node, for lookups by line
}

// placed is one node of the document with its key path.
type placed struct {
	path   string
	key    bool // a mapping key rather than a value
	line   int
	column int
	value  string
}

// decodeStrict decodes the YAML in data into out (a pointer to a struct)
// with yaml.v3's KnownFields, so a key out has no field for is an error.
// yaml.v3's messages ("line 12: field datatrackr not found in type
// config.Config") are rewritten to name the file and the key path
// (`config.yml:12: unknown key "datatrackr"`).
func decodeStrict(name string, data []byte, out any) (*document, problems) {
	doc := &document{name: name, keys: map[string]int{}}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return doc, problems{syntaxError(name, err)}
	}
	if len(root.Content) == 0 {
		return doc, nil // an empty file: every key takes its default
	}
	top := root.Content[0]
	if top.Kind == yaml.ScalarNode && top.ShortTag() == "!!null" {
		return doc, nil
	}
	if top.Kind != yaml.MappingNode {
		return doc, problems{{File: name, Line: top.Line, Msg: "want a mapping of keys (key: value) at the top level"}}
	}
	doc.index(top, "")

	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var found problems
	err := dec.Decode(out)
	var te *yaml.TypeError
	switch {
	case errors.As(err, &te):
		for _, msg := range te.Errors {
			found = append(found, doc.rewrite(msg, reflect.TypeOf(out)))
		}
	case err != nil && err != io.EOF:
		found = append(found, syntaxError(name, err))
	}
	if err == nil || te != nil {
		var extra yaml.Node
		if err := dec.Decode(&extra); err != io.EOF {
			found = append(found, &FieldError{File: name, Line: extra.Line,
				Msg: "holds more than one YAML document (---); keep only one"})
		}
	}
	return doc, found
}

// index records the position of every key and value under n.
func (d *document) index(n *yaml.Node, path string) {
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			p := joinKey(path, k.Value)
			if _, dup := d.keys[p]; !dup {
				d.keys[p] = k.Line
			}
			d.byLine = append(d.byLine, placed{path: p, key: true, line: k.Line, column: k.Column, value: k.Value})
			d.byLine = append(d.byLine, placed{path: p, line: v.Line, column: v.Column, value: v.Value})
			d.index(v, p)
		}
	case yaml.SequenceNode:
		for i, v := range n.Content {
			p := fmt.Sprintf("%s[%d]", path, i)
			d.keys[p] = v.Line
			d.byLine = append(d.byLine, placed{path: p, line: v.Line, column: v.Column, value: v.Value})
			d.index(v, p)
		}
	}
}

func joinKey(parent, key string) string {
	if parent == "" {
		return key
	}
	return parent + "." + key
}

// line is where key (or its nearest ancestor present in the file) sits, or
// 0 when the key is not in the file at all.
func (d *document) line(key string) int {
	for key != "" {
		if l, ok := d.keys[key]; ok {
			return l
		}
		i := strings.LastIndexAny(key, ".[")
		if i < 0 {
			return 0
		}
		key = key[:i]
	}
	return 0
}

// has reports whether key is written in the file.
func (d *document) has(key string) bool {
	_, ok := d.keys[key]
	return ok
}

// valueAt finds the value node on line (and column, when known) whose text
// is value (yaml.v3 cuts long values to 7 characters and "...").
func (d *document) valueAt(line, column int, value string) (placed, bool) {
	prefix := strings.TrimSuffix(value, "...")
	var first *placed
	for i := range d.byLine {
		p := &d.byLine[i]
		if p.key || p.line != line {
			continue
		}
		if column > 0 {
			if p.column == column {
				return *p, true
			}
			continue
		}
		if p.value == value || (prefix != value && strings.HasPrefix(p.value, prefix)) {
			return *p, true
		}
		if first == nil {
			first = p
		}
	}
	if first != nil {
		return *first, true
	}
	return placed{}, false
}

var (
	reUnknown = regexp.MustCompile(`^line (\d+): field (.+) not found in type (.+)$`)
	reDefined = regexp.MustCompile(`^line (\d+): mapping key "(.+)" already defined at line (\d+)$`)
	reType    = regexp.MustCompile("^line (\\d+): cannot unmarshal (!!\\w+)(?: `(.*)`)? into (.+)$")
	reOwn     = regexp.MustCompile(`^line (\d+): column (\d+): (.+)$`)
	reSyntax  = regexp.MustCompile(`^yaml: line (\d+): (.+)$`)
)

// rewrite turns one of yaml.v3's decode messages into a FieldError naming
// the file, line and key path. root is the type decoded into, used to
// suggest the key that was probably meant.
func (d *document) rewrite(msg string, root reflect.Type) *FieldError {
	fe := &FieldError{File: d.name, Msg: msg}
	if m := reUnknown.FindStringSubmatch(msg); m != nil {
		fe.Line, _ = strconv.Atoi(m[1])
		path := d.keyOnLine(fe.Line, m[2])
		fe.Msg = fmt.Sprintf("unknown key %q", path)
		if s := suggest(root, path); s != "" {
			fe.Msg += fmt.Sprintf(" (did you mean %q?)", s)
		}
		return fe
	}
	// Duplicate keys (yaml.v3 checks them before matching fields).
	if m := reDefined.FindStringSubmatch(msg); m != nil {
		fe.Line, _ = strconv.Atoi(m[1])
		fe.Msg = fmt.Sprintf("duplicate key %q (first written on line %s)", d.keyOnLine(fe.Line, m[2]), m[3])
		return fe
	}
	if m := reType.FindStringSubmatch(msg); m != nil {
		fe.Line, _ = strconv.Atoi(m[1])
		got := describeTag(m[2], m[3])
		var t reflect.Type
		if p, ok := d.valueAt(fe.Line, 0, m[3]); ok {
			fe.Key = p.path
			t = typeAt(root, p.path)
			if m[2] != "!!map" && m[2] != "!!seq" {
				got = strconv.Quote(p.value)
			}
		}
		fe.Msg = fmt.Sprintf("want %s, got %s", describeType(t, m[4]), got)
		return fe
	}
	if m := reOwn.FindStringSubmatch(msg); m != nil {
		fe.Line, _ = strconv.Atoi(m[1])
		col, _ := strconv.Atoi(m[2])
		if p, ok := d.valueAt(fe.Line, col, ""); ok {
			fe.Key = p.path
		}
		fe.Msg = m[3]
		return fe
	}
	return fe
}

// keyOnLine is the full path of the key named name on line, or name itself.
func (d *document) keyOnLine(line int, name string) string {
	for _, p := range d.byLine {
		if p.key && p.line == line && p.value == name {
			return p.path
		}
	}
	return name
}

// syntaxError rewrites a YAML syntax error ("yaml: line 3: mapping values
// are not allowed in this context") to name the file.
func syntaxError(name string, err error) *FieldError {
	msg := err.Error()
	if m := reSyntax.FindStringSubmatch(msg); m != nil {
		l, _ := strconv.Atoi(m[1])
		return &FieldError{File: name, Line: l, Msg: m[2]}
	}
	return &FieldError{File: name, Msg: strings.TrimPrefix(msg, "yaml: ")}
}

// lineError is what this package's own YAML unmarshalers return: a
// yaml.TypeError, so that yaml.v3 goes on decoding and reports every
// problem, with the position rewrite can find the key from.
func lineError(n *yaml.Node, format string, args ...any) error {
	return &yaml.TypeError{Errors: []string{
		fmt.Sprintf("line %d: column %d: %s", n.Line, n.Column, fmt.Sprintf(format, args...)),
	}}
}

// describeTag says what a YAML value of tag is, for "got ..." messages.
func describeTag(tag, value string) string {
	switch tag {
	case "!!map":
		return "a mapping"
	case "!!seq":
		return "a list"
	}
	return strconv.Quote(value)
}

// describeType says in words what a Go type wants; name is yaml.v3's name
// for it, used when t is unknown.
func describeType(t reflect.Type, name string) string {
	if t == nil {
		switch {
		case name == "time.Duration":
			return `a duration such as "5m" or "1h30m"`
		case strings.HasPrefix(name, "[]"):
			return "a list"
		}
		return "a value of type " + name
	}
	if t == reflect.TypeOf(time.Duration(0)) {
		return `a duration such as "5m" or "1h30m"`
	}
	switch t.Kind() {
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.String:
		return "a single value"
	case reflect.Slice:
		return "a list"
	}
	return "a mapping of keys"
}

// suggest is the known key closest to the unknown one at path, or "".
func suggest(root reflect.Type, path string) string {
	parent, name := "", path
	if i := strings.LastIndex(path, "."); i >= 0 {
		parent, name = path[:i], path[i+1:]
	}
	t := typeAt(root, parent)
	if t == nil || t.Kind() != reflect.Struct {
		return ""
	}
	best, bestDist := "", max(2, len(name)/3)+1
	keys := yamlKeys(t)
	sort.Strings(keys)
	for _, k := range keys {
		if dist := editDistance(name, k); dist < bestDist {
			best, bestDist = k, dist
		}
	}
	if best == "" {
		return ""
	}
	return joinKey(parent, best)
}

// typeAt follows path ("ack", "assignees.rules[0]") from t through struct
// fields, slices and maps, returning nil when the path leaves the type.
func typeAt(t reflect.Type, path string) reflect.Type {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if path == "" {
		return t
	}
	for _, seg := range strings.Split(path, ".") {
		name, idx, _ := strings.Cut(seg, "[")
		switch t.Kind() {
		case reflect.Struct:
			f, ok := fieldByKey(t, name)
			if !ok {
				return nil
			}
			t = f.Type
		case reflect.Map:
			t = t.Elem()
		default:
			return nil
		}
		for ; idx != ""; _, idx, _ = strings.Cut(idx, "[") {
			if t.Kind() != reflect.Slice {
				return nil
			}
			t = t.Elem()
		}
	}
	return t
}

// yamlKey is the YAML key of a struct field, or "" when it has none.
func yamlKey(f reflect.StructField) string {
	if !f.IsExported() {
		return ""
	}
	tag, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
	if tag == "-" {
		return ""
	}
	if tag == "" {
		return strings.ToLower(f.Name) // yaml.v3's default
	}
	return tag
}

func yamlKeys(t reflect.Type) []string {
	var keys []string
	for i := 0; i < t.NumField(); i++ {
		if k := yamlKey(t.Field(i)); k != "" {
			keys = append(keys, k)
		}
	}
	return keys
}

func fieldByKey(t reflect.Type, key string) (reflect.StructField, bool) {
	for i := 0; i < t.NumField(); i++ {
		if f := t.Field(i); yamlKey(f) == key {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// locate adds to each problem where its key came from: the environment
// variable that set it, else its line in the file.
func (d *document) locate(ps problems, env map[string]string) problems {
	for _, p := range ps {
		if p.File != "" || p.Env != "" {
			continue
		}
		if v, ok := env[p.Key]; ok && p.Key != "" {
			p.Env = v
			continue
		}
		p.File = d.name
		p.Line = d.line(p.Key)
	}
	// In file order, as an editor shows them; environment problems last.
	slices.SortStableFunc(ps, func(a, b *FieldError) int {
		return cmp.Compare(sortLine(a), sortLine(b))
	})
	return ps
}

func sortLine(p *FieldError) int {
	if p.Env != "" {
		return math.MaxInt
	}
	return p.Line
}
