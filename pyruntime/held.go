package pyruntime

import (
	"maps"
	"os"
	"slices"

	"go.uber.org/zap"
)

// A zygote holds the workspace files its preloads imported as they were at
// its start (HoldsFile). A save of one renews it (RenewZygote, asked for by
// the engine); the functions here catch a change made outside the editor (a
// git checkout, a formatter run from the shell) before a start or a fresh
// run takes a worker of it: a restart must start as a fresh python would.

// noteOnDisk records in z the mtime this machine sees of each file z holds,
// where it is the one the interpreter saw once it had imported them: those
// files are then looked at before each start and fresh run. One seen
// otherwise is left out: a remote interpreter's file, whose mtime here says
// nothing of the interpreter's, or one changed during the start (missed, as
// a save during the start is).
func (r *Runtime) noteOnDisk(z *zygote) {
	for f, seen := range z.heldMtimes {
		local := r.paths.toLocal(f)
		if mtimeNow(local) != seen {
			continue
		}
		if z.onDisk == nil {
			z.onDisk = make(map[string]int64)
		}
		z.onDisk[local] = seen
	}
}

// changedHeld returns a file the current zygote holds that changed on this
// machine since the zygote imported it (its mtime differs, or it is gone),
// or "" if none did or there is no zygote.
func (r *Runtime) changedHeld() string {
	r.mu.Lock()
	var onDisk map[string]int64
	if r.zyg != nil {
		onDisk = maps.Clone(r.zyg.onDisk)
	}
	r.mu.Unlock()
	for _, local := range slices.Sorted(maps.Keys(onDisk)) {
		if mtimeNow(local) != onDisk[local] {
			return local
		}
	}
	return ""
}

// gone is the mtime noted of a held file that is not there.
const gone = -1

// mtimeNow returns the mtime (ns) of the file at path, or gone.
func mtimeNow(path string) int64 {
	info, err := os.Stat(path)
	if err != nil {
		return gone
	}
	return info.ModTime().UnixNano()
}

// renewIfHeldChanged renews the zygote, and waits for it, when a file it
// holds changed since it imported it; Config.OnRenewed hears the outcome.
// Call it once no renewal is under way (awaitRenewal): one that was has
// taken the files as they are for the new zygote, or, failing, for the old
// one (acceptOnDisk).
func (r *Runtime) renewIfHeldChanged() {
	path := r.changedHeld()
	if path == "" {
		return
	}
	r.logger.Info("a preloaded file changed on disk: renewing the zygote", zap.String("path", path))
	err := <-r.RenewZygote()
	if r.cfg.OnRenewed != nil {
		r.cfg.OnRenewed(path, err)
	}
}

// acceptOnDisk takes the mtimes this machine sees now of the files z holds
// for those it imported, so that they count as unchanged from now on: a
// renewal that failed keeps z, with the old files (the engine says so), and
// the next start must not try, and fail or hang, again until one changes
// again.
func (r *Runtime) acceptOnDisk(z *zygote) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for local := range z.onDisk {
		z.onDisk[local] = mtimeNow(local)
	}
}
