// Package realworld locates the real data that sits beside the project
// (../shared/realworld from the module root: GitHub's OpenAPI description,
// webhook payloads, both wordings of the liaison templates) for tests.
// The data is read in place, never copied into the project.
package realworld

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// ModuleRoot is the directory holding go.mod, found by walking up from the
// working directory (tests run in their package's directory).
func ModuleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("go.mod not found above the working directory")
		}
		dir = parent
	}
}

// Dir is the real-world data directory: $LIAISONBOT_REALWORLD when set,
// else ../shared/realworld from the module root.
func Dir() (string, error) {
	if d := os.Getenv("LIAISONBOT_REALWORLD"); d != "" {
		return d, nil
	}
	root, err := ModuleRoot()
	if err != nil {
		return "", err
	}
	return filepath.Join(root, "..", "shared", "realworld"), nil
}

// Path is the absolute path of rel under Dir, or "" when that file or
// directory is absent.
func Path(rel string) string {
	dir, err := Dir()
	if err != nil {
		return ""
	}
	p := filepath.Join(dir, filepath.FromSlash(rel))
	if _, err := os.Stat(p); err != nil {
		return ""
	}
	return p
}

// Require returns the path of rel, skipping the test when it is absent — or
// failing it when the CI environment variable is set, because CI has the data
// and a skip there would hide a broken test.
func Require(t testing.TB, rel string) string {
	t.Helper()
	p := Path(rel)
	if p != "" {
		return p
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("real-world data %s is absent but CI is set: CI must have ../shared/realworld", rel)
	}
	t.Skipf("real-world data %s is absent; skipping", rel)
	return ""
}

// Optional returns the path of rel, or "" when it is absent so the test
// can go on with data of its own — failing it instead when CI is set.
func Optional(t testing.TB, rel string) string {
	t.Helper()
	p := Path(rel)
	if p == "" && os.Getenv("CI") != "" {
		t.Fatalf("real-world data %s is absent but CI is set: CI must have ../shared/realworld", rel)
	}
	return p
}
