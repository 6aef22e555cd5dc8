package main

import (
	"context"
	"fmt"
)

// coreBodySource is big/core.py with VALUE = value and the body of scaled
// edited (edit k adds k): an edit that changes no name the importers use,
// so that a reload need not run them again (issue 11). Its value is
// scaled(1), which shows the new body ran.
func coreBodySource(value, k int) string {
	return fmt.Sprintf("\"\"\"core, imported by many modules of big/; hotload-bench edits VALUE.\"\"\"\n\nVALUE = %d\n\n\ndef scaled(x):\n    return x * VALUE + %d\n\n\nscaled(1)\n", value, k)
}

// measureScaleBodyEdit saves core.py scaleSaves+1 times with a new body of
// scaled (the first is not counted: it also changes core's last line) and
// returns didSave → showMessage, and how many importers the last save ran
// again.
func measureScaleBodyEdit(ctx context.Context, s *session, value int) (SaveStats, int, error) {
	var samples saveSamples
	rerun := 0
	for k := 1; k <= scaleSaves+1; k++ {
		took, msg, err := saveAndAwait(ctx, s, "big/core.py", coreBodySource(value, k), fmt.Sprint(value+k))
		if err != nil {
			return SaveStats{}, 0, fmt.Errorf("save core with a new body of scaled: %w", err)
		}
		rerun = len(rerunModules(msg))
		if k == 1 {
			continue
		}
		if err := samples.add(took, msg); err != nil {
			return SaveStats{}, 0, fmt.Errorf("save core with a new body of scaled: %w", err)
		}
	}
	return samples.stats(), rerun, nil
}
