package config

import (
	"encoding"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// EnvPrefix starts the environment variable of every server config key
// outside the github block: LIAISONBOT_<SECTION>_<KEY>.
const EnvPrefix = "LIAISONBOT_"

// EnvVar is the environment variable that overrides the server config key
// at path ("datatracker.poll_interval" → LIAISONBOT_DATATRACKER_POLL_INTERVAL).
// Keys of the github block get go-githubapp's names, which are the same
// rule without the prefix ("github.app.integration_id" →
// GITHUB_APP_INTEGRATION_ID), so one variable means the same thing to
// liaisonbot and to go-githubapp's own SetValuesFromEnv.
func EnvVar(path string) string {
	name := strings.ToUpper(strings.ReplaceAll(path, ".", "_"))
	if strings.HasPrefix(path, "github.") {
		return name
	}
	return EnvPrefix + name
}

// applyEnv overrides the leaves of c from env, walking c's yaml tags so a
// new key gets its variable without further code. go-githubapp's
// SetValuesFromEnv reads os.Getenv directly and silently ignores a bad
// number; this walk takes an injectable env and reports a bad value naming
// its variable. It returns which key each variable set.
func applyEnv(c *Config, env func(string) (string, bool)) (map[string]string, problems) {
	set := map[string]string{}
	if env == nil {
		return set, nil
	}
	var ps problems
	walkLeaves(reflect.ValueOf(c).Elem(), "", func(path string, v reflect.Value) {
		name := EnvVar(path)
		s, ok := env(name)
		if !ok {
			return
		}
		set[path] = name
		if err := setFromString(v, s); err != nil {
			ps = append(ps, &FieldError{Env: name, Key: path, Msg: err.Error()})
		}
	})
	return set, ps
}

var textUnmarshalerType = reflect.TypeOf((*encoding.TextUnmarshaler)(nil)).Elem()

// walkLeaves calls fn for every settable leaf under v (a struct) that has a
// YAML key: strings, integers, booleans, durations and text-unmarshalable
// values such as Date.
func walkLeaves(v reflect.Value, prefix string, fn func(path string, v reflect.Value)) {
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		key := yamlKey(t.Field(i))
		if key == "" {
			continue
		}
		f := v.Field(i)
		path := joinKey(prefix, key)
		switch {
		case reflect.PointerTo(f.Type()).Implements(textUnmarshalerType):
			fn(path, f)
		case f.Kind() == reflect.Struct:
			walkLeaves(f, path, fn)
		case f.Kind() == reflect.String, f.Kind() == reflect.Bool,
			f.Kind() >= reflect.Int && f.Kind() <= reflect.Int64:
			fn(path, f)
		}
	}
}

// setFromString parses s into v by v's type.
func setFromString(v reflect.Value, s string) error {
	if u, ok := v.Addr().Interface().(encoding.TextUnmarshaler); ok {
		return u.UnmarshalText([]byte(strings.TrimSpace(s)))
	}
	if v.Type() == reflect.TypeOf(time.Duration(0)) {
		d, err := time.ParseDuration(strings.TrimSpace(s))
		if err != nil {
			return fmt.Errorf("want a duration such as \"5m\" or \"1h30m\", got %q", s)
		}
		v.SetInt(int64(d))
		return nil
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(s)
	case reflect.Bool:
		b, err := strconv.ParseBool(strings.TrimSpace(s))
		if err != nil {
			return fmt.Errorf("want true or false, got %q", s)
		}
		v.SetBool(b)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, err := strconv.ParseInt(strings.TrimSpace(s), 10, v.Type().Bits())
		if err != nil {
			return fmt.Errorf("want a whole number, got %q", s)
		}
		v.SetInt(n)
	default:
		return fmt.Errorf("cannot be set from the environment")
	}
	return nil
}
