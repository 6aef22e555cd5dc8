package main

import (
	"runtime/debug"
	"testing"
)

func TestVersion(t *testing.T) {
	t.Parallel()
	build := func(version string, settings ...string) *debug.BuildInfo {
		info := &debug.BuildInfo{Main: debug.Module{Path: "github.com/hotload-dev/hotload", Version: version}}
		for i := 0; i+1 < len(settings); i += 2 {
			info.Settings = append(info.Settings, debug.BuildSetting{Key: settings[i], Value: settings[i+1]})
		}
		return info
	}
	const rev = "0123456789abcdef0123456789abcdef01234567"
	for _, tt := range []struct {
		name string
		info *debug.BuildInfo
		ok   bool
		want string
	}{
		{"no build info", nil, false, "devel"},
		{"module version", build("v1.2.3", "vcs.revision", rev), true, "v1.2.3"},
		{"clean checkout", build("(devel)", "vcs.revision", rev, "vcs.modified", "false"), true, "0123456789ab"},
		{"dirty checkout", build("(devel)", "vcs.revision", rev, "vcs.modified", "true"), true, "0123456789ab-dirty"},
		{"short revision", build("", "vcs.revision", "abc"), true, "abc"},
		{"no vcs", build("(devel)"), true, "devel"},
	} {
		if got := version(tt.info, tt.ok); got != tt.want {
			t.Errorf("version(%s) = %q, want %q", tt.name, got, tt.want)
		}
	}
}
