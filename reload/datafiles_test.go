package reload

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/fsnotify/fsnotify"
	"go.uber.org/zap"
)

// fakeWatcher is a Watcher whose events the test sends.
type fakeWatcher struct {
	events chan fsnotify.Event

	mu     sync.Mutex // guards the fields below
	dirs   map[string]bool
	closed bool
}

func newFakeWatcher() *fakeWatcher {
	return &fakeWatcher{events: make(chan fsnotify.Event), dirs: make(map[string]bool)}
}

func (w *fakeWatcher) Add(dir string) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.dirs[dir] = true
	return nil
}

func (w *fakeWatcher) Remove(dir string) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.dirs[dir] {
		return fmt.Errorf("remove %s: not watched", dir)
	}
	delete(w.dirs, dir)
	return nil
}

func (w *fakeWatcher) Events() <-chan fsnotify.Event { return w.events }

func (w *fakeWatcher) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.closed {
		w.closed = true
		close(w.events)
	}
	return nil
}

func (w *fakeWatcher) watched() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Sorted(maps.Keys(w.dirs))
}

// step is an event of the fake watcher, after a pause.
type step struct {
	after time.Duration
	op    fsnotify.Op
	file  string // base name, in the data folder
}

func TestDataFilesReportTheReadersOfChangedFilesOnceQuiet(t *testing.T) {
	tests := []struct {
		name  string
		steps []step
		want  []map[string][]string // reports, in order: reader's base name -> data files' base names
	}{
		{"a write runs its reader", []step{{0, fsnotify.Write, "settings.json"}},
			[]map[string][]string{{"config.py": {"settings.json"}}}},
		{"an editor's save, a rename then a new file then writes, runs it once", []step{
			{0, fsnotify.Rename, "settings.json"}, {2 * time.Millisecond, fsnotify.Create, "settings.json"},
			{time.Millisecond, fsnotify.Write, "settings.json"}, {time.Millisecond, fsnotify.Write, "settings.json"},
		}, []map[string][]string{{"config.py": {"settings.json"}}}},
		{"a file truncated then written runs it once", []step{
			{0, fsnotify.Write, "settings.json"}, {10 * time.Millisecond, fsnotify.Write, "settings.json"},
		}, []map[string][]string{{"config.py": {"settings.json"}}}},
		{"a removed file runs it, as a fresh run would fail", []step{{0, fsnotify.Remove, "settings.json"}},
			[]map[string][]string{{"config.py": {"settings.json"}}}},
		{"a change of mode is no change", []step{{0, fsnotify.Chmod, "settings.json"}}, nil},
		{"another file of the folder is no data", []step{{0, fsnotify.Write, "notes.txt"}}, nil},
		{"two files its run read, changed together, run it once", []step{
			{0, fsnotify.Write, "settings.json"}, {time.Millisecond, fsnotify.Write, "prompt.txt"},
		}, []map[string][]string{{"config.py": {"prompt.txt", "settings.json"}}}},
		{"a file two modules read runs both", []step{{0, fsnotify.Write, "shared.csv"}},
			[]map[string][]string{{"config.py": {"shared.csv"}, "report.py": {"shared.csv"}}}},
		{"changes further apart than the quiet run it twice", []step{
			{0, fsnotify.Write, "settings.json"}, {2 * DataQuiet, fsnotify.Write, "settings.json"},
		}, []map[string][]string{{"config.py": {"settings.json"}}, {"config.py": {"settings.json"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for _, name := range []string{"settings.json", "prompt.txt", "shared.csv", "notes.txt"} {
				if err := os.WriteFile(filepath.Join(dir, name), []byte("{}"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			synctest.Test(t, func(t *testing.T) {
				w := newFakeWatcher()
				var mu sync.Mutex
				var got []map[string][]string
				d := newDataFiles(func() (Watcher, error) { return w, nil }, func(readers map[string][]string) {
					mu.Lock()
					defer mu.Unlock()
					got = append(got, baseNames(readers))
				}, nil, zap.NewNop())
				defer d.close()
				in := func(name string) string { return filepath.Join(dir, name) }
				d.update([]DataRead{
					{Module: "config", File: in("config.py"), Data: []string{in("prompt.txt"), in("settings.json"), in("shared.csv")}},
					{Module: "report", File: in("report.py"), Data: []string{in("shared.csv")}},
				})
				for _, s := range tt.steps {
					time.Sleep(s.after)
					w.events <- fsnotify.Event{Name: in(s.file), Op: s.op}
				}
				time.Sleep(DataQuiet + time.Millisecond)
				synctest.Wait()
				mu.Lock()
				defer mu.Unlock()
				if !reflect.DeepEqual(got, tt.want) {
					t.Errorf("reports = %v, want %v", got, tt.want)
				}
			})
		})
	}
}

func baseNames(readers map[string][]string) map[string][]string {
	named := make(map[string][]string)
	for reader, files := range readers {
		for _, file := range files {
			named[filepath.Base(reader)] = append(named[filepath.Base(reader)], filepath.Base(file))
		}
	}
	return named
}

func TestDataFilesWatchTheFoldersOfWhatModulesReadNow(t *testing.T) {
	root := t.TempDir()
	a, b := filepath.Join(root, "a"), filepath.Join(root, "b")
	for _, dir := range []string{a, b} {
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "data.json"), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	w := newFakeWatcher()
	started := 0
	d := newDataFiles(func() (Watcher, error) { started++; return w, nil }, func(map[string][]string) {}, nil, zap.NewNop())
	steps := []struct {
		name  string
		do    func()
		want  []string
		close bool
	}{
		{"nothing read: no watcher", func() { d.update([]DataRead{{Module: "m", File: "m.py"}}) }, nil, false},
		{"a file read: its folder", func() {
			d.update([]DataRead{{Module: "m", File: "m.py", Data: []string{filepath.Join(a, "data.json")}}})
		}, []string{a}, false},
		{"a file that does not exist here: not watched", func() {
			d.update([]DataRead{{Module: "n", File: "n.py", Data: []string{filepath.Join(root, "gone", "x.json")}}})
		}, []string{a}, false},
		{"another module reads in another folder", func() {
			d.update([]DataRead{{Module: "o", File: "o.py", Data: []string{filepath.Join(b, "data.json")}}})
		}, []string{a, b}, false},
		{"a run that no longer reads its file: the folder goes", func() {
			d.update([]DataRead{{Module: "m", File: "m.py", Data: nil}})
		}, []string{b}, false},
		{"a new runtime: nothing is watched", d.reset, nil, false},
		{"close closes the watcher", d.close, nil, true},
	}
	for _, s := range steps {
		s.do()
		if got := w.watched(); !slices.Equal(got, s.want) {
			t.Errorf("%s: watched %v, want %v", s.name, got, s.want)
		}
		if w.closed != s.close {
			t.Errorf("%s: closed = %v, want %v", s.name, w.closed, s.close)
		}
	}
	if started != 1 {
		t.Errorf("watchers started = %d, want 1", started)
	}
}

// Regression: a folder of data files removed (`rm -rf data`) ended its
// watch, and nothing ran again once it was made again.
func TestDataFilesWatchAFolderMadeAgain(t *testing.T) {
	tests := []struct {
		name   string
		dir    string // the data file's folder, in the workspace
		remove string // the folder removed, the data file's or one above
		make   string // the first folder made again, whose Create the parent's watch sees
	}{
		{"the data file's folder", "data", "data", "data"},
		{"a folder above it", "data/sub", "data", "data"},
		{"the data file's folder, in one that stays", "data/sub", "data/sub", "data/sub"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			in := func(rel string) string { return filepath.Join(root, filepath.FromSlash(rel)) }
			settings := filepath.Join(in(tt.dir), "settings.json")
			write := func() {
				if err := os.MkdirAll(in(tt.dir), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(settings, []byte("{}"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			write()
			synctest.Test(t, func(t *testing.T) {
				w := newFakeWatcher()
				var mu sync.Mutex
				var got []map[string][]string
				d := newDataFiles(func() (Watcher, error) { return w, nil }, func(readers map[string][]string) {
					mu.Lock()
					defer mu.Unlock()
					got = append(got, baseNames(readers))
				}, []string{root}, zap.NewNop())
				defer d.close()
				d.update([]DataRead{{Module: "config", File: in("config.py"), Data: []string{settings}}})
				reports := func(step string, wantWatched []string, want int) {
					t.Helper()
					time.Sleep(DataQuiet + time.Millisecond)
					synctest.Wait()
					mu.Lock()
					defer mu.Unlock()
					if len(got) != want || want > 0 && !reflect.DeepEqual(got[want-1], map[string][]string{"config.py": {"settings.json"}}) {
						t.Errorf("%s: reports = %v, want %d of config.py's settings.json", step, got, want)
					}
					if watched := w.watched(); !slices.Equal(watched, wantWatched) {
						t.Errorf("%s: watched %v, want %v", step, watched, wantWatched)
					}
				}
				reports("read", []string{in(tt.dir)}, 0)

				// As inotify reports `rm -rf`: the file, then the folder's own watch ends.
				if err := os.RemoveAll(in(tt.remove)); err != nil {
					t.Fatal(err)
				}
				w.events <- fsnotify.Event{Name: settings, Op: fsnotify.Remove}
				w.events <- fsnotify.Event{Name: in(tt.dir), Op: fsnotify.Remove}
				reports("removed", []string{filepath.Dir(in(tt.remove))}, 1)

				// Made again at once, file and all: the watch of the
				// parent sees the first folder made, not the file.
				write()
				w.events <- fsnotify.Event{Name: in(tt.make), Op: fsnotify.Create}
				reports("made again", []string{in(tt.dir)}, 2)

				w.events <- fsnotify.Event{Name: settings, Op: fsnotify.Write}
				reports("written", []string{in(tt.dir)}, 3)
			})
		})
	}
}

func TestDataFilesStandInStopsAtTheWorkspaceFolder(t *testing.T) {
	root := t.TempDir()
	ws := filepath.Join(root, "ws")
	d := newDataFiles(nil, nil, []string{ws}, zap.NewNop())
	tests := []struct {
		dir, want string
	}{
		{filepath.Join(ws, "data", "sub"), ""}, // the workspace folder is gone too
		{filepath.Join(root, "elsewhere", "data"), root},
	}
	for _, tt := range tests {
		if got := d.standInLocked(tt.dir); got != tt.want {
			t.Errorf("standInLocked(%q) = %q, want %q", tt.dir, got, tt.want)
		}
	}
	if err := os.Mkdir(ws, 0o755); err != nil {
		t.Fatal(err)
	}
	if got := d.standInLocked(filepath.Join(ws, "data", "sub")); got != ws {
		t.Errorf("standInLocked(ws/data/sub) = %q, want %q", got, ws)
	}
}
