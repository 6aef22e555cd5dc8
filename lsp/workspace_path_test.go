package lsp

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"
)

// saveAt writes content to the file at path, which the editor may name
// otherwise than the workspace does, and sends didSave for it.
func (e *fakeEditor) saveAt(path, content string) {
	e.t.Helper()
	writeFile(e.t, path, content)
	if err := e.server.DidSave(e.t.Context(), &protocol.DidSaveTextDocumentParams{TextDocument: protocol.TextDocumentIdentifier{URI: uri.File(path)}}); err != nil {
		e.t.Fatal(err)
	}
}

// A workspace file reloads on save under any name the editor gives it: the
// real path of a symlinked workspace folder (as go-to-definition or a
// resolved buffer name gives it), a path through a link to the folder, or
// a folder whose name starts with two dots. Each was silently ignored.
func TestWorkspaceFilesReloadUnderEveryName(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name   string
		folder string            // the workspace folder the editor sends, under the temp dir
		links  map[string]string // symbolic links to make: link → target, under the temp dir
		saved  string            // the path saved, under the temp dir
		text   string            // what is saved: its value is 2
		module string            // the module that runs
		wantL  string            // lib's L after the save: lib imports dep
	}{
		{"the real path of a linked folder", "link", map[string]string{"link": "real"}, "real/dep.py", "D = 2\nD\n", "dep", "2"},
		{"a link to the folder", "real", map[string]string{"link": "real"}, "link/dep.py", "D = 2\nD\n", "dep", "2"},
		{"a link to a folder holding the folder", "top/real", map[string]string{"up": "top"}, "up/real/dep.py", "D = 2\nD\n", "dep", "2"},
		{"a folder named ..data", "real", nil, "real/..data/tool.py", "T = 2\nT\n", "tool", "1"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEditor(t, "-- real/dep.py --\nD = 1\n-- real/lib.py --\nimport dep\nL = dep.D\nL\n-- top/real/dep.py --\nD = 1\n-- top/real/lib.py --\nimport dep\nL = dep.D\nL\n")
			base := e.dir
			for link, target := range tt.links {
				if err := os.Symlink(filepath.Join(base, target), filepath.Join(base, link)); err != nil {
					t.Fatal(err)
				}
			}
			e.dir = filepath.Join(base, tt.folder)
			e.initialize(nil)
			e.waitReady()
			e.save("lib.py", "import dep\nL = dep.D\nL\n")
			if r := e.awaitResult(1); !r.OK {
				t.Fatalf("first save: %+v", r)
			}
			n := e.messageCount()
			e.saveAt(filepath.Join(base, tt.saved), tt.text)
			r := e.awaitResult(2)
			if !r.OK || r.Module != tt.module || r.Value == nil || *r.Value != "2" {
				t.Errorf("the save of %s: %+v, want %s to run, giving 2", tt.saved, r, tt.module)
			}
			if got := e.evaluateValue("L"); got != tt.wantL {
				t.Errorf("lib's L = %s after the save of %s, want %s", got, tt.saved, tt.wantL)
			}
			for _, m := range e.shownSince(n) {
				if strings.Contains(m.Message, "outside the workspace") {
					t.Errorf("message %q for a file of the workspace", m.Message)
				}
			}
		})
	}
}

// A save of a Python file outside the workspace folders reloads nothing;
// the user is told so, and why, once per file, not on every save.
func TestSaveOutsideTheWorkspaceIsToldOncePerFile(t *testing.T) {
	t.Parallel()
	e := newEditor(t, "-- lib.py --\nx = 1\n")
	e.initialize(nil)
	e.waitReady()
	outside := t.TempDir()
	solo, other := filepath.Join(outside, "solo.py"), filepath.Join(outside, "other.py")
	for i, path := range []string{solo, solo, other, solo} {
		e.saveAt(path, "S = 1\n")
		// A save of the workspace after it: its result comes after any
		// message of the outside save.
		e.save("lib.py", "x = 1\n")
		e.awaitResult(i + 1)
	}
	var told []string
	for _, m := range e.shownSince(0) {
		if strings.Contains(m.Message, "outside the workspace") {
			told = append(told, m.Message)
			if m.Type != protocol.MessageTypeWarning || !strings.Contains(m.Message, e.dir) || !strings.Contains(m.Message, "Add its folder to the workspace") {
				t.Errorf("message %v %q, want a Warning naming the workspace folder and what to do", m.Type, m.Message)
			}
		}
	}
	if len(told) != 2 || !strings.Contains(told[0], solo) || !strings.Contains(told[1], other) {
		t.Errorf("messages about saves outside the workspace: %q, want one for %s, then one for %s", told, solo, other)
	}
}
