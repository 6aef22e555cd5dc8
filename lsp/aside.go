package lsp

import (
	"context"
	"fmt"
	"strings"

	"go.lsp.dev/protocol"

	"github.com/hotload-dev/hotload/reload"
)

// logSetAside tells the log which modules a run set aside: the run's file
// is in a folder that has modules of their names, and imports those, as
// `python b/main.py` imports b/tool.py. Nothing is wrong, so it is not
// shown: the modules keep their state, and come back when a file of their
// folder is saved or evaluated.
func (s *server) logSetAside(ctx context.Context, res *reload.Result) {
	if len(res.SetAside) == 0 {
		return
	}
	files := make([]string, len(res.SetAside))
	for i, f := range res.SetAside {
		files[i] = s.relative(f)
	}
	s.log(ctx, protocol.MessageTypeInfo, fmt.Sprintf(
		"%s: set aside %s: the folder of %s has modules of the same names, which its files import, as a fresh run "+
			"of them would; they keep their state, and come back when a file of their folder is saved or evaluated",
		res.Module, strings.Join(files, ", "), s.relative(res.Path)))
}
