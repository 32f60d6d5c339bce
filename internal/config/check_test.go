package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// The shipped examples, relative to this package's directory (tests run
// there).
const (
	serverExample = "../../config/liaisonbot.example.yml"
	repoExample   = "../../.github/liaison.example.yml"
)

func TestExamplesPassCheckFile(t *testing.T) {
	for path, want := range map[string]string{serverExample: KindServer, repoExample: KindRepository} {
		kind, err := CheckFile(path)
		if err != nil {
			t.Errorf("CheckFile(%s): %v", path, err)
		}
		if kind != want {
			t.Errorf("CheckFile(%s) kind = %q, want %q", path, kind, want)
		}
	}
}

// TestServerExampleShowsDefaults keeps the example's values, which it
// documents as the defaults, equal to Default().
func TestServerExampleShowsDefaults(t *testing.T) {
	data, err := os.ReadFile(serverExample)
	if err != nil {
		t.Fatal(err)
	}
	c, err := Parse(serverExample, data, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(c, Default()) {
		t.Errorf("example config =\n%+v\nDefault() =\n%+v", c, Default())
	}
}

// commentedKeys maps every key path of a YAML file to the comments around
// its key (above it and at the end of its line).
func commentedKeys(t *testing.T, path string) map[string]string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	var walk func(n *yaml.Node, prefix string)
	walk = func(n *yaml.Node, prefix string) {
		switch n.Kind {
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i], n.Content[i+1]
				p := joinKey(prefix, k.Value)
				out[p] = strings.TrimSpace(k.HeadComment + "\n" + k.LineComment + "\n" + v.LineComment)
				walk(v, p)
			}
		case yaml.SequenceNode:
			for _, v := range n.Content {
				walk(v, prefix+"[]")
			}
		}
	}
	walk(root.Content[0], "")
	return out
}

// TestServerExampleDocumentsEveryKey checks that the example writes every
// key of Config, and says above each its default and its environment
// variable.
func TestServerExampleDocumentsEveryKey(t *testing.T) {
	keys := commentedKeys(t, serverExample)
	var c Config
	n := 0
	walkLeaves(reflect.ValueOf(&c).Elem(), "", func(path string, _ reflect.Value) {
		n++
		comment, ok := keys[path]
		switch {
		case !ok:
			t.Errorf("%s: key %s is missing", serverExample, path)
		case !strings.Contains(comment, "Default"):
			t.Errorf("%s: key %s does not give its default: %q", serverExample, path, comment)
		case !strings.Contains(comment, "Env: "+EnvVar(path)+"."):
			t.Errorf("%s: key %s does not name its variable %s: %q", serverExample, path, EnvVar(path), comment)
		}
	})
	if n < 20 {
		t.Fatalf("walked only %d keys", n)
	}
	for _, section := range yamlKeys(reflect.TypeOf(c)) {
		if keys[section] == "" {
			t.Errorf("%s: section %s has no comment", serverExample, section)
		}
	}
}

// TestRepoExampleDocumentsEveryKey checks that the example writes every key
// of RepoConfig (list items' keys at least once) and documents the keys
// that are not inside list items, with their defaults.
func TestRepoExampleDocumentsEveryKey(t *testing.T) {
	keys := commentedKeys(t, repoExample)
	var visit func(tp reflect.Type, prefix string, inList bool)
	visit = func(tp reflect.Type, prefix string, inList bool) {
		for i := 0; i < tp.NumField(); i++ {
			key := yamlKey(tp.Field(i))
			if key == "" {
				continue
			}
			path := joinKey(prefix, key)
			comment, ok := keys[path]
			if !ok {
				t.Errorf("%s: key %s is missing", repoExample, path)
				continue
			}
			ft := tp.Field(i).Type
			section := ft.Kind() == reflect.Struct && ft != reflect.TypeOf(Date{})
			switch {
			case inList:
			case section && comment == "":
				t.Errorf("%s: section %s has no comment", repoExample, path)
			case !section && !strings.Contains(comment, "Default"):
				t.Errorf("%s: key %s does not give its default: %q", repoExample, path, comment)
			}
			switch {
			case section:
				visit(ft, path, inList)
			case ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.Struct:
				visit(ft.Elem(), path+"[]", true)
			}
		}
	}
	visit(reflect.TypeOf(RepoConfig{}), "", false)
}

