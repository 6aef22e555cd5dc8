package main

import (
	"errors"
	"testing"
	"time"

	"github.com/hotload-dev/hotload/reload"
)

func TestSummary(t *testing.T) {
	t.Parallel()
	value := func(s string) *string { return &s }
	const ms = time.Millisecond
	for _, tt := range []struct {
		name  string
		res   reload.Result
		first bool
		want  string
	}{
		{"first run", reload.Result{Module: "lib", Duration: 812 * time.Microsecond}, true,
			"hotload: lib loaded in 0.8 ms\n"},
		{"rerun with value", reload.Result{Module: "pkg.lib", Duration: 12 * ms, Value: value("'run 2'")}, false,
			"hotload: pkg.lib reloaded in 12.0 ms = 'run 2'\n"},
		{"multi-line value", reload.Result{Module: "lib", Duration: 1500 * ms, Value: value("   a\n0  1\n")}, false,
			"hotload: lib reloaded in 1.50 s =\n   a\n0  1\n"},
		{"exception", reload.Result{Module: "lib", Duration: 3 * ms, Exception: &reload.Exception{
			Type: "ZeroDivisionError", Text: "Traceback (most recent call last):\nZeroDivisionError: division by zero"}}, false,
			"Traceback (most recent call last):\nZeroDivisionError: division by zero\nhotload: lib raised ZeroDivisionError after 3.0 ms\n"},
		{"error", reload.Result{Module: "lib", Err: errors.New("pyruntime: python exited with code 1")}, false,
			"hotload: pyruntime: python exited with code 1\n"},
		{"importers and a note", reload.Result{Module: "mymath", Duration: ms, Reloaded: []string{"mymath", "lib", "app"},
			Notes: []reload.Note{{Text: "mymath.Point: its dataclass fields changed; existing instances still use the old class", Path: "/w/mymath.py", Line: 7}, {Text: "mymath: removed f"}}}, false,
			"hotload: mymath reloaded in 1.0 ms (and lib, app)\nhotload: note: mymath.py:7: mymath.Point: its dataclass fields changed; existing instances still use the old class\nhotload: note: mymath: removed f\n"},
		{"rolled back", reload.Result{Module: "mymath", Duration: ms, RolledBack: true, Exception: &reload.Exception{
			Type: "ZeroDivisionError", Text: "ZeroDivisionError: division by zero\n"}}, false,
			"ZeroDivisionError: division by zero\nhotload: mymath raised ZeroDivisionError after 1.0 ms; the save was rolled back and the previous code still runs\n"},
		{"hook error", reload.Result{Module: "lib", Duration: ms, HookError: &reload.Exception{Type: "RuntimeError", Text: "RuntimeError: hook broke\n"}}, false,
			"hotload: lib reloaded in 1.0 ms\nRuntimeError: hook broke\nhotload: afterReload raised RuntimeError\n"},
	} {
		if got := summary(&tt.res, tt.first); got != tt.want {
			t.Errorf("summary(%s) = %q, want %q", tt.name, got, tt.want)
		}
	}
}
