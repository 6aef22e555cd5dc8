package lsp

import (
	"encoding/json"
	"fmt"
	"maps"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/hotload-dev/hotload/reload"
)

// Settings are the user's hotload settings. They come from
// initializationOptions and from workspace/configuration (section
// "hotload"); a later source overrides an earlier one setting by setting.
// The zero value runs the Python FindPython finds with nothing preloaded.
type Settings struct {
	// Python is the interpreter's command line; empty means look for one.
	Python []string
	// Preload names modules imported when the runtime starts.
	Preload []string
	// ExtraPaths are import roots besides the workspace folders and src/.
	ExtraPaths []string
	// Env is added to the runtime's environment.
	Env map[string]string
	// PathMap maps local folders to where a Python on another machine (over
	// ssh, in a container) sees them; empty means the same paths.
	PathMap map[string]string
	// Attach is the Unix socket of a running app serving hotload's agent;
	// empty means hotload starts its own Python.
	Attach string
	// SkipDependents is the reloadDependents setting inverted, so that the
	// zero value keeps the default (importers re-run).
	SkipDependents bool
	// AfterReload is "pkg.mod:func", called after every successful reload.
	AfterReload string
	// Strategy is where reloads run: in place (the zero value) or fresh.
	Strategy reload.Strategy
	// Timeout is how long a reload or an evaluation may run before it is
	// interrupted; zero means no limit.
	Timeout time.Duration
	// Notifications says which messages are shown as popups; empty means
	// all of them.
	Notifications Notifications
	// App is `python ARGS…`'s ARGS for hotload.startApp; empty means no app.
	App []string
}

// maxTimeout bounds the timeout setting: a day is beyond any run someone
// waits for in an editor, and keeps the conversion to a Duration exact.
const maxTimeout = 24 * time.Hour

// quietKeys are not reported as unknown: settings of the design that this
// version accepts but does not act on yet, and the editor-side settings
// (server path, tracing) of clients that send their whole section.
var quietKeys = []string{"server", "trace"}

// parseSettings reads a settings object (optionally wrapped as
// {"hotload": {...}}). It returns the settings it could read and a problem
// for each one it could not, so one typo does not lose the others.
func parseSettings(raw []byte) (Settings, []string) {
	var s Settings
	return s, s.merge(raw)
}

// merge overrides s with each setting present in raw and returns problems.
func (s *Settings) merge(raw []byte) []string {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		return []string{fmt.Sprintf("settings must be an object: %v", err)}
	}
	if inner, ok := fields["hotload"]; ok && len(fields) == 1 {
		fields = nil
		if err := json.Unmarshal(inner, &fields); err != nil {
			return []string{fmt.Sprintf("settings must be an object: %v", err)}
		}
	}
	var problems []string
	for _, key := range slices.Sorted(maps.Keys(fields)) {
		value := fields[key]
		if string(value) == "null" {
			continue
		}
		var err error
		switch key {
		case "python":
			err = decodeCommand(value, &s.Python)
		case "preload":
			err = decodeStrings(value, &s.Preload)
		case "extraPaths":
			err = decodeStrings(value, &s.ExtraPaths)
		case "env":
			var env map[string]string
			if json.Unmarshal(value, &env) != nil {
				err = fmt.Errorf("want an object of strings")
			} else {
				s.Env = env
			}
		case "pathMap":
			err = decodePathMap(value, &s.PathMap)
		case "attach":
			var socket string
			if json.Unmarshal(value, &socket) != nil || (socket != "" && !filepath.IsAbs(socket)) {
				err = fmt.Errorf("want the absolute path of the app's socket")
			} else {
				s.Attach = socket
			}
		case "reloadDependents":
			var on bool
			if json.Unmarshal(value, &on) != nil {
				err = fmt.Errorf("want true or false")
			} else {
				s.SkipDependents = !on
			}
		case "afterReload":
			var hook string
			if json.Unmarshal(value, &hook) != nil || (hook != "" && !strings.Contains(hook, ":")) {
				err = fmt.Errorf(`want "pkg.module:function"`)
			} else {
				s.AfterReload = hook
			}
		case "app":
			err = decodeStrings(value, &s.App)
		case "strategy":
			var strategy reload.Strategy
			if json.Unmarshal(value, &strategy) != nil || (strategy != reload.InPlace && strategy != reload.Fresh) {
				err = fmt.Errorf(`want "inplace" or "fresh"`)
			} else {
				s.Strategy = strategy
			}
		case "timeout":
			var seconds float64
			if json.Unmarshal(value, &seconds) != nil || seconds < 0 || seconds > maxTimeout.Seconds() {
				err = fmt.Errorf("want a number of seconds from 0 (no limit) to %.0f", maxTimeout.Seconds())
			} else {
				s.Timeout = time.Duration(seconds * float64(time.Second))
			}
		case "notifications":
			var n string
			if json.Unmarshal(value, &n) != nil {
				err = fmt.Errorf(`want "errors", "all" or "off"`)
			} else {
				s.Notifications, err = decodeNotifications(n)
			}
		default:
			if !slices.Contains(quietKeys, key) {
				err = fmt.Errorf("unknown setting")
			}
		}
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", key, err))
		}
	}
	return problems
}

