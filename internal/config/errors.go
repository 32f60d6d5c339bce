package config

import (
	"errors"
	"fmt"
	"strings"
)

// FieldError is one problem with one key of a configuration. Validate
// returns them with only Key and Msg set; Parse, ParseRepo and Load add
// where the value came from (file and line, or environment variable) so a
// person can go straight to it.
type FieldError struct {
	File string // config file name, "" when not from a file
	Line int    // 1-based line in File, 0 when unknown
	Env  string // environment variable that set the value, if any
	Key  string // dotted key path: "datatracker.poll_interval", "assignees.rules[0].users[1]"
	Msg  string
}

func (e *FieldError) Error() string {
	var b strings.Builder
	switch {
	case e.Env != "":
		b.WriteString("$" + e.Env)
	case e.File != "" && e.Line > 0:
		fmt.Fprintf(&b, "%s:%d", e.File, e.Line)
	case e.File != "":
		b.WriteString(e.File)
	}
	if b.Len() > 0 {
		b.WriteString(": ")
	}
	if e.Key != "" {
		b.WriteString(e.Key + ": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// problems collects FieldErrors in the order they are found.
type problems []*FieldError

func (p *problems) add(key, format string, args ...any) {
	*p = append(*p, &FieldError{Key: key, Msg: fmt.Sprintf(format, args...)})
}

// err joins the problems, or is nil when there are none.
func (p problems) err() error {
	if len(p) == 0 {
		return nil
	}
	errs := make([]error, len(p))
	for i, fe := range p {
		errs[i] = fe
	}
	return errors.Join(errs...)
}

// fieldErrors flattens err (a FieldError, or errors joined by Validate)
// into FieldErrors; any other error becomes one without a key.
func fieldErrors(err error) problems {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out problems
		for _, e := range j.Unwrap() {
			out = append(out, fieldErrors(e)...)
		}
		return out
	}
	var fe *FieldError
	if errors.As(err, &fe) {
		return problems{fe}
	}
	return problems{{Msg: err.Error()}}
}
