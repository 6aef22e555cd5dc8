package reload

import (
	"maps"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"
	"go.uber.org/zap"

	"github.com/hotload-dev/hotload/pyruntime"
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

// dataReads converts the runtime's reports of what modules read.
func dataReads(reads []pyruntime.DataRead) []DataRead {
	var out []DataRead
	for _, r := range reads {
		out = append(out, DataRead{Module: r.Module, File: r.File, Data: slices.Sorted(slices.Values(r.Data))})
	}
	return out
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
	// roots are the workspace folders: a folder gone is never stood in
	// for by a folder above the one it is in. None: the filesystem root.
	roots  []string
	logger *zap.Logger

	mu      sync.Mutex          // guards the fields below
	watcher Watcher             // nil until the first data file
	failed  bool                // newWatcher failed: nothing is watched
	closed  bool                // close was called: nothing more is watched
	loop    chan struct{}       // closed when the watcher's goroutine ends
	reads   map[string]DataRead // by module: what its last run read, never empty
	dirs    map[string]bool     // the folders watched
	// gone holds the folders of data files read that were removed or
	// renamed away since (`rm -rf data`): the watch of a folder ends with
	// it, so the nearest of its ancestors that exists is watched instead,
	// until the folder is made again.
	gone    map[string]bool
	pending map[string]bool // data files changed and not yet reported
	timer   *time.Timer     // reports pending after DataQuiet; nil before the first change
}

func newDataFiles(newWatcher func() (Watcher, error), changed func(map[string][]string), roots []string, logger *zap.Logger) *dataFiles {
	return &dataFiles{
		newWatcher: newWatcher, changed: changed, roots: roots, logger: logger,
		reads: make(map[string]DataRead), dirs: make(map[string]bool), gone: make(map[string]bool),
		pending: make(map[string]bool),
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
	clear(d.gone)
	d.watchLocked()
}

// watchLocked makes the folders watched those of the data files read
// that exist here and, for each folder gone, the nearest of its
// ancestors that exists. It returns the folders gone that exist again:
// they are watched now, and no longer gone. The caller holds mu.
func (d *dataFiles) watchLocked() (back []string) {
	want := make(map[string]bool)
	read := make(map[string]bool) // the folders of every data file read
	for _, r := range d.reads {
		for _, file := range r.Data {
			read[filepath.Dir(file)] = true
			if isFile(file) {
				want[filepath.Dir(file)] = true
			}
		}
	}
	for dir := range d.gone {
		if !read[dir] {
			delete(d.gone, dir) // no module reads from it now
		}
	}
	if (len(want) > 0 || len(d.gone) > 0) && d.watcher == nil && !d.failed && !d.closed {
		w, err := d.newWatcher()
		if err != nil {
			d.failed = true
			d.logger.Warn("data files are not watched", zap.Error(err))
			return nil
		}
		d.watcher, d.loop = w, make(chan struct{})
		go d.watch(w, d.loop)
	}
	if d.watcher == nil || d.closed {
		return nil
	}
	// A folder made between the look for it and the watch of its
	// parent sends the parent no event: look again once it is watched.
	// `mkdir -p` makes every folder of a path before a second look, so
	// a few looks are enough.
	for range 3 {
		dirs := maps.Clone(want)
		for dir := range d.gone {
			if in := d.standInLocked(dir); in != "" {
				dirs[in] = true
			}
		}
		d.watchOnlyLocked(dirs)
		moved := false
		for dir := range d.gone {
			if in := d.standInLocked(dir); in != "" && !dirs[in] {
				moved = true
			}
		}
		if !moved {
			break
		}
	}
	for _, dir := range slices.Sorted(maps.Keys(d.gone)) {
		if d.dirs[dir] {
			delete(d.gone, dir)
			back = append(back, dir)
		}
	}
	return back
}

// watchOnlyLocked makes the folders watched dirs. The caller holds mu.
func (d *dataFiles) watchOnlyLocked(dirs map[string]bool) {
	for dir := range d.dirs {
		if !dirs[dir] {
			if err := d.watcher.Remove(dir); err != nil {
				d.logger.Debug("unwatch", zap.String("dir", dir), zap.Error(err)) // gone with the folder
			}
			delete(d.dirs, dir)
		}
	}
	for _, dir := range slices.Sorted(maps.Keys(dirs)) {
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

// standInLocked returns the folder to watch for dir, a folder gone: the
// nearest of dir and its ancestors that exists, not above the workspace
// folder dir is in (else the filesystem root); "" if none exists. The
// caller holds mu.
func (d *dataFiles) standInLocked(dir string) string {
	top := ""
	for _, root := range d.roots {
		if within(dir, root) && (top == "" || len(root) < len(top)) {
			top = root
		}
	}
	for {
		if isDir(dir) {
			return dir
		}
		parent := filepath.Dir(dir)
		if dir == top || parent == dir {
			return ""
		}
		dir = parent
	}
}

// watch takes the watcher's events until it is closed: a write, a new
// file (one renamed over it), a rename or removal of a data file that a
// module reads counts as a change of it. A folder of data files removed
// or renamed away is watched through its nearest ancestor, and once it
// is made again, the data files in it count as changed.
func (d *dataFiles) watch(w Watcher, done chan struct{}) {
	defer close(done)
	for ev := range w.Events() {
		if !ev.Has(fsnotify.Write) && !ev.Has(fsnotify.Create) && !ev.Has(fsnotify.Rename) && !ev.Has(fsnotify.Remove) {
			continue
		}
		path := filepath.Clean(ev.Name)
		d.mu.Lock()
		if d.closed {
			d.mu.Unlock()
			continue
		}
		var changed []string
		if len(d.readersLocked([]string{path})) > 0 {
			changed = append(changed, path)
		}
		var back []string
		if ev.Has(fsnotify.Remove) || ev.Has(fsnotify.Rename) {
			back = d.goneLocked(path)
		}
		if ev.Has(fsnotify.Create) && d.awaitedLocked(path) {
			back = append(back, d.watchLocked()...)
		}
		for _, dir := range back {
			changed = append(changed, d.filesInLocked(dir)...)
		}
		for _, file := range changed {
			d.pending[file] = true
		}
		if len(changed) > 0 {
			if d.timer == nil {
				d.timer = time.AfterFunc(DataQuiet, d.report)
			} else {
				d.timer.Reset(DataQuiet)
			}
		}
		d.mu.Unlock()
	}
}

// goneLocked takes the removal or renaming away of path. If it was a
// folder of data files read, or held one, those folders are gone: their
// watches ended with them (inotify ends a watch with its folder), and
// their nearest ancestors that exist are watched instead. Made again
// already, they are watched again at once, and returned (see
// watchLocked). The caller holds mu.
func (d *dataFiles) goneLocked(path string) []string {
	found := false
	for _, r := range d.reads {
		for _, file := range r.Data {
			if dir := filepath.Dir(file); within(dir, path) {
				d.gone[dir] = true
				found = true
			}
		}
	}
	if !found {
		return nil
	}
	for dir := range d.dirs {
		if within(dir, path) {
			if err := d.watcher.Remove(dir); err != nil {
				d.logger.Debug("unwatch", zap.String("dir", dir), zap.Error(err)) // ended with the folder
			}
			delete(d.dirs, dir)
		}
	}
	return d.watchLocked()
}

// awaitedLocked reports whether path, just made, is a folder gone or one
// of their ancestors. The caller holds mu.
func (d *dataFiles) awaitedLocked(path string) bool {
	for dir := range d.gone {
		if within(dir, path) {
			return true
		}
	}
	return false
}

// filesInLocked returns the data files read in the folder dir that
// exist. The caller holds mu.
func (d *dataFiles) filesInLocked(dir string) []string {
	var files []string
	for _, r := range d.reads {
		for _, file := range r.Data {
			if filepath.Dir(file) != dir || slices.Contains(files, file) {
				continue
			}
			if isFile(file) {
				files = append(files, file)
			}
		}
	}
	return files
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
