package lsp

import (
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
			e.saveAndWait("data.py", "import helper\nDATA = [10, 20]\nTAG = helper.TAG\n")
			n = e.messageCount()
			if err := e.command("hotload.restartRuntime", nil); err != nil {
				t.Fatal(err)
			}
			e.awaitMessage(n, "runtime restarted")
			probeCompare(t, e, "app.v after the fix and a restart", e.evalOrError("app.py", "v"), probeFresh(t, e.dir, "", "app", "v"))
		})
	}
}
