package lsp

import (
	"fmt"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"go.lsp.dev/protocol"
)

// rangeText returns the text of r (UTF-16 positions) in text.
func rangeText(text string, r protocol.Range) (string, error) {
	start, err := offset(text, r.Start)
	if err != nil {
		return "", err
	}
	end, err := offset(text, r.End)
	if err != nil {
		return "", err
	}
	if end < start {
		return "", fmt.Errorf("range ends before it starts")
	}
	return text[start:end], nil
}

// offset converts a position to a byte offset in text. A character past the
// end of its line means the end of the line, as LSP clients expect.
func offset(text string, p protocol.Position) (int, error) {
	off := 0
	for line := uint32(0); line < p.Line; line++ {
		i := strings.IndexByte(text[off:], '\n')
		if i < 0 {
			return 0, fmt.Errorf("line %d is past the end of the document", p.Line+1)
		}
		off += i + 1
	}
	units := uint32(0)
	for units < p.Character && off < len(text) && text[off] != '\n' {
		r, size := utf8.DecodeRuneInString(text[off:])
		units += uint32(utf16.RuneLen(r))
		off += size
	}
	return off, nil
}

// dedent removes the indentation all non-blank lines share, so a block
// selected from inside a function runs at top level. It returns the code and
// the indentation it removed.
func dedent(code string) (string, string) {
	lines := strings.Split(code, "\n")
	prefix := ""
	first := true
	for _, l := range lines {
		if strings.TrimSpace(l) == "" {
			continue
		}
		indent := l[:len(l)-len(strings.TrimLeft(l, " \t"))]
		if first {
			prefix, first = indent, false
			continue
		}
		for !strings.HasPrefix(indent, prefix) {
			prefix = prefix[:len(prefix)-1]
		}
	}
	for i, l := range lines {
		lines[i] = strings.TrimPrefix(l, prefix)
	}
	return strings.Join(lines, "\n"), prefix
}

// documentLine is line n (0-based) of text without its line ending, or ""
// past the end.
func documentLine(text string, n int) string {
	for ; n > 0; n-- {
		i := strings.IndexByte(text, '\n')
		if i < 0 {
			return ""
		}
		text = text[i+1:]
	}
	line, _, _ := strings.Cut(text, "\n")
	return strings.TrimSuffix(line, "\r")
}
