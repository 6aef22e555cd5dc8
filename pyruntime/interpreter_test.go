package pyruntime

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestFindPython(t *testing.T) {
	t.Parallel()
	python3, err := exec.LookPath("python3")
	if err != nil {
		t.Fatal("python3 must be on PATH for the tests")
	}
	venv := t.TempDir()
	venvPython := filepath.Join(venv, "bin", "python")
	ws := t.TempDir()
	wsDotVenv := filepath.Join(ws, ".venv", "bin", "python")
	for _, p := range []string{venvPython, wsDotVenv} {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("#!/bin/sh\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	empty := t.TempDir()
	tests := []struct {
		name      string
		setting   []string
		workspace string
		env       map[string]string
		want      []string
		wantErr   string
	}{
		{"setting wins", []string{python3, "-X", "dev"}, ws, map[string]string{"VIRTUAL_ENV": venv}, []string{python3, "-X", "dev"}, ""},
		{"setting found on PATH", []string{"python3"}, "", nil, []string{"python3"}, ""},
		{"missing setting is an error, not a fallback", []string{"/no/such/python"}, ws, nil, nil, `setting python "/no/such/python"`},
		{"relative setting is the workspace's", []string{".venv/bin/python"}, ws, nil, []string{wsDotVenv}, ""},
		{"VIRTUAL_ENV", nil, ws, map[string]string{"VIRTUAL_ENV": venv}, []string{venvPython}, ""},
		{"workspace .venv", nil, ws, nil, []string{wsDotVenv}, ""},
		{"python3 on PATH", nil, empty, nil, []string{python3}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := FindPython(tt.setting, tt.workspace, func(k string) string { return tt.env[k] })
			if tt.wantErr != "" {
				var nf *NotFoundError
				if !errors.As(err, &nf) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("FindPython error = %v, want *NotFoundError containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("FindPython(%q, %q) = %q, %v; want %q", tt.setting, tt.workspace, got, err, tt.want)
			}
		})
	}
}

func TestFindPythonNamesEverythingTried(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	ws := t.TempDir()
	_, err := FindPython(nil, ws, func(string) string { return "" })
	want := []string{"$VIRTUAL_ENV (not set)", filepath.Join(ws, ".venv", "bin", "python"), filepath.Join(ws, "venv", "bin", "python"), "python3 on PATH"}
	for _, w := range want {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("error %v does not name %q", err, w)
		}
	}
}
