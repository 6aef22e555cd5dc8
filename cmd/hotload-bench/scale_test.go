package main

import (
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// importsOf returns the modules of big/ that a generated file imports, read
// from its text as the runtime does: the from-import line.
func importsOf(t *testing.T, source string) []string {
	t.Helper()
	for line := range strings.Lines(source) {
		if rest, ok := strings.CutPrefix(line, "from big import "); ok {
			return strings.Split(strings.TrimSpace(rest), ", ")
		}
	}
	return nil
}

func TestScaleWorkspace(t *testing.T) {
	const n, importers = 500, 100
	dir := t.TempDir()
	g := newScaleGraph(n, importers)
	if err := g.write(dir); err != nil {
		t.Fatal(err)
	}
	// The graph as the files state it: module name → the names it imports.
	imports := make(map[string][]string)
	for i := range n {
		name := strings.TrimPrefix(scaleModule(i), "big.")
		data, err := os.ReadFile(filepath.Join(dir, "big", name+".py"))
		if err != nil {
			t.Fatal(err)
		}
		imports[name] = importsOf(t, string(data))
	}
	importedBy := make(map[string][]string)
	for name, targets := range imports {
		for _, target := range targets {
			if _, ok := imports[target]; !ok && target != "core" {
				t.Errorf("%s imports %s, which was not generated", name, target)
			}
			importedBy[target] = append(importedBy[target], name)
		}
	}
	if got := len(importedBy["core"]); got != importers {
		t.Errorf("%d modules import core, want %d", got, importers)
	}
	// Saving core re-runs its importers, theirs, and so on: exactly the direct ones.
	rerun := map[string]bool{}
	todo := []string{"core"}
	for len(todo) > 0 {
		m := todo[len(todo)-1]
		todo = todo[:len(todo)-1]
		for _, importer := range importedBy[m] {
			if !rerun[importer] {
				rerun[importer] = true
				todo = append(todo, importer)
			}
		}
	}
	if len(rerun) != importers {
		t.Errorf("saving core re-runs %d modules besides core, want %d", len(rerun), importers)
	}
	var direct []string
	for _, i := range g.coreImporters() {
		direct = append(direct, strings.TrimPrefix(scaleModule(i), "big."))
	}
	if got := slices.Sorted(maps.Keys(rerun)); !slices.Equal(got, direct) {
		t.Errorf("re-run set %v, want coreImporters %v", got, direct)
	}
	if cycle := findCycle(imports); cycle != nil {
		t.Errorf("import cycle %v", cycle)
	}
	// Old timestamps, so the runtime trusts its parse of each file.
	info, err := os.Stat(filepath.Join(dir, "big", "m123.py"))
	if err != nil {
		t.Fatal(err)
	}
	if age := time.Since(info.ModTime()); age < time.Minute {
		t.Errorf("m123.py was modified %v ago, want it set in the past", age)
	}
}

// findCycle returns a cycle of the graph, or nil if it has none.
func findCycle(graph map[string][]string) []string {
	const (
		unseen = iota
		onPath
		done
	)
	state := make(map[string]int)
	var path []string
	var visit func(string) []string
	visit = func(m string) []string {
		switch state[m] {
		case onPath:
			return append(slices.Clone(path), m)
		case done:
			return nil
		}
		state[m] = onPath
		path = append(path, m)
		for _, next := range graph[m] {
			if c := visit(next); c != nil {
				return c
			}
		}
		path = path[:len(path)-1]
		state[m] = done
		return nil
	}
	for _, m := range slices.Sorted(maps.Keys(graph)) {
		if c := visit(m); c != nil {
			return c
		}
	}
	return nil
}

func TestFindCycle(t *testing.T) {
	if c := findCycle(map[string][]string{"a": {"b"}, "b": {"c"}, "c": {"a"}}); len(c) == 0 {
		t.Error("findCycle(a→b→c→a) = nil, want the cycle")
	}
	if c := findCycle(map[string][]string{"a": {"b", "c"}, "b": {"c"}}); c != nil {
		t.Errorf("findCycle(a DAG) = %v, want nil", c)
	}
}

func TestNewScaleGraphIsStable(t *testing.T) {
	a, b := newScaleGraph(50, 10), newScaleGraph(50, 10)
	for i := range a.Imports {
		if !slices.Equal(a.Imports[i], b.Imports[i]) || a.ImportsCore[i] != b.ImportsCore[i] {
			t.Fatalf("module %d differs between two graphs of the same size", i)
		}
	}
}

// TestScaleSourcesRun imports the generated package with Python, if there
// is one: a mistake in the sources would otherwise only show in the full
// benchmark.
func TestScaleSourcesRun(t *testing.T) {
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("no python3 on PATH")
	}
	dir := t.TempDir()
	if err := newScaleGraph(20, 4).write(dir); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(python, "-B", "-c", "import big.all, big.core, sys; print(len([m for m in sys.modules if m.startswith('big.m')]))")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("importing big.all: %v\n%s", err, out)
	}
	if got := strings.TrimSpace(string(out)); got != "20" {
		t.Errorf("big.all imported %s modules, want 20", got)
	}
}
