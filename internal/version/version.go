// Package version names the build, for the user agent, /api/health and
// `liaisonbot version`.
package version

import "runtime/debug"

// Version is set at build time with -ldflags "-X
// github.com/liaisonbot/liaisonbot/internal/version.Version=v1.2.3"; without
// it the module version or VCS revision from the build info is used.
var Version = ""

// String is the version of this build.
func String() string {
	if Version != "" {
		return Version
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel"
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	for _, s := range bi.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			return "devel-" + s.Value[:12]
		}
	}
	return "devel"
}

// UserAgent names the app to the services it calls.
func UserAgent() string {
	return "liaisonbot/" + String() + " (+https://github.com/liaisonbot/liaisonbot)"
}
