package api

import (
	"runtime"
	"runtime/debug"
)

// Build is what the running binary was built from, as Go records it.
type Build struct {
	Version   string // the module's version ("(devel)" for a build from a checkout)
	Revision  string // the VCS revision, "" when not recorded
	Modified  bool   // the working tree had changes not committed
	GoVersion string
}

// ReadBuild returns the running binary's build information (finapp version, /metrics).
func ReadBuild() Build {
	b := Build{Version: "(unknown)", GoVersion: runtime.Version()}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return b
	}
	b.Version = info.Main.Version
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			b.Revision = s.Value
		case "vcs.modified":
			b.Modified = s.Value == "true"
		}
	}
	return b
}
