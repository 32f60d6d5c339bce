package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/liaisonbot/liaisonbot/internal/liaison"
)

// Date is a calendar date (YYYY-MM-DD) in a config file. It wraps
// liaison.Date only so that a date that does not exist (2026-13-40) is
// reported with its line; use its embedded liaison.Date everywhere else.
type Date struct {
	liaison.Date
}

// UnmarshalYAML reads YYYY-MM-DD; an empty value is "no date".
func (d *Date) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return lineError(n, "want a date such as 2026-01-31")
	}
	var v liaison.Date
	if err := v.UnmarshalText([]byte(n.Value)); err != nil {
		return lineError(n, "%v", err)
	}
	d.Date = v
	return nil
}

// Duration is a length of time in a repository config: a whole number of
// days ("3d"), which is how liaison managers think of acknowledgement
// delays, or a Go duration ("72h", "90m").
type Duration time.Duration

// ParseDuration reads "3d" or a Go duration string; negative values are
// refused.
func ParseDuration(s string) (Duration, error) {
	s = strings.TrimSpace(s)
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("invalid duration %q: want a number of days such as \"3d\" or a duration such as \"72h\"", s)
		}
		return Duration(time.Duration(n) * 24 * time.Hour), nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("invalid duration %q: want a number of days such as \"3d\" or a duration such as \"72h\"", s)
	}
	return Duration(d), nil
}

// UnmarshalYAML reads a Duration (see ParseDuration).
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return lineError(n, `want a duration such as "3d" or "72h"`)
	}
	v, err := ParseDuration(n.Value)
	if err != nil {
		return lineError(n, "%v", err)
	}
	*d = v
	return nil
}

// Std is d as a time.Duration.
func (d Duration) Std() time.Duration { return time.Duration(d) }

// String writes whole days as "3d", anything else as a Go duration.
func (d Duration) String() string {
	td := time.Duration(d)
	if td > 0 && td%(24*time.Hour) == 0 {
		return fmt.Sprintf("%dd", td/(24*time.Hour))
	}
	return td.String()
}

// MarshalText writes the form String does, which ParseDuration reads back.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }
