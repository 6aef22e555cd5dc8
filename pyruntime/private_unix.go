//go:build unix

package pyruntime

import (
	"fmt"
	"os"
	"syscall"
)

// checkPrivate returns an error unless path belongs to the user and no one
// else may read or write it: a socket others can connect to, or a token
// others can read, would let them run code as the user.
func checkPrivate(path string) error {
	info, err := os.Lstat(path)
	if err != nil {
		return err
	}
	if st, ok := info.Sys().(*syscall.Stat_t); ok && int(st.Uid) != os.Getuid() {
		return fmt.Errorf("%s belongs to user %d, not to you (%d): refusing it", path, st.Uid, os.Getuid())
	}
	if perm := info.Mode().Perm(); perm&0o077 != 0 {
		return fmt.Errorf("%s is open to other users (mode %#o): refusing it; only its owner may use it (chmod 600)", path, perm)
	}
	return nil
}