func TestCheckFile(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name     string
		data     string
		wantKind string
		wantErr  string // substring; "" for none
	}{
		{"liaison.yml", "from: [\"itu-t*\"]\n", KindRepository, ""},
		{"liaison.example.yaml", "", KindRepository, ""},
		// A liaison.yml is a repository config whatever its keys.
		{"liaison.yml", "store:\n  dsn: x\n", KindRepository, `liaison.yml:1: unknown key "store"`},
		{"prod.yml", "datatracker:\n  poll_interval: 10s\n", KindServer, "prod.yml:2: datatracker.poll_interval: must be at least 1m0s"},
		{"prod.yml", "templates:\n  repo: x\n", KindServer, `prod.yml:2: templates.repo: "x" is not a repository`},
		{"mail.yml", "smtp:\n  starttls: sometimes\n", KindServer, `mail.yml:2: smtp.starttls: "sometimes": want mandatory, opportunistic or none`},
		// What the mail sender would refuse at start, check-config refuses.
		{"mail.yml", "smtp:\n  addr: smtp.example.org:99999\n", KindServer, `mail.yml:2: smtp.addr: "smtp.example.org:99999": port "99999" is not a number from 1 to 65535`},
		{"mail.yml", "smtp:\n  addr: smtp.example.org:25\n  starttls: none\n", KindServer, `mail.yml:3: smtp.starttls: "none" is allowed only for a server on the loopback interface, not smtp.example.org`},
		{"mail.yml", "smtp:\n  addr: smtp.example.org:587\n  password: secret\n", KindServer, `mail.yml:3: smtp.password: a password without a username`},
		{"org-defaults.yml", "direction: both\nmanagers: [alice]\n", KindRepository, ""},
		{"other.yml", "to: [\"[\"]\n", KindRepository, `other.yml:1: to[0]: bad pattern "["`},
		// A server key misspelt is not a server section, so the file reads
		// as a repository config and the key is still reported.
		{"typo.yml", "datatrackr:\n  url: x\n", KindRepository, `typo.yml:1: unknown key "datatrackr"`},
		{"liaisonbot.yml", "server: [\n", KindServer, "liaisonbot.yml:"},
	}
	for i, tt := range tests {
		sub := filepath.Join(dir, string(rune('a'+i)))
		if err := os.Mkdir(sub, 0o700); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(sub, tt.name)
		if err := os.WriteFile(path, []byte(tt.data), 0o600); err != nil {
			t.Fatal(err)
		}
		kind, err := CheckFile(path)
		if kind != tt.wantKind {
			t.Errorf("%s %q: kind = %q, want %q", tt.name, tt.data, kind, tt.wantKind)
		}
		switch {
		case tt.wantErr == "" && err != nil:
			t.Errorf("%s %q: %v", tt.name, tt.data, err)
		case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), filepath.Dir(path)+"/"+tt.wantErr)):
			t.Errorf("%s %q: error = %v, want it to contain %q", tt.name, tt.data, err, tt.wantErr)
		}
	}
	if _, err := CheckFile(filepath.Join(dir, "absent.yml")); err == nil || !strings.Contains(err.Error(), "failed to read config file") {
		t.Errorf("CheckFile(absent) = %v", err)
	}
}

func TestCheckFileIgnoresEnvironment(t *testing.T) {
	t.Setenv("LIAISONBOT_DATATRACKER_PAGE_SIZE", "500")
	path := filepath.Join(t.TempDir(), "liaisonbot.yml")
	if err := os.WriteFile(path, []byte("store:\n  dsn: sqlite:x.db\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := CheckFile(path); err != nil {
		t.Errorf("CheckFile applied the environment: %v", err)
	}
}
