package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/fsnotify/fsnotify"
	"go.uber.org/zap"
)

// watcher reports changes to the files of a watchSet. It watches folders,
// not files, because many editors save by writing a new file and renaming
// it over the old one, which ends a watch on the old file.
type watcher struct {
	set    watchSet
	fs     *fsnotify.Watcher
	logger *zap.Logger
	// Files is how many files the set held when watching began.
	Files int
}

// newWatcher starts watching the folders of set: every folder under
// set.Root that skipDir does not rule out, or the folders of set.Files.
// logger must not be nil.
func newWatcher(set watchSet, logger *zap.Logger) (*watcher, error) {
	fsw, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, fmt.Errorf("watch files: %w", err)
	}
	w := &watcher{set: set, fs: fsw, logger: logger}
	if set.Files != nil {
		w.Files = len(set.Files)
		for _, dir := range set.ListDirs() {
			if err := fsw.Add(dir); err != nil {
				fsw.Close()
				return nil, fmt.Errorf("watch %s: %w", dir, err)
			}
		}
		return w, nil
	}
	if err := fsw.Add(set.Root); err != nil {
		fsw.Close()
		return nil, fmt.Errorf("watch %s: %w", set.Root, err)
	}
	w.Files = w.addTree(set.Root)
	return w, nil
}

// addTree watches the folders under dir (dir itself is watched already)
// and returns how many files of the set it holds. A folder that cannot be
// watched is logged and left out.
func (w *watcher) addTree(dir string) int {
	files := 0
	// WalkDir does not follow symbolic links, so a link loop cannot trap it.
	_ = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			w.logger.Warn("cannot read folder; not watching it", zap.String("path", path), zap.Error(err))
			return nil // WalkDir skips what it could not read
		case !d.IsDir():
			if w.set.Matches(path) {
				files++
			}
			return nil
		case path == dir:
			return nil
		case skipDir(d.Name()):
			return filepath.SkipDir
		}
		if err := w.fs.Add(path); err != nil {
			w.logger.Warn("cannot watch folder", zap.String("path", path), zap.Error(err))
			return filepath.SkipDir
		}
		return nil
	})
	return files
}

// Run sends on changed the path of each file of the set that is written,
// created or renamed, until ctx is done or the watcher is closed.
func (w *watcher) Run(ctx context.Context, changed chan<- string) {
	send := func(path string) {
		select {
		case changed <- path:
		case <-ctx.Done():
		}
	}
	for {
		select {
		case <-ctx.Done():
			return
		case ev, ok := <-w.fs.Events:
			if !ok {
				return
			}
			if w.set.Files == nil && ev.Has(fsnotify.Create) {
				if isDir, hasFiles := w.newFolder(ev.Name); isDir {
					if hasFiles {
						send(ev.Name)
					}
					continue
				}
			}
			if !ev.Has(fsnotify.Write) && !ev.Has(fsnotify.Create) && !ev.Has(fsnotify.Rename) {
				continue
			}
			if !w.set.Matches(ev.Name) {
				w.logger.Debug("ignoring change", zap.String("path", ev.Name), zap.Stringer("op", ev.Op))
				continue
			}
			w.logger.Debug("change", zap.String("path", ev.Name), zap.Stringer("op", ev.Op))
			send(ev.Name)
		case err, ok := <-w.fs.Errors:
			if !ok {
				return
			}
			if errors.Is(err, fsnotify.ErrEventOverflow) {
				// Events were lost, so a watched file may have changed.
				w.logger.Warn("too many changes at once; rerunning to be safe", zap.Error(err))
				send("")
				continue
			}
			w.logger.Warn("watching files", zap.Error(err))
		}
	}
}

// newFolder watches path and the folders under it if path is a folder,
// and reports whether it is one and whether it holds files of the set:
// those were created (or moved in) before the watch began, so they count
// as a change.
func (w *watcher) newFolder(path string) (isDir, hasFiles bool) {
	info, err := os.Lstat(path)
	if err != nil || !info.IsDir() {
		return false, false
	}
	if skipDir(info.Name()) {
		return true, false
	}
	if err := w.fs.Add(path); err != nil {
		w.logger.Warn("cannot watch folder", zap.String("path", path), zap.Error(err))
		return true, false
	}
	w.logger.Debug("watching new folder", zap.String("path", path))
	return true, w.addTree(path) > 0
}

// Close stops watching; Run returns.
func (w *watcher) Close() error { return w.fs.Close() }
