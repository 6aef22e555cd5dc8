package pyruntime

import (
	"cmp"
	"maps"
	"path"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// pathMap translates paths between this machine and the one the interpreter
// runs on (Config.PathMap). It is applied at one place, where requests leave
// for the agent and replies come back (see Runtime), so that the rest of the
// server sees local paths only. The zero pathMap translates nothing.
type pathMap struct {
	pairs []pathPair
}

type pathPair struct{ local, remote string }

// newPathMap returns the translation m describes. Paths are cleaned, and
// entries with an empty side are dropped: they could only match everything
// by accident.
func newPathMap(m map[string]string) pathMap {
	var pm pathMap
	// Sorted so that a remote folder that two local ones map to always
	// translates back the same way.
	for _, local := range slices.Sorted(maps.Keys(m)) {
		remote := m[local]
		if local == "" || remote == "" {
			continue
		}
		pm.pairs = append(pm.pairs, pathPair{local: path.Clean(local), remote: path.Clean(remote)})
	}
	return pm
}

// toRemote translates a local path to the interpreter's view of it.
func (m pathMap) toRemote(p string) string {
	return m.translate(p, func(pp pathPair) (string, string) { return pp.local, pp.remote })
}

// toLocal translates a path the interpreter reported to this machine's.
func (m pathMap) toLocal(p string) string {
	return m.translate(p, func(pp pathPair) (string, string) { return pp.remote, pp.local })
}

// translate replaces the longest folder of the map (from) that contains p
// with what it maps to. Paths under no folder are returned unchanged.
func (m pathMap) translate(p string, dir func(pathPair) (from, to string)) string {
	best, bestTo, rest := "", "", ""
	for _, pp := range m.pairs {
		from, to := dir(pp)
		if r, ok := under(p, from); ok && len(from) > len(best) {
			best, bestTo, rest = from, to, r
		}
	}
	if best == "" {
		return p
	}
	return join(bestTo, rest)
}

// under reports whether p is root or inside it, and returns the part of p
// below root. Only whole components match: /proj does not contain /project.
func under(p, root string) (rest string, ok bool) {
	switch {
	case p == root:
		return "", true
	case strings.HasSuffix(root, "/"): // only "/" itself, once cleaned
		return strings.CutPrefix(p, root)
	default:
		return strings.CutPrefix(p, root+"/")
	}
}

func join(root, rest string) string {
	switch {
	case rest == "":
		return root
	case strings.HasSuffix(root, "/"):
		return root + rest
	default:
		return root + "/" + rest
	}
}

// textToLocal translates the remote paths in free text, such as the lines
// `File "/remote/proj/lib.py", line 3` of a traceback. A folder of the map
// matches where it starts a path (not preceded by a character that can be
// part of one) and ends at a component boundary.
func (m pathMap) textToLocal(s string) string {
	if len(m.pairs) == 0 {
		return s
	}
	// Longest first: the first match at a position is the best one.
	pairs := slices.SortedFunc(slices.Values(m.pairs), func(a, b pathPair) int {
		return cmp.Compare(len(b.remote), len(a.remote))
	})
	var b strings.Builder
	last := 0 // s[last:i] is still to be copied
	for i := 0; i < len(s); i++ {
		if s[i] != '/' {
			continue
		}
		if prev, _ := utf8.DecodeLastRuneInString(s[:i]); i > 0 && pathChar(prev) {
			continue
		}
		for _, pp := range pairs {
			if !strings.HasPrefix(s[i:], pp.remote) {
				continue
			}
			end := i + len(pp.remote)
			if next, _ := utf8.DecodeRuneInString(s[end:]); end < len(s) && !strings.HasSuffix(pp.remote, "/") && next != '/' && pathChar(next) {
				continue // /remote/proj in /remote/project
			}
			b.WriteString(s[last:i])
			b.WriteString(pp.local)
			last = end
			i = end - 1
			break
		}
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// pathChar reports whether r can be part of a file name as tracebacks and
// messages show it.
func pathChar(r rune) bool {
	return r == '/' || r == '.' || r == '_' || r == '-' || r == '~' || unicode.IsLetter(r) || unicode.IsDigit(r)
}

// request translates the local paths of req for the interpreter.
func (m pathMap) request(req Request) Request {
	if len(m.pairs) == 0 {
		return req
	}
	req.Path = m.toRemote(req.Path)
	req.PathEntry = m.toRemote(req.PathEntry)
	req.Filename = m.toRemote(req.Filename)
	req.Cwd = m.toRemote(req.Cwd)
	req.SysPath = m.toRemotes(req.SysPath)
	req.WorkspaceRoots = m.toRemotes(req.WorkspaceRoots)
	req.Paths = m.toRemotes(req.Paths)
	return req
}

func (m pathMap) toRemotes(paths []string) []string {
	if paths == nil {
		return nil
	}
	out := make([]string, len(paths))
	for i, p := range paths {
		out[i] = m.toRemote(p)
	}
	return out
}

func (m pathMap) toLocals(paths []string) []string {
	out := make([]string, len(paths))
	for i, p := range paths {
		out[i] = m.toLocal(p)
	}
	return out
}

// reply translates the interpreter's paths in r back to local ones.
func (m pathMap) reply(r Reply) Reply {
	if len(m.pairs) == 0 {
		return r
	}
	r.Error = m.exception(r.Error)
	r.HookError = m.exception(r.HookError)
	r.PreloadErrors = m.exceptions(r.PreloadErrors)
	if r.Warnings != nil {
		ws := slices.Clone(r.Warnings)
		for i := range ws {
			ws[i].File = m.toLocal(ws[i].File)
		}
		r.Warnings = ws
	}
	if r.SetAside != nil {
		r.SetAside = m.toLocals(r.SetAside)
	}
	if r.Notes != nil {
		ns := slices.Clone(r.Notes)
		for i := range ns {
			ns[i] = *m.note(&ns[i])
		}
		r.Notes = ns
	}
	r.DataReads = m.dataReads(r.DataReads)
	return r
}

// dataReads returns a copy of reads with local paths, or reads itself when
// there is nothing to map. A copy, because the zygote's are handed out
// more than once.
func (m pathMap) dataReads(reads []DataRead) []DataRead {
	if reads == nil || len(m.pairs) == 0 {
		return reads
	}
	out := make([]DataRead, len(reads))
	for i, r := range reads {
		out[i] = DataRead{Module: r.Module, File: m.toLocal(r.File), Data: m.toLocals(r.Data)}
	}
	return out
}

// note returns a copy of n with a local path, or n itself when there is
// nothing to map (nil included).
func (m pathMap) note(n *Note) *Note {
	if n == nil || n.File == "" || len(m.pairs) == 0 {
		return n
	}
	c := *n
	c.File = m.toLocal(c.File)
	return &c
}

// exception returns a copy of e with local paths, or nil for nil. A copy,
// because the zygote's preload errors are handed out more than once.
func (m pathMap) exception(e *Exception) *Exception {
	if e == nil || len(m.pairs) == 0 {
		return e
	}
	c := *e
	c.Frames = slices.Clone(e.Frames)
	for i := range c.Frames {
		c.Frames[i].File = m.toLocal(c.Frames[i].File)
	}
	if e.Syntax != nil {
		syntax := *e.Syntax
		syntax.File = m.toLocal(syntax.File)
		c.Syntax = &syntax
	}
	c.Text = m.textToLocal(e.Text)
	return &c
}

func (m pathMap) exceptions(errs map[string]*Exception) map[string]*Exception {
	if errs == nil || len(m.pairs) == 0 {
		return errs
	}
	out := make(map[string]*Exception, len(errs))
	for k, e := range errs {
		out[k] = m.exception(e)
	}
	return out
}

// config returns cfg as the agent is to see it: Dir (its working directory),
// SysPath and WorkspaceRoots translated. The command itself still starts in
// the local Dir (Config.processDir).
func (m pathMap) config(cfg *Config) *Config {
	if len(m.pairs) == 0 {
		return cfg
	}
	c := *cfg
	c.localDir = cfg.processDir()
	c.Dir = m.toRemote(cfg.Dir)
	c.SysPath = m.toRemotes(cfg.SysPath)
	c.WorkspaceRoots = m.toRemotes(cfg.WorkspaceRoots)
	return &c
}

// processDir is the local directory the interpreter's command starts in.
func (c *Config) processDir() string {
	if c.localDir != "" {
		return c.localDir
	}
	return c.Dir
}
