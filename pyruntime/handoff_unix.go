//go:build unix

package pyruntime

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// handoff is the socket pair over which a zygote on this machine hands the
// server each worker's end of its channel (SCM_RIGHTS), so that a
// worker's lines go straight between it and the server, not through the
// zygote's relay: a relayed line waits for the zygote to wake and copy it,
// which after an idle pause costs more than the trivial save it carries.
//
// The zygote gets the other end as its fd 3 and proves it is ours by the
// token sent on it first, which the setup request names too: a Python
// behind ssh or docker has no such fd, or an fd 3 of its own, and then
// relays as before.
type handoff struct {
	token  string
	mine   *net.UnixConn
	theirs *os.File // the zygote's end, closed here once it is started
}

// newHandoff makes the pair, with the token waiting on the zygote's end.
func newHandoff() (*handoff, error) {
	// Under ForkLock, as the os package makes its own: a process started
	// meanwhile must not inherit them.
	syscall.ForkLock.RLock()
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_DGRAM, 0)
	if err == nil {
		unix.CloseOnExec(fds[0])
		unix.CloseOnExec(fds[1])
	}
	syscall.ForkLock.RUnlock()
	if err != nil {
		return nil, fmt.Errorf("pyruntime: make the handoff socket: %w", err)
	}
	theirs := os.NewFile(uintptr(fds[1]), "hotload-handoff")
	file := os.NewFile(uintptr(fds[0]), "hotload-handoff")
	conn, err := net.FileConn(file)
	file.Close() // FileConn has its own copy
	if err != nil {
		theirs.Close()
		return nil, fmt.Errorf("pyruntime: make the handoff socket: %w", err)
	}
	secret := make([]byte, 16)
	_, _ = rand.Read(secret) // never fails (crypto/rand)
	h := &handoff{token: hex.EncodeToString(secret), mine: conn.(*net.UnixConn), theirs: theirs}
	if _, err := h.mine.Write([]byte(h.token + "\n")); err != nil {
		h.close()
		return nil, fmt.Errorf("pyruntime: make the handoff socket: %w", err)
	}
	return h, nil
}

// receive waits for the next worker's socket: its channel number and its
// end, as a file the caller owns.
func (h *handoff) receive() (int, *os.File, error) {
	buf := make([]byte, 64)
	oob := make([]byte, unix.CmsgSpace(4*4))           // room for a few fds; one is sent
	n, oobn, _, _, err := h.mine.ReadMsgUnix(buf, oob) // received fds are close-on-exec
	if err != nil {
		return 0, nil, err
	}
	var fds []int
	if msgs, err := unix.ParseSocketControlMessage(oob[:oobn]); err == nil {
		for _, m := range msgs {
			if got, err := unix.ParseUnixRights(&m); err == nil {
				fds = append(fds, got...)
			}
		}
	}
	ch, err := strconv.Atoi(strings.TrimSpace(string(buf[:n])))
	if err != nil || len(fds) != 1 {
		for _, fd := range fds {
			unix.Close(fd)
		}
		return 0, nil, fmt.Errorf("pyruntime: the zygote handed over %q with %d descriptors, want a worker number and one", buf[:n], len(fds))
	}
	return ch, os.NewFile(uintptr(fds[0]), "hotload-worker-"+strconv.Itoa(ch)), nil
}

// zygoteEnd is the file the zygote gets as fd 3.
func (h *handoff) zygoteEnd() *os.File { return h.theirs }

// started closes the zygote's end here once the zygote has its own copy.
func (h *handoff) started() { h.theirs.Close() }

// close ends the pair; a receive waiting returns an error.
func (h *handoff) close() {
	h.mine.Close()
	h.theirs.Close()
}
