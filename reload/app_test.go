package reload_test

import (
	"strings"
	"sync"
	"testing"

	"github.com/hotload-dev/hotload/reload"
)

// An app's output reaches OnAppOutput, not OnOutput, within StreamedOutput
// per start, then one line says the rest is not passed on.
func TestAppOutputIsBounded(t *testing.T) {
	ws := t.TempDir()
	writeFile(t, ws, "chatty.py", "import sys\nfor i in range(100):\n    print('x' * 99, flush=True)\nprint('err', file=sys.stderr, flush=True)\n")
	var mu sync.Mutex
	var app, other strings.Builder
	var streams []string
	exited := make(chan reload.AppExit, 1)
	e := newEngine(t, ws, reload.Config{
		StreamedOutput: 1000,
		OnAppOutput: func(stream, text string) {
			mu.Lock()
			defer mu.Unlock()
			app.WriteString(text)
			streams = append(streams, stream)
		},
		OnOutput: func(module, text string) {
			mu.Lock()
			defer mu.Unlock()
			other.WriteString(text)
		},
		OnAppExit: func(x reload.AppExit) { exited <- x },
	})
	if _, err := e.StartApp(testContext(t), []string{"chatty.py"}); err != nil {
		t.Fatal(err)
	}
	if x := <-exited; x.Code != 0 {
		t.Fatalf("exit = %+v", x)
	}
	mu.Lock()
	defer mu.Unlock()
	text := app.String()
	passed, note, _ := strings.Cut(text, "\n[hotload: the app has printed 1000 B; its later output is not logged")
	if len(passed) != 1000 || note == "" {
		t.Errorf("OnAppOutput got %d bytes and note %q, want 1000 and a note", len(passed), note)
	}
	if other.Len() != 0 {
		t.Errorf("OnOutput got the app's output: %q", other.String())
	}
	if streams[len(streams)-1] != "stderr" {
		t.Errorf("the note went to %s, want stderr", streams[len(streams)-1])
	}
}
