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
// removed: the import runs before the next save, as in a fresh run; the
// removal gets a Warning, in fresh mode too, where the note made in the
// zygote reaches the spare a save runs in past the spare's warm-up.
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
			warned := func(what string) {
				t.Helper()
				n := e.messageCount()
				e.saveAndWait("app.py", app)
				time.Sleep(300 * time.Millisecond)
				said := append(e.warningsOn("app.py"), e.shownText(n))
				if !strings.Contains(strings.Join(said, "\n"), "was removed after the runtime started") {
					t.Errorf("no Warning of the removed .pth %s; said %q", what, said)
				}
			}
			warned("at the save after it")
			if strategy == "fresh" {
				// Each fresh run is forked from the zygote, which still
				// has what the .pth added: every save says so.
				warned("at a later fresh save")
			}
		})
	}
}
