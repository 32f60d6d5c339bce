package config

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"

	"gopkg.in/yaml.v3"
)

// Kinds of config file CheckFile tells apart.
const (
	KindServer     = "server"
	KindRepository = "repository"
)

// serverSections are the server config's top-level keys, read from
// Config itself so a new section counts at once; a repository config has
// none of them.
var serverSections = func() map[string]bool {
	out := map[string]bool{}
	t := reflect.TypeOf(Config{})
	for i := 0; i < t.NumField(); i++ {
		if key := yamlKey(t.Field(i)); key != "" {
			out[key] = true
		}
	}
	return out
}()

// CheckFile validates the config file at path for `liaisonbot
// check-config` and says which kind it is. A file named liaison.yml or
// liaison.example.yml (or .yaml) is a repository config; any other is a
// server config when one of its top-level keys is a server section
// (server, github, datatracker, templates, store, ...), else a repository
// config. The file is checked on its own: the environment is not applied
// and a private key file is not read, since both belong to the machine
// that runs the server. The error lists every problem with file:line
// where known.
func CheckFile(path string) (kind string, err error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("failed to read config file %s: %w", path, err)
	}
	kind = Kind(filepath.Base(path), data)
	if kind == KindServer {
		_, err = Parse(path, data, nil)
	} else {
		_, err = ParseRepo(path, data)
	}
	return kind, err
}

// Kind decides whether data, from a file named name, is a server or a
// repository config (see CheckFile). A file that is not YAML at all is a
// server config when its name starts with "liaisonbot", so its syntax
// error is reported against the right kind.
func Kind(name string, data []byte) string {
	switch strings.ToLower(name) {
	case "liaison.yml", "liaison.yaml", "liaison.example.yml", "liaison.example.yaml":
		return KindRepository
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		if strings.HasPrefix(strings.ToLower(name), "liaisonbot") {
			return KindServer
		}
		return KindRepository
	}
	if len(root.Content) > 0 && root.Content[0].Kind == yaml.MappingNode {
		top := root.Content[0]
		for i := 0; i < len(top.Content); i += 2 {
			if serverSections[top.Content[i].Value] {
				return KindServer
			}
		}
	}
	return KindRepository
}
