package main

import (
	"slices"
	"testing"
)

func TestWatchSetMatches(t *testing.T) {
	t.Parallel()
	tree := newWatchSet("/p", "/p/lib.py", nil)
	list := newWatchSet("/p", "/p/lib.py", []string{"/p/lib.py", "/q/data.csv", "/p/./sub/../other.py"})
	withoutFile := newWatchSet("/p", "/p/lib.py", []string{"/q/data.csv"})
	for _, tt := range []struct {
		set  watchSet
		path string
		want bool
	}{
		{tree, "/p/lib.py", true},
		{tree, "/p/pkg/mod.py", true},
		{tree, "/p/notes.txt", false},
		{tree, "/p/lib.py~", false},
		{tree, "/p/.#lib.py", false},
		{tree, "/p/.venv/lib/site.py", false},
		{tree, "/p/venv/x.py", false},
		{tree, "/p/pkg/__pycache__/mod.py", false},
		{tree, "/p/web/node_modules/x.py", false},
		{tree, "/p/.git/hook.py", false},
		{tree, "/elsewhere/lib.py", false},
		{list, "/p/lib.py", true},
		{list, "/p/other.py", true},
		{list, "/q/data.csv", true},
		{list, "/p/unlisted.py", false},
		{list, "/p/pkg/lib.py", false},
		{withoutFile, "/q/data.csv", true},
		{withoutFile, "/p/lib.py", true}, // FILE itself, though not listed
		{withoutFile, "/p/other.py", false},
	} {
		if got := tt.set.Matches(tt.path); got != tt.want {
			t.Errorf("%+v.Matches(%q) = %v, want %v", tt.set, tt.path, got, tt.want)
		}
	}
	if got, want := list.ListDirs(), []string{"/p", "/q"}; !slices.Equal(got, want) {
		t.Errorf("ListDirs() = %q, want %q", got, want)
	}
	if got := tree.ListDirs(); got != nil {
		t.Errorf("ListDirs() of a tree = %q, want nil", got)
	}
}
