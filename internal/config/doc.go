// Package config reads liaisonbot's two kinds of configuration:
//
//   - the server config (Config): a YAML file given to `liaisonbot serve`,
//     overridden by environment variables, holding how to reach GitHub, the
//     datatracker, the templates repository and the store;
//   - the repository config (RepoConfig): `.github/liaison.yml` on a tracking
//     repository's default branch, saying which liaison statements it wants
//     and who handles them. The org's `.github` repository may hold defaults
//     that a repository's own file overrides key by key (MergeRepo).
//
// Both are decoded strictly: an unknown key is an error naming the file, the
// line and the key, because a misspelt key that silently does nothing is the
// most expensive kind of configuration bug. Every problem found is reported
// at once (errors.Join of *FieldError), so one run of `liaisonbot
// check-config` shows everything to fix.
package config
