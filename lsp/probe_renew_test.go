package lsp

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.lsp.dev/protocol"
)

// A save of a preload that then hangs at import holds the fresh save (it
// waits for the new zygote): an Interrupt ends the new zygote's start, a
// Warning says the preloads stay as they were, and the fixed file's next
// save renews them.
func TestProbeRenewHangingPreloadInterrupted(t *testing.T) {
	t.Parallel()
	for _, strategy := range []string{"fresh"} {
		t.Run(strategy, func(t *testing.T) {
			t.Parallel()
			e := startProbe(t, preloadFiles, map[string]any{"strategy": strategy, "preload": []string{"data"}})
			n := e.messageCount()
			e.save("data.py", "import time\ntime.sleep(3600)\nDATA = [1]\nTAG = 't'\n")
			time.Sleep(1500 * time.Millisecond) // the new zygote imports data.py by then
			if err := e.command("hotload.interruptRuntime", nil); err != nil {
				t.Fatal(err)
			}
			m := e.awaitMessage(n, "importing them again with it failed")
			if m.Type != protocol.MessageTypeWarning || !strings.Contains(m.Message, "interrupted") {
				t.Errorf("message = %v %q, want a Warning saying the import was interrupted", m.Type, m.Message)
			}
			fixPreloadAndRestart(t, e)
		})
	}
}

// A .pth with an import line (setuptools' editable finder) added, then
// removed: the import runs before the next save, as in a fresh run. After
// the removal, in place, the save warns that the runtime still has what the
// .pth added, and a restart of the runtime starts without it; a fresh run
// starts without it at once (site-packages changed: a new zygote).
func TestProbeRenewPthImportLineThenRemoved(t *testing.T) {
	t.Parallel()
	for _, strategy := range []string{"fresh", "inplace"} {
		t.Run(strategy, func(t *testing.T) {
			t.Parallel()
			python, site := makeVenv(t)
			vendor := t.TempDir()
			writeFile(t, filepath.Join(vendor, "vendmod.py"), "X = 'vend'\n")
			writeFile(t, filepath.Join(site, "probe_finder.py"), "import sys\ndef install():\n    sys.path.append("+quotePy(vendor)+")\n")
			app := "try:\n    import vendmod\n    v = vendmod.X\nexcept ImportError as e:\n    v = 'ImportError'\n"
			e := startProbe(t, "-- app.py --\n"+app, map[string]any{"strategy": strategy, "python": python})
			e.saveAndWait("app.py", app)
			pth := filepath.Join(site, "__editable__.vend.pth")
			writeFile(t, pth, "import probe_finder; probe_finder.install()\n")
			e.saveAndWait("app.py", app)
			probeCompare(t, e, "app.v with the .pth", e.evalOrError("app.py", "v"), probeFresh(t, e.dir, python, "app", "v"))
			if err := os.Remove(pth); err != nil {
				t.Fatal(err)
			}
			time.Sleep(1100 * time.Millisecond) // past RACY_SECONDS
			n := e.messageCount()
			e.saveAndWait("app.py", app)
			fresh := probeFresh(t, e.dir, python, "app", "v")
			if strategy == "fresh" {
				probeCompare(t, e, "app.v after the .pth's removal", e.evalOrError("app.py", "v"), fresh)
				return
			}
			time.Sleep(300 * time.Millisecond)
			said := append(e.warningsOn("app.py"), e.shownText(n))
			if !strings.Contains(strings.Join(said, "\n"), "was removed after the runtime started") {
				t.Errorf("no Warning of the removed .pth; said %q", said)
			}
			e.restartRuntime()
			probeCompare(t, e, "app.v after a restart", e.evalOrError("app.py", "v"), fresh)
		})
	}
}

