package reload_test

import (
	"fmt"
	"testing"

	"github.com/hotload-dev/hotload/reload"
)

// Regression: the queued reloads of different modules ran concurrently,
// so a save of a module and then of its importer could reload the importer
// first, with the module's old code, and report that. Saves now apply in
// the order they were made.
func TestSavesOfTwoModulesApplyInSaveOrder(t *testing.T) {
	t.Parallel()
	ws := t.TempDir()
	results := make(chan *reload.Result, 100)
	e := newEngine(t, ws, reload.Config{OnResult: func(r *reload.Result) { results <- r }})
	writeFile(t, ws, "mymath.py", "def square(x):\n    return x * x\n")
	lib := writeFile(t, ws, "lib.py", "from mymath import square\nsquare(5)\n")
	if res := mustReload(t, e, lib); value(res) != "25" {
		t.Fatalf("first run of lib = %s, want 25", value(res))
	}
	<-results
	for i := 1; i <= 30; i++ {
		mymath := writeFile(t, ws, "mymath.py", fmt.Sprintf("def square(x):\n    return x * x + %d\n", i))
		if err := e.Queue(mymath); err != nil {
			t.Fatal(err)
		}
		if err := e.Queue(lib); err != nil {
			t.Fatal(err)
		}
		for got := 0; got < 2; got++ {
			res := waitResult(t, results)
			if res.Module == "lib" && value(res) != fmt.Sprint(25+i) {
				t.Fatalf("save %d: lib reloaded to %s, want %d: it ran before the save of mymath before it", i, value(res), 25+i)
			}
		}
	}
}
