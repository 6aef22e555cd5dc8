package lsp

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"go.lsp.dev/protocol"

	"github.com/hotload-dev/hotload/reload"
)

func TestParseSettings(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		raw      string
		want     Settings
		problems string // joined problems
	}{
		{"empty", ``, Settings{}, ""},
		{"null", `null`, Settings{}, ""},
		{"python as a path", `{"python": "/usr/bin/python3"}`, Settings{Python: []string{"/usr/bin/python3"}}, ""},
		{"python as argv", `{"python": ["uv", "run", "python"]}`, Settings{Python: []string{"uv", "run", "python"}}, ""},
		{"wrapped in a hotload section", `{"hotload": {"preload": ["numpy"]}}`, Settings{Preload: []string{"numpy"}}, ""},
		{"all settings", `{"python": "py", "preload": ["a"], "extraPaths": ["lib"], "env": {"K": "v"}}`,
			Settings{Python: []string{"py"}, Preload: []string{"a"}, ExtraPaths: []string{"lib"}, Env: map[string]string{"K": "v"}}, ""},
		{"timeout in seconds", `{"timeout": 5}`, Settings{Timeout: 5 * time.Second}, ""},
		{"a fractional timeout", `{"timeout": 0.25}`, Settings{Timeout: 250 * time.Millisecond}, ""},
		{"no timeout", `{"timeout": 0}`, Settings{}, ""},
		{"a negative timeout", `{"timeout": -1}`, Settings{}, "timeout: want a number of seconds from 0 (no limit) to 86400"},
		{"a timeout that is not a number", `{"timeout": "5s"}`, Settings{}, "timeout: want a number of seconds"},
		{"fresh strategy", `{"strategy": "fresh"}`, Settings{Strategy: reload.Fresh}, ""},
		{"in-place strategy", `{"strategy": "inplace"}`, Settings{Strategy: reload.InPlace}, ""},
		{"unknown strategy", `{"strategy": "new"}`, Settings{}, `strategy: want "inplace" or "fresh"`},
		{"reload options", `{"reloadDependents": false, "afterReload": "app.hooks:refresh"}`, Settings{SkipDependents: true, AfterReload: "app.hooks:refresh"}, ""},
		{"a hook without a function", `{"afterReload": "app.hooks"}`, Settings{}, `afterReload: want "pkg.module:function"`},
		{"reloadDependents not a boolean", `{"reloadDependents": "yes"}`, Settings{}, "reloadDependents: want true or false"},
		{"editor-side settings are accepted quietly", `{"server": {"path": "/x"}, "trace": {"server": "off"}}`, Settings{}, ""},
		{"a bad setting loses only itself", `{"python": 3, "preload": ["a"], "typo": true}`, Settings{Preload: []string{"a"}},
			"python: want a path or a list of strings; typo: unknown setting"},
		{"bad env", `{"env": {"K": 1}}`, Settings{}, "env: want an object of strings"},
		{"python as an empty list", `{"python": []}`, Settings{}, "python: want a path or a list of strings, not an empty list"},
		{"python whose program is empty", `{"python": ["", "-m", "x"]}`, Settings{}, "python: want a path or a list of strings starting with the program"},
		{"python as an empty string looks for one", `{"python": ""}`, Settings{}, ""},
		{"not an object", `[1]`, Settings{}, "settings must be an object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, problems := parseSettings([]byte(tt.raw))
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("parseSettings(%s) = %+v, want %+v", tt.raw, got, tt.want)
			}
			if p := strings.Join(problems, "; "); !strings.HasPrefix(p, tt.problems) || (tt.problems == "") != (p == "") {
				t.Errorf("problems = %q, want %q", p, tt.problems)
			}
		})
	}
}

// A wrong python setting in pyproject.toml is reported, and the python of
// the editor's settings stays: an empty list used to wipe it silently, and
// hotload looked for another Python.
func TestEmptyPythonSettingIsReported(t *testing.T) {
	t.Parallel()
	e := newEditor(t, "-- lib.py --\n-- pyproject.toml --\n[tool.hotload]\npython = []\n")
	e.config = []byte(`{"python": ["python3", "-O"]}`)
	e.initialize(nil)
	e.waitReady()
	msg := e.awaitMessage(0, "python: want")
	if msg.Type != protocol.MessageTypeWarning || !strings.Contains(msg.Message, "pyproject.toml [tool.hotload]: python: want a path or a list of strings, not an empty list") {
		t.Errorf("message %v %q, want a Warning that python is an empty list", msg.Type, msg.Message)
	}
	if got := e.evaluateValue("import sys; sys.flags.optimize"); got != "1" {
		t.Errorf("sys.flags.optimize = %s, want 1: the editor's python setting (python3 -O) runs", got)
	}
}

func TestLaterSettingsOverrideEarlierOnes(t *testing.T) {
	t.Parallel()
	s, _ := parseSettings([]byte(`{"python": "a", "preload": ["x"]}`))
	s.merge([]byte(`{"python": "b", "env": {"K": "v"}}`))
	want := Settings{Python: []string{"b"}, Preload: []string{"x"}, Env: map[string]string{"K": "v"}}
	if !reflect.DeepEqual(s, want) {
		t.Errorf("merged = %+v, want %+v", s, want)
	}
}
