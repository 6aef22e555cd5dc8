package reload

import (
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"
	"go.uber.org/zap"
)

// DataQuiet is how long the data files must stay unchanged before the
// modules that read them run again: an editor's save is several writes a
// few milliseconds apart (a truncate then a write, or a new file renamed
// over the old one after a backup), and one run should see the last.
// 50 ms is longer than those gaps and well below what a user notices.
const DataQuiet = 50 * time.Millisecond

// DataRead is what one module's run read: the files it opened for
// reading as it ran (not Python code), under the workspace folders.
type DataRead struct {
	Module string
	File   string   // the module's file
	Data   []string // absolute paths, sorted; empty: it reads none now
}

// dataFiles keeps which modules' runs read which data files, watches the
// folders of those files, and reports the readers of the files that
// changed once they are quiet. Its methods are safe for concurrent use.
type dataFiles struct {
	// newWatcher starts the watcher, on the first data file.
	newWatcher func() (Watcher, error)
	// changed receives {reader module's file: the data files of it that
	// changed, sorted}, from the watcher's goroutine.
	changed func(map[string][]string)
	logger  *zap.Logger

	mu      sync.Mutex          // guards the fields below
	watcher Watcher             // nil until the first data file
	failed  bool                // newWatcher failed: nothing is watched
	closed  bool                // close was called: nothing more is watched
	loop    chan struct{}       // closed when the watcher's goroutine ends
	reads   map[string]DataRead // by module: what its last run read, never empty
	dirs    map[string]bool     // the folders watched
	pending map[string]bool     // data files changed and not yet reported
	timer   *time.Timer         // reports pending after DataQuiet; nil before the first change
}

func newDataFiles(newWatcher func() (Watcher, error), changed func(map[string][]string), logger *zap.Logger) *dataFiles {
	return &dataFiles{
		newWatcher: newWatcher, changed: changed, logger: logger,
		reads: make(map[string]DataRead), dirs: make(map[string]bool), pending: make(map[string]bool),
	}
}

// update takes what the modules of a run that stood read: each replaces
// what that module's previous run read. It watches the folders of the
// files read now and stops watching those no module reads from any more.
func (d *dataFiles) update(reads []DataRead) {
	if len(reads) == 0 {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, r := range reads {
		if len(r.Data) == 0 {
			delete(d.reads, r.Module)
		} else {
			d.reads[r.Module] = r
		}
	}
	d.watchLocked()
}

// reset forgets every module's reads: a new runtime has run nothing.
func (d *dataFiles) reset() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.reads) == 0 {
		return
	}
	clear(d.reads)
	clear(d.pending)
	d.watchLocked()
}

// watchLocked makes the folders watched those of the data files read
// that exist here. The caller holds mu.
func (d *dataFiles) watchLocked() {
	want := make(map[string]bool)
	for _, r := range d.reads {
		for _, file := range r.Data {
			if info, err := os.Stat(file); err == nil && info.Mode().IsRegular() {
				want[filepath.Dir(file)] = true
			}
		}
	}
	if len(want) > 0 && d.watcher == nil && !d.failed && !d.closed {
		w, err := d.newWatcher()
		if err != nil {
			d.failed = true
			d.logger.Warn("data files are not watched", zap.Error(err))
			return
		}
		d.watcher, d.loop = w, make(chan struct{})
		go d.watch(w, d.loop)
	}
	if d.watcher == nil || d.closed {
		return
	}
	for dir := range d.dirs {
		if !want[dir] {
			if err := d.watcher.Remove(dir); err != nil {
				d.logger.Debug("unwatch", zap.String("dir", dir), zap.Error(err)) // gone with the folder
			}
			delete(d.dirs, dir)
		}
	}
	for _, dir := range slices.Sorted(maps.Keys(want)) {
		if d.dirs[dir] {
			continue
		}
		if err := d.watcher.Add(dir); err != nil {
			d.logger.Warn("watch data files", zap.String("dir", dir), zap.Error(err))
			continue
		}
		d.dirs[dir] = true
	}
}

// watch takes the watcher's events until it is closed: a write, a new
// file (one renamed over it), a rename or removal of a data file that a
// module reads counts as a change of it.
func (d *dataFiles) watch(w Watcher, done chan struct{}) {
	defer close(done)
	for ev := range w.Events() {
		if !ev.Has(fsnotify.Write) && !ev.Has(fsnotify.Create) && !ev.Has(fsnotify.Rename) && !ev.Has(fsnotify.Remove) {
			continue
		}
		file := filepath.Clean(ev.Name)
		d.mu.Lock()
		if len(d.readersLocked([]string{file})) > 0 && !d.closed {
			d.pending[file] = true
			if d.timer == nil {
				d.timer = time.AfterFunc(DataQuiet, d.report)
			} else {
				d.timer.Reset(DataQuiet)
			}
		}
		d.mu.Unlock()
	}
}

// report hands the readers of the pending files to changed.
func (d *dataFiles) report() {
	d.mu.Lock()
	files := slices.Sorted(maps.Keys(d.pending))
	clear(d.pending)
	readers := d.readersLocked(files)
	closed := d.closed
	d.mu.Unlock()
	if len(readers) > 0 && !closed {
		d.changed(readers)
	}
}

// readersLocked returns {reader's file: those of files it reads}. The
// caller holds mu.
func (d *dataFiles) readersLocked(files []string) map[string][]string {
	readers := make(map[string][]string)
	for _, r := range d.reads {
		for _, file := range files {
			if _, found := slices.BinarySearch(r.Data, file); found && !slices.Contains(readers[r.File], file) {
				readers[r.File] = append(readers[r.File], file)
			}
		}
	}
	return readers
}

// close stops watching and waits for the watcher's goroutine: no change
// that comes later is reported.
func (d *dataFiles) close() {
	d.mu.Lock()
	d.closed = true
	w, loop := d.watcher, d.loop
	if d.timer != nil {
		d.timer.Stop()
	}
	d.mu.Unlock()
	if w == nil {
		return
	}
	if err := w.Close(); err != nil {
		d.logger.Debug("close the data files' watcher", zap.Error(err))
	}
	<-loop
}
