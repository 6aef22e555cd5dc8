package lsp

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"go.lsp.dev/protocol"
	"go.uber.org/zap"

	"github.com/hotload-dev/hotload/reload"
)

// hoverTimeout bounds a hover's wait for the runtime. The agent answers
// within its repr limit (300 ms) or at once; this is a guard against a
// runtime that does not answer at all (a C call holding the GIL), after
// which the user's other language server's hover stands alone.
const hoverTimeout = 2 * time.Second

// Hover shows the live value of a module-level name, or of an attribute
// chain starting at one, under the cursor (see Engine.Inspect). It answers
// null for anything else, so the user's other Python server's hover is
// the only one shown.
func (s *server) Hover(ctx context.Context, params *protocol.HoverParams) (*protocol.Hover, error) {
	if s.lifecycle() != serverInitialized {
		return nil, errNotInitialized
	}
	path, ok := pythonFile(params.TextDocument.URI)
	if !ok {
		return nil, nil
	}
	text, ok := s.documentText(params.TextDocument.URI)
	if !ok {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, nil
		}
		text = string(data)
	}
	chain, ok := chainAt(text, params.Position)
	if !ok {
		return nil, nil
	}
	e := s.engineNow()
	if e == nil {
		return nil, nil
	}
	ctx, cancel := context.WithTimeout(ctx, hoverTimeout)
	defer cancel()
	v, err := e.Inspect(ctx, path, chain.expr, chain.line+1, chain.col)
	if err != nil || v == nil {
		if err != nil {
			s.logger.Debug("hover", zap.String("expr", chain.expr), zap.Error(err))
		}
		return nil, nil
	}
	rng := chain.rng
	return &protocol.Hover{
		Contents: &protocol.MarkupContent{Kind: protocol.MarkupKindMarkdown, Value: hoverMarkdown(chain.expr, v)},
		Range:    &rng,
	}, nil
}

// hoverChain is the dotted name under the cursor, up to and including the
// part the cursor is on: on `weights` in `model.weights.shape`, it is
// `model.weights`.
type hoverChain struct {
	expr string
	line int // 0-based
	col  int // 0-based code points, where expr starts
	rng  protocol.Range
}

// chainAt finds the dotted name at pos in text. It reports false for a
// position outside a name, a name in a comment or string, a keyword, and a
// chain that starts after a dot of something that is not a name (a call's
// result, a subscript), which is no module global.
func chainAt(text string, pos protocol.Position) (hoverChain, bool) {
	start, err := offset(text, protocol.Position{Line: pos.Line})
	if err != nil {
		return hoverChain{}, false
	}
	end := strings.IndexByte(text[start:], '\n')
	if end < 0 {
		end = len(text) - start
	}
	line := text[start : start+end]
	at, err := offset(text, pos)
	if err != nil {
		return hoverChain{}, false
	}
	at -= start
	if insideStringOrComment(line, at) {
		return hoverChain{}, false
	}
	// The identifier the cursor is on: its end, then back to the start of the chain.
	wordEnd := at
	for wordEnd < len(line) {
		r, size := utf8.DecodeRuneInString(line[wordEnd:])
		if !isIdentRune(r) {
			break
		}
		wordEnd += size
	}
	begin := at
	for begin > 0 {
		r, size := utf8.DecodeLastRuneInString(line[:begin])
		if !isIdentRune(r) && r != '.' {
			break
		}
		begin -= size
	}
	if wordEnd == at && (at == 0 || !isIdentRune(lastRune(line[:at]))) {
		return hoverChain{}, false // the cursor is on no name, nor right after one
	}
	expr := line[begin:wordEnd]
	// Whitespace around dots (`a . b`) is legal Python but rare: not handled.
	if begin > 0 && line[begin-1] == '.' {
		return hoverChain{}, false
	}
	parts := strings.Split(expr, ".")
	for _, p := range parts {
		if !isIdentifier(p) || isKeyword(p) {
			return hoverChain{}, false
		}
	}
	col := utf8.RuneCountInString(line[:begin])
	rng := protocol.Range{
		Start: protocol.Position{Line: pos.Line, Character: utf16Len(line[:begin])},
		End:   protocol.Position{Line: pos.Line, Character: utf16Len(line[:wordEnd])},
	}
	return hoverChain{expr: expr, line: int(pos.Line), col: col, rng: rng}, true
}

func lastRune(s string) rune {
	r, _ := utf8.DecodeLastRuneInString(s)
	return r
}

func isIdentRune(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r)
}

func isIdentifier(s string) bool {
	if s == "" {
		return false
	}
	first, _ := utf8.DecodeRuneInString(s)
	return !unicode.IsDigit(first) && strings.IndexFunc(s, func(r rune) bool { return !isIdentRune(r) }) < 0
}

// isKeyword reports whether s is a Python keyword, which is never a global.
func isKeyword(s string) bool {
	switch s {
	case "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class",
		"continue", "def", "del", "elif", "else", "except", "finally", "for", "from", "global",
		"if", "import", "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise",
		"return", "try", "while", "with", "yield":
		return true
	}
	return false
}

// insideStringOrComment reports whether byte offset at of line lies in a
// comment or a string literal that starts on this line. Strings that span
// lines (docstrings) are not seen from their later lines.
func insideStringOrComment(line string, at int) bool {
	var quote string // the open string's delimiter, "" outside strings
	for i := 0; i < len(line) && i < at; i++ {
		c := line[i]
		switch {
		case quote != "":
			if c == '\\' {
				i++
				continue
			}
			if strings.HasPrefix(line[i:], quote) {
				i += len(quote) - 1
				quote = ""
			}
		case c == '#':
			return true
		case c == '\'' || c == '"':
			quote = string(c)
			if strings.HasPrefix(line[i:], strings.Repeat(string(c), 3)) {
				quote = strings.Repeat(string(c), 3)
				i += 2
			}
		}
	}
	return quote != ""
}

// hoverMarkdown renders an inspection: the name and its type, its size,
// the details, then the repr in a code block.
func hoverMarkdown(expr string, v *reload.Inspection) string {
	var b strings.Builder
	fmt.Fprintf(&b, "**`%s`**", expr)
	if v.Type != "" {
		fmt.Fprintf(&b, ": `%s`", v.Type)
	}
	if v.Size != "" {
		fmt.Fprintf(&b, " · %s", v.Size)
	}
	b.WriteString(" — live value (hotload)\n")
	if v.Details != "" {
		fmt.Fprintf(&b, "\n%s\n", escapeMarkdown(v.Details))
	}
	if v.Repr != "" {
		fence := "```"
		for strings.Contains(v.Repr, fence) {
			fence += "`"
		}
		lang := v.Language
		if lang == "" {
			lang = "text"
		}
		fmt.Fprintf(&b, "\n%s%s\n%s\n%s\n", fence, lang, v.Repr, fence)
	}
	if v.Cut != "" {
		fmt.Fprintf(&b, "\n*cut: %s*\n", escapeMarkdown(v.Cut))
	}
	if v.Note != "" {
		fmt.Fprintf(&b, "\n*%s*\n", escapeMarkdown(v.Note))
	}
	return b.String()
}

// escapeMarkdown keeps text from being read as Markdown.
func escapeMarkdown(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune("\\`*_{}[]()#+-.!<>|~", r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
