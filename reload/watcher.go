package reload

import (
	"fmt"

	"github.com/fsnotify/fsnotify"
	"go.uber.org/zap"
)

// Watcher reports changes to the files of the folders it watches. It
// watches folders, not files: many editors save by writing a new file and
// renaming it over the old one, which ends a watch on the old file, while
// the folder's watch sees the new file arrive (Create). NewFSWatcher's is
// fsnotify's; tests use a fake.
type Watcher interface {
	// Add watches the folder dir.
	Add(dir string) error
	// Remove stops watching the folder dir.
	Remove(dir string) error
	// Events receives the changes; Close closes it.
	Events() <-chan fsnotify.Event
	// Close stops watching.
	Close() error
}

// NewFSWatcher returns a Watcher that uses the operating system's file
// notifications (fsnotify). The errors it reports are logged; logger must
// not be nil.
func NewFSWatcher(logger *zap.Logger) (Watcher, error) {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, fmt.Errorf("reload: watch data files: %w", err)
	}
	go func() {
		// Read, or fsnotify blocks; it closes Errors on Close.
		for err := range w.Errors {
			logger.Warn("watch data files", zap.Error(err))
		}
	}()
	return fsWatcher{w}, nil
}

type fsWatcher struct{ *fsnotify.Watcher }

func (w fsWatcher) Events() <-chan fsnotify.Event { return w.Watcher.Events }
