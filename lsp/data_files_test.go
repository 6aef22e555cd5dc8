package lsp

import (
	"strings"
	"testing"
	"time"

	"go.lsp.dev/protocol"
)

const readsSettings = `import json, os

SETTINGS = json.load(open(os.path.join(os.path.dirname(__file__), "settings.json")))
SETTINGS["greeting"]
`

// A module that reads a data file as it runs keeps the old contents after
// the file changes, unless it runs again: a fresh run would read the new.
func TestWritingADataFileRerunsTheModulesThatReadIt(t *testing.T) {
	t.Parallel()
	e := newEditor(t, `
-- settings.json --
{"greeting": "hello"}
-- config.py --
`+readsSettings+`
-- main.py --
from config import SETTINGS

print("main sees", SETTINGS["greeting"])
`)
	e.initialize(nil)
	e.waitReady()
	e.save("main.py", "from config import SETTINGS\n\nprint(\"main sees\", SETTINGS[\"greeting\"])\n")
	e.awaitMessage(0, "main sees hello")
	n := e.messageCount()
	e.save("config.py", readsSettings)
	e.awaitMessage(n, "config reloaded in ")

	steps := []struct {
		name     string
		settings string
		want     string // in the message, after "settings.json changed: "
		kind     protocol.MessageType
	}{
		{"the new value, and the importer that took it runs again", `{"greeting": "bonjour"}`,
			"config reloaded in ", protocol.MessageTypeInfo},
		{"a file a fresh run could not read fails as its run would", `{"greeting": `,
			"config: JSONDecodeError", protocol.MessageTypeError},
		{"fixed again", `{"greeting": "hallo"}`, "config reloaded in ", protocol.MessageTypeInfo},
	}
	for _, s := range steps {
		n := e.messageCount()
		writeFile(t, e.path("settings.json"), s.settings)
		msg := e.awaitMessage(n, "settings.json changed: "+s.want)
		if msg.Type != s.kind {
			t.Errorf("%s: message %q is a %v, want %v", s.name, msg.Message, msg.Type, s.kind)
		}
	}
	if msg := e.awaitMessage(0, "'bonjour'"); !strings.Contains(msg.Message, "(and main)") {
		t.Errorf("message = %q, want config's value 'bonjour' and main re-run", msg.Message)
	}
	e.awaitMessage(0, "'hallo'")

	// A run that no longer reads the file stops its watch.
	n = e.messageCount()
	e.save("config.py", "SETTINGS = {\"greeting\": \"fixed\"}\n")
	e.awaitMessage(n, "config reloaded in ")
	n = e.messageCount()
	writeFile(t, e.path("settings.json"), `{"greeting": "ignored"}`)
	time.Sleep(500 * time.Millisecond) // ten times the quiet the watch waits for
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, m := range e.shown[n:] {
		if strings.Contains(m.Message, "settings.json changed") {
			t.Errorf("after config stopped reading settings.json, its change showed %q", m.Message)
		}
	}
}

// Regression: a module that an evaluation loaded (the first thing done in
// a fresh editor, or after a restart) recorded no data files, so a change
// of its settings.json ran nothing and its SETTINGS stayed old.
func TestEvaluatingLoadsAModuleWhoseDataFilesAreWatched(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, code, want string
	}{
		{"the evaluation succeeds", "SETTINGS['greeting']", "'hello'"},
		// The module it loaded stays loaded: its data file is watched too.
		{"the evaluated code raises", "SETTINGS['greeting'] / 0", "error: Traceback"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEditor(t, `
-- settings.json --
{"greeting": "hello"}
-- config.py --
`+readsSettings)
			e.initialize(nil)
			e.waitReady()
			if got := e.evaluateIn("config.py", tt.code); !strings.HasPrefix(got, tt.want) {
				t.Fatalf("%s = %s, want %s", tt.code, got, tt.want)
			}
			n := e.messageCount()
			writeFile(t, e.path("settings.json"), `{"greeting": "bonjour"}`)
			e.awaitMessage(n, "settings.json changed: config reloaded in ")
			if got := e.evaluateIn("config.py", "SETTINGS['greeting']"); got != "'bonjour'" {
				t.Errorf("after settings.json changed, SETTINGS['greeting'] = %s, want 'bonjour'", got)
			}
		})
	}
}
