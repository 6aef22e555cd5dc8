package reload_test

import (
	"errors"
	"testing"

	"github.com/hotload-dev/hotload/reload"
)

func TestExceptionSummary(t *testing.T) {
	t.Parallel()
	tests := []struct {
		typ, message string
		want         string
	}{
		{"ZeroDivisionError", "division by zero", "ZeroDivisionError: division by zero"},
		// `raise KeyboardInterrupt` has no message; Python prints the bare type.
		{"KeyboardInterrupt", "", "KeyboardInterrupt"},
	}
	for _, tt := range tests {
		e := &reload.Exception{Type: tt.typ, Message: tt.message}
		if got := e.Summary(); got != tt.want {
			t.Errorf("Exception{Type: %q, Message: %q}.Summary() = %q, want %q", tt.typ, tt.message, got, tt.want)
		}
	}
}

func TestExceptionInnermost(t *testing.T) {
	t.Parallel()
	outer := reload.Frame{Path: "/ws/lib.py", Line: 3, EndLine: 3, Col: 0, EndCol: 11, Function: "<module>"}
	inner := reload.Frame{Path: "/ws/mymath.py", Line: 2, EndLine: 2, Col: 11, EndCol: 16, Function: "f"}
	syntax := reload.Frame{Path: "/ws/lib.py", Line: 2, EndLine: 2, Col: 4, EndCol: -1}
	tests := []struct {
		desc string
		e    reload.Exception
		want *reload.Frame
	}{
		{"last frame", reload.Exception{Frames: []reload.Frame{outer, inner}}, &inner},
		{"syntax error wins over frames", reload.Exception{Frames: []reload.Frame{outer}, Syntax: &syntax}, &syntax},
		{"neither", reload.Exception{}, nil},
	}
	for _, tt := range tests {
		got := tt.e.Innermost()
		switch {
		case got == nil && tt.want == nil:
		case got == nil || tt.want == nil || *got != *tt.want:
			t.Errorf("%s: Innermost() = %+v, want %+v", tt.desc, got, tt.want)
		}
	}
}

func TestResultOK(t *testing.T) {
	t.Parallel()
	tests := []struct {
		desc string
		r    reload.Result
		want bool
	}{
		{"ran to the end", reload.Result{}, true},
		{"raised", reload.Result{Exception: &reload.Exception{Type: "ValueError"}}, false},
		{"runtime died", reload.Result{Err: errors.New("exited")}, false},
	}
	for _, tt := range tests {
		if got := tt.r.OK(); got != tt.want {
			t.Errorf("%s: OK() = %v, want %v", tt.desc, got, tt.want)
		}
	}
}

func TestResultRan(t *testing.T) {
	t.Parallel()
	tests := []struct {
		desc string
		r    reload.Result
		want string
	}{
		{"the module the file is", reload.Result{Module: "utils", Reloaded: []string{"utils", "main"}}, "utils"},
		{"loaded by user code under another name", reload.Result{Module: "utils", Reloaded: []string{"app.utils", "app.main"}}, "app.utils"},
		{"a program's script", reload.Result{Module: "game", Reloaded: []string{"__main__"}}, "game"},
		{"nothing ran", reload.Result{Module: "utils"}, "utils"},
	}
	for _, tt := range tests {
		if got := tt.r.Ran(); got != tt.want {
			t.Errorf("%s: Ran() = %q, want %q", tt.desc, got, tt.want)
		}
	}
}
