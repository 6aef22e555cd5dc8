package pyruntime

import (
	"errors"
	"os"
)

// handoff would carry workers' sockets from the zygote, but Windows has no
// zygote (Python cannot fork there): newHandoff gives none.
type handoff struct{ token string }

func newHandoff() (*handoff, error) { return nil, nil }

func (h *handoff) receive() (int, *os.File, error) {
	return 0, nil, errors.New("pyruntime: no handoff on Windows")
}

func (h *handoff) zygoteEnd() *os.File { return nil }
func (h *handoff) started()            {}
func (h *handoff) close()              {}