// decodeCommand reads a command given as one path or as an argv list,
// leaving dst alone if it cannot. An empty path means look for one; an
// empty list, or one whose program is empty, is a mistake, not that.
func decodeCommand(raw json.RawMessage, dst *[]string) error {
	var one string
	if err := json.Unmarshal(raw, &one); err == nil {
		*dst = nil
		if one != "" {
			*dst = []string{one}
		}
		return nil
	}
	var argv []string
	switch err := json.Unmarshal(raw, &argv); {
	case err != nil:
		return fmt.Errorf("want a path or a list of strings")
	case len(argv) == 0:
		return fmt.Errorf("want a path or a list of strings, not an empty list")
	case argv[0] == "":
		return fmt.Errorf("want a path or a list of strings starting with the program, not %q", argv[0])
	}
	*dst = argv
	return nil
}

// decodePathMap reads an object of absolute local folders to absolute
// folders on the interpreter's machine, leaving dst alone if it cannot.
func decodePathMap(raw json.RawMessage, dst *map[string]string) error {
	var m map[string]string
	if err := json.Unmarshal(raw, &m); err != nil {
		return fmt.Errorf("want an object of folders to folders")
	}
	for _, local := range slices.Sorted(maps.Keys(m)) {
		if remote := m[local]; !filepath.IsAbs(local) || !path.IsAbs(remote) {
			return fmt.Errorf("want absolute folders, got %q: %q", local, remote)
		}
	}
	*dst = m
	return nil
}

// decodeStrings reads a list of strings, leaving dst alone if it cannot.
func decodeStrings(raw json.RawMessage, dst *[]string) error {
	var list []string
	if err := json.Unmarshal(raw, &list); err != nil {
		return fmt.Errorf("want a list of strings")
	}
	*dst = list
	return nil
}

// envList returns Env as sorted "KEY=value" entries.
func (s Settings) envList() []string {
	var env []string
	for k, v := range s.Env {
		env = append(env, k+"="+v)
	}
	sort.Strings(env)
	return env
}

// sameRuntime reports whether two settings start the same runtime; the
// reload options can change without a new one.
func (s Settings) sameRuntime(o Settings) bool {
	return slices.Equal(s.Python, o.Python) && slices.Equal(s.Preload, o.Preload) &&
		slices.Equal(s.ExtraPaths, o.ExtraPaths) && maps.Equal(s.Env, o.Env) &&
		maps.Equal(s.PathMap, o.PathMap) && s.Attach == o.Attach
}

// describeReloads says how reloads run, for the log.
func (s Settings) describeReloads() string {
	var b strings.Builder
	if s.Strategy == reload.Fresh {
		b.WriteString("each save runs in a fresh process")
	} else {
		b.WriteString("saves run in place")
	}
	if s.SkipDependents {
		b.WriteString(", importers are not re-run")
	}
	if s.AfterReload != "" {
		b.WriteString(", then " + s.AfterReload)
	}
	if s.Timeout > 0 {
		b.WriteString(", code running over " + s.Timeout.String() + " is interrupted")
	}
	return b.String()
}

// reloadOptions returns the settings that shape each reload.
func (s Settings) reloadOptions() reload.ReloadOptions {
	return reload.ReloadOptions{SkipDependents: s.SkipDependents, AfterReload: s.AfterReload, Strategy: s.Strategy, Timeout: s.Timeout}
}
