package reload

import (
	"fmt"
	"strings"
	"testing"
)

// manyMiB is the large output of the tests: 100 MiB, or 24 under the race
// detector, which slows them tenfold; either is far beyond the bounds.
var manyMiB = map[bool]int{false: 100, true: 24}[raceEnabled]

func TestRunOutputKeepsStartAndEndWithinBounds(t *testing.T) {
	t.Parallel()
	const half = keptOutput / 2
	tests := []struct {
		name   string
		writes []string
		// want is the kept text; for cut output, the test checks its parts.
		want        string
		wantCut     bool
		wantDropped string // the size the note names, for cut output
	}{
		{"nothing", nil, "", false, ""},
		{"a little", []string{"a\n", "b\n"}, "a\nb\n", false, ""},
		{"exactly the bound", []string{strings.Repeat("h", half), strings.Repeat("t", half)}, strings.Repeat("h", half) + strings.Repeat("t", half), false, ""},
		{"one byte over", []string{strings.Repeat("h", half), "x", strings.Repeat("t", half)}, "", true, "1 B"},
		{"many MiB in 1 KiB lines", repeat(strings.Repeat("y", 1023)+"\n", manyMiB<<10), "", true, fmt.Sprintf("%d.0 MiB", manyMiB-1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := newRunOutput(-1)
			var all strings.Builder
			for _, w := range tt.writes {
				o.add(w)
				all.WriteString(w)
			}
			got := o.text()
			if !tt.wantCut {
				if got != tt.want {
					t.Errorf("kept %d bytes, want all %d", len(got), len(tt.want))
				}
				return
			}
			full := all.String()
			head, rest, ok := strings.Cut(got, "\n[hotload: ")
			if !ok {
				t.Fatalf("no note in the kept output (%d bytes)", len(got))
			}
			note, tail, _ := strings.Cut(rest, "]\n")
			if head != full[:half] || tail != full[len(full)-half:] {
				t.Errorf("kept %d + %d bytes, want the first and last %d of the output", len(head), len(tail), half)
			}
			if !strings.HasPrefix(note, tt.wantDropped+" of output left out") {
				t.Errorf("note %q, want it to name %s left out", note, tt.wantDropped)
			}
			if len(got) > keptOutput+200 {
				t.Errorf("kept %d bytes, want about %d", len(got), keptOutput)
			}
		})
	}
}

func repeat(s string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = s
	}
	return out
}

func TestRunOutputStreamsUpToItsLimit(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		limit      int64
		writes     []string
		want       string // what is passed on, in total
		wantUnsent string // the note's start, "" for none
	}{
		{"no limit", -1, []string{"abc", "def"}, "abcdef", ""},
		{"within the limit", 10, []string{"abc", "def"}, "abcdef", ""},
		{"cut in a write", 4, []string{"abc", "def", "ghi"}, "abcd", "\n[hotload: output beyond the first 4 B not logged: 5 B more]"},
		{"not inside a character", 3, []string{"abé", "z"}, "ab", "\n[hotload: output beyond the first 2 B not logged: 3 B more]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := newRunOutput(tt.limit)
			var sent strings.Builder
			for _, w := range tt.writes {
				sent.WriteString(o.add(w))
			}
			if sent.String() != tt.want {
				t.Errorf("passed on %q, want %q", sent.String(), tt.want)
			}
			if note := o.unstreamed(); !strings.HasPrefix(note, tt.wantUnsent) || (tt.wantUnsent == "") != (note == "") {
				t.Errorf("note %q, want %q", note, tt.wantUnsent)
			}
		})
	}
}
