package lsp

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"
)

// initializeIn runs initialize and initialized for a workspace in dir with
// initializationOptions opts, and waits for the runtime to be ready.
func (r *rawSession) initializeIn(dir, opts string) {
	r.t.Helper()
	r.write(frame(fmt.Sprintf(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"processId":null,"rootUri":%q,"capabilities":{},"initializationOptions":%s}}`, uri.File(dir), opts)))
	if resp := r.next(); resp.Err() != nil {
		r.t.Fatalf("initialize: %v", resp.Err())
	}
	r.write(frame(initializedFrame))
	r.awaitNotification(methodStatus, func(p json.RawMessage) bool { return strings.Contains(string(p), `"state":"ready"`) })
}

// execute sends workspace/executeCommand with id and returns at once.
func (r *rawSession) execute(id int, command string, args ...any) {
	r.t.Helper()
	params, err := json.Marshal(map[string]any{"command": command, "arguments": args})
	if err != nil {
		r.t.Fatal(err)
	}
	r.write(frame(fmt.Sprintf(`{"jsonrpc":"2.0","id":%d,"method":"workspace/executeCommand","params":%s}`, id, params)))
}

func (r *rawSession) cancel(id int) {
	r.write(frame(fmt.Sprintf(`{"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":%d}}`, id)))
}

// awaitLog waits for a window/logMessage containing substr.
func (r *rawSession) awaitLog(substr string) {
	r.t.Helper()
	r.awaitNotification(protocol.MethodWindowLogMessage, func(p json.RawMessage) bool { return strings.Contains(string(p), substr) })
}

// Regression: a cancelled evaluation answered success with "context
// canceled; started a fresh runtime (module state is lost)", which was
// false, and left the code running; a cancelled evaluateModule answered
// InvalidParams. Both now answer RequestCancelled (-32800), and the code,
// if it runs, is interrupted in the same runtime.
func TestCancelledCommandsAnswerRequestCancelledAndStopTheCode(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	lib := filepath.Join(dir, "lib.py")
	loop := "import time\ntry:\n    print('looping')\n    while True:\n        time.sleep(0.01)\nexcept KeyboardInterrupt:\n    stopped = 'by the interrupt'\n    raise\n"
	if err := os.WriteFile(lib, []byte("stopped = None\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := newRawSession(t)
	r.initializeIn(dir, `{}`)
	libURI := string(uri.File(lib))
	value := func(id int, code string) string {
		t.Helper()
		r.execute(id, commandEvaluate, libURI, code)
		resp := r.next()
		var ev evaluation
		if resp.Err() != nil || json.Unmarshal(resp.Result(), &ev) != nil || ev.Value == nil {
			t.Fatalf("evaluate %q = %s, %v", code, resp.Result(), resp.Err())
		}
		return *ev.Value
	}
	pid := value(2, "import os; os.getpid()")

	r.execute(3, commandEvaluate, libURI, loop)
	r.awaitLog("looping")
	r.cancel(3)
	if resp := r.next(); errorCode(resp) != protocol.CodeRequestCancelled || idJSON(resp.ID()) != "3" {
		t.Errorf("cancelled evaluate answered %s, %v (id %v), want RequestCancelled", resp.Result(), resp.Err(), resp.ID())
	}
	if got := value(4, "stopped"); got != "'by the interrupt'" {
		t.Errorf("stopped = %s after the cancel, want 'by the interrupt': the code was not interrupted", got)
	}

	if err := os.WriteFile(lib, []byte(loop), 0o644); err != nil {
		t.Fatal(err)
	}
	r.execute(5, commandEvaluateModule, libURI)
	r.awaitLog("looping")
	r.cancel(5)
	if resp := r.next(); errorCode(resp) != protocol.CodeRequestCancelled {
		t.Errorf("cancelled evaluateModule answered %s, %v, want RequestCancelled", resp.Result(), resp.Err())
	}
	r.awaitNotification(protocol.MethodWindowShowMessage, func(p json.RawMessage) bool { return strings.Contains(string(p), "KeyboardInterrupt") })
	if got := value(6, "import os; os.getpid()"); got != pid {
		t.Errorf("pid %s after the cancels, want the same runtime %s", got, pid)
	}
}