// `pip install -U fakelib`, or `pip install ./fakelib` again with its
// version unchanged and its code changed, while the runtime runs, fakelib
// preloaded: in place, the save says the runtime still runs the code it
// imported, and a restart imports the new one; a fresh run imports the new
// one at once. pip moves the old metadata folder aside until the new one
// is made, then removes it.
func TestProbeRenewPipUpgradeOfAPreload(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		version string // installed over 1.0
		warning string
	}{
		{"upgraded", "2.0", "fakelib 1.0 was replaced by fakelib 2.0"},
		{"installed again", "1.0", "fakelib 1.0 was installed again"},
	} {
		for _, strategy := range []string{"inplace", "fresh"} {
			t.Run(tc.name+"/"+strategy, func(t *testing.T) {
				t.Parallel()
				python, site := makeVenv(t)
				install := func(version, code string) {
					writeFile(t, filepath.Join(site, "fakelib", "__init__.py"), "CODE = '"+code+"'\n")
					writeFile(t, filepath.Join(site, "fakelib-"+version+".dist-info", "RECORD"), "fakelib/__init__.py,,\n")
				}
				install("1.0", "old")
				app := "import fakelib\nv = fakelib.CODE\n"
				e := startProbe(t, "-- app.py --\n"+app, map[string]any{"strategy": strategy, "python": python, "preload": []string{"fakelib"}})
				e.saveAndWait("app.py", app)
				old := filepath.Join(site, "fakelib-1.0.dist-info")
				aside := filepath.Join(site, "~akelib-1.0.dist-info")
				if err := os.Rename(old, aside); err != nil {
					t.Fatal(err)
				}
				install(tc.version, "new")
				if err := os.RemoveAll(aside); err != nil {
					t.Fatal(err)
				}
				n := e.messageCount()
				e.saveAndWait("app.py", app)
				fresh := probeFresh(t, e.dir, python, "app", "v")
				if strategy == "fresh" {
					probeCompare(t, e, "app.v after the install", e.evalOrError("app.py", "v"), fresh)
					return
				}
				if got := e.evalOrError("app.py", "v"); got != "'old'" {
					t.Errorf("app.v in place = %s, want 'old' (the code imported), with a Warning", got)
				}
				if said := e.shownText(n); !strings.Contains(said, tc.warning) || !strings.Contains(said, "restart the runtime") {
					t.Errorf("no Warning of the install (want %q); said %q", tc.warning, said)
				}
				e.restartRuntime()
				probeCompare(t, e, "app.v after a restart", e.evalOrError("app.py", "v"), fresh)
			})
		}
	}
}

// A .pth written again in place (its folder's mtime unchanged), naming
// another folder: the runtime cannot see it, but a restart, or a fresh run,
// starts from a new zygote that reads it, as a fresh python would.
func TestProbeRenewPthRewrittenInPlace(t *testing.T) {
	t.Parallel()
	for _, strategy := range []string{"fresh", "inplace"} {
		t.Run(strategy, func(t *testing.T) {
			t.Parallel()
			python, site := makeVenv(t)
			a, b := t.TempDir(), t.TempDir()
			writeFile(t, filepath.Join(a, "vendmod.py"), "X = 'a'\n")
			writeFile(t, filepath.Join(b, "vendmod.py"), "X = 'b'\n")
			pth := filepath.Join(site, "vend.pth")
			writeFile(t, pth, a+"\n")
			app := "import vendmod\nv = vendmod.X\n"
			e := startProbe(t, "-- app.py --\n"+app, map[string]any{"strategy": strategy, "python": python})
			e.saveAndWait("app.py", app)
			f, err := os.OpenFile(pth, os.O_WRONLY|os.O_TRUNC, 0)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.WriteString(b + "\n"); err != nil {
				t.Fatal(err)
			}
			f.Close()
			if strategy == "fresh" {
				e.saveAndWait("app.py", app)
			} else {
				e.restartRuntime()
			}
			probeCompare(t, e, "app.v after the .pth's rewrite", e.evalOrError("app.py", "v"), probeFresh(t, e.dir, python, "app", "v"))
		})
	}
}
