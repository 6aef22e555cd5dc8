package pyruntime

import (
	"reflect"
	"slices"
	"testing"
)

var testMap = newPathMap(map[string]string{
	"/home/me/proj":     "/srv/proj",
	"/home/me/proj/lib": "/opt/lib",
	"/home/me/other/":   "/srv/other/",
	"/data":             "/",
	"":                  "/ignored",
})

func TestPathMapTranslates(t *testing.T) {
	t.Parallel()
	tests := []struct {
		local, remote string
	}{
		{"/home/me/proj", "/srv/proj"},
		{"/home/me/proj/", "/srv/proj"},
		{"/home/me/proj/app.py", "/srv/proj/app.py"},
		{"/home/me/proj/pkg/mod.py", "/srv/proj/pkg/mod.py"},
		{"/home/me/proj/lib/x.py", "/opt/lib/x.py"}, // the longest folder wins
		{"/home/me/proj/library.py", "/srv/proj/library.py"},
		{"/home/me/other/a.py", "/srv/other/a.py"}, // both sides cleaned
		{"/data/x.csv", "/x.csv"},
		{"/data", "/"},
		{"/home/me/project/app.py", "/home/me/project/app.py"}, // whole components only
		{"/home/me", "/home/me"},
		{"<evaluate>", "<evaluate>"},
		{"relative/home/me/proj/a.py", "relative/home/me/proj/a.py"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := testMap.toRemote(tt.local); got != tt.remote {
			t.Errorf("toRemote(%q) = %q, want %q", tt.local, got, tt.remote)
		}
	}
	back := []struct {
		remote, local string
	}{
		{"/srv/proj/app.py", "/home/me/proj/app.py"},
		{"/opt/lib/x.py", "/home/me/proj/lib/x.py"},
		{"/srv/projects/a.py", "/data/srv/projects/a.py"}, // not /srv/proj: under "/"
		// "/" maps back to /data: everything not under a longer folder.
		{"/usr/lib/python3.11/json/__init__.py", "/data/usr/lib/python3.11/json/__init__.py"},
		{"<frozen importlib._bootstrap>", "<frozen importlib._bootstrap>"},
	}
	for _, tt := range back {
		if got := testMap.toLocal(tt.remote); got != tt.local {
			t.Errorf("toLocal(%q) = %q, want %q", tt.remote, got, tt.local)
		}
	}
}

func TestPathMapText(t *testing.T) {
	t.Parallel()
	m := newPathMap(map[string]string{
		"/home/me/proj":     "/srv/proj",
		"/home/me/proj/lib": "/opt/lib",
	})
	tests := []struct {
		name, in, want string
	}{
		{"traceback line", `  File "/srv/proj/app.py", line 3, in <module>`, `  File "/home/me/proj/app.py", line 3, in <module>`},
		{"longest wins", `File "/opt/lib/x.py"`, `File "/home/me/proj/lib/x.py"`},
		{"several", "/srv/proj/a.py:1\n/opt/lib/b.py:2\n", "/home/me/proj/a.py:1\n/home/me/proj/lib/b.py:2\n"},
		{"the folder itself", "cwd is /srv/proj, ok", "cwd is /home/me/proj, ok"},
		{"a longer name", "/srv/proj.old/a.py", "/srv/proj.old/a.py"},
		{"quoted", "No such file: '/srv/proj/data.csv'", "No such file: '/home/me/proj/data.csv'"},
		{"not a component", `File "/srv/project/a.py"`, `File "/srv/project/a.py"`},
		{"inside another path", `File "/x/srv/proj/a.py"`, `File "/x/srv/proj/a.py"`},
		{"after a name", "abc/srv/proj", "abc/srv/proj"},
		{"unicode around", "é/srv/proj/a.py ok→/srv/proj", "é/srv/proj/a.py ok→/home/me/proj"},
		{"none", "ZeroDivisionError: division by zero", "ZeroDivisionError: division by zero"},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := m.textToLocal(tt.in); got != tt.want {
				t.Errorf("textToLocal(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestPathMapRequestAndReply(t *testing.T) {
	t.Parallel()
	m := newPathMap(map[string]string{"/home/me/proj": "/srv/proj"})
	req := Request{
		Op: "reload", Module: "app", Path: "/home/me/proj/app.py", PathEntry: "/home/me/proj",
		Filename: "/home/me/proj/app.py", Cwd: "/home/me/proj", Code: "open('/home/me/proj/x')",
		SysPath: []string{"/home/me/proj/src", "/elsewhere"}, WorkspaceRoots: []string{"/home/me/proj"},
		Paths: []string{"/home/me/proj/templates/index.html"},
	}
	wantReq := Request{
		Op: "reload", Module: "app", Path: "/srv/proj/app.py", PathEntry: "/srv/proj",
		Filename: "/srv/proj/app.py", Cwd: "/srv/proj", Code: "open('/home/me/proj/x')", // code is the user's
		SysPath: []string{"/srv/proj/src", "/elsewhere"}, WorkspaceRoots: []string{"/srv/proj"},
		Paths: []string{"/srv/proj/templates/index.html"},
	}
	if got := m.request(req); !reflect.DeepEqual(got, wantReq) {
		t.Errorf("request(%+v) = %+v, want %+v", req, got, wantReq)
	}
	if req.SysPath[0] != "/home/me/proj/src" {
		t.Errorf("request changed the caller's SysPath to %q", req.SysPath)
	}

	exc := &Exception{
		Type: "ZeroDivisionError", Message: "division by zero",
		Frames: []Frame{{File: "/srv/proj/app.py", Line: 3}, {File: "/usr/lib/python3/x.py", Line: 1}},
		Syntax: &Frame{File: "/srv/proj/bad.py", Line: 2},
		Text:   "Traceback (most recent call last):\n  File \"/srv/proj/app.py\", line 3, in <module>\n",
	}
	wantExc := &Exception{
		Type: "ZeroDivisionError", Message: "division by zero",
		Frames: []Frame{{File: "/home/me/proj/app.py", Line: 3}, {File: "/usr/lib/python3/x.py", Line: 1}},
		Syntax: &Frame{File: "/home/me/proj/bad.py", Line: 2},
		Text:   "Traceback (most recent call last):\n  File \"/home/me/proj/app.py\", line 3, in <module>\n",
	}
	reply := Reply{
		OK: true, Error: exc, HookError: exc,
		PreloadErrors: map[string]*Exception{"app": exc},
		Warnings:      []Warning{{File: "/srv/proj/app.py", Line: 1}, {File: "<string>", Line: 1}},
		SetAside:      []string{"/srv/proj/a/tool.py"},
		DataReads:     []DataRead{{Module: "cfg", File: "/srv/proj/cfg.py", Data: []string{"/srv/proj/settings.json"}}},
	}
	got := m.reply(reply)
	// The data files a run read are watched here, where the editor writes them.
	if want := []DataRead{{Module: "cfg", File: "/home/me/proj/cfg.py", Data: []string{"/home/me/proj/settings.json"}}}; !reflect.DeepEqual(got.DataReads, want) || reply.DataReads[0].File != "/srv/proj/cfg.py" {
		t.Errorf("reply's data reads = %+v (given %+v), want %+v", got.DataReads, reply.DataReads, want)
	}
	if want := []string{"/home/me/proj/a/tool.py"}; !slices.Equal(got.SetAside, want) || reply.SetAside[0] != "/srv/proj/a/tool.py" {
		t.Errorf("reply's set aside files = %q (given %q), want %q", got.SetAside, reply.SetAside, want)
	}
	if !reflect.DeepEqual(got.Error, wantExc) || !reflect.DeepEqual(got.HookError, wantExc) || !reflect.DeepEqual(got.PreloadErrors["app"], wantExc) {
		t.Errorf("reply exceptions = %+v, %+v, %+v, want %+v", got.Error, got.HookError, got.PreloadErrors["app"], wantExc)
	}
	if files := []string{got.Warnings[0].File, got.Warnings[1].File}; !slices.Equal(files, []string{"/home/me/proj/app.py", "<string>"}) {
		t.Errorf("reply warnings' files = %q", files)
	}
	// The zygote's preload errors are handed out on every start: translating
	// must not change what it holds.
	if exc.Frames[0].File != "/srv/proj/app.py" || exc.Syntax.File != "/srv/proj/bad.py" || reply.Warnings[0].File != "/srv/proj/app.py" {
		t.Errorf("reply changed the exception it was given: %+v", exc)
	}
}

// A note, in a reply or in a stale event, lands on the local file; one
// about a module as a whole has no file and stays so.
func TestPathMapNotes(t *testing.T) {
	t.Parallel()
	m := newPathMap(map[string]string{"/home/me/proj": "/srv/proj"})
	tests := []struct {
		name string
		note *Note
		want *Note
	}{
		{"a note on a file", &Note{Text: "t", File: "/srv/proj/feed.py", Line: 1}, &Note{Text: "t", File: "/home/me/proj/feed.py", Line: 1}},
		{"a note on no file", &Note{Text: "t"}, &Note{Text: "t"}},
		{"no note", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := m.note(tt.note); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("note(%+v) = %+v, want %+v", tt.note, got, tt.want)
			}
			if tt.note != nil && tt.want != nil && tt.note.File != "" && tt.note.File == tt.want.File {
				t.Errorf("note changed the note it was given")
			}
			if tt.note == nil {
				return
			}
			reply := m.reply(Reply{OK: true, Notes: []Note{*tt.note}})
			if !reflect.DeepEqual(reply.Notes[0], *tt.want) {
				t.Errorf("reply's note = %+v, want %+v", reply.Notes[0], *tt.want)
			}
		})
	}
}

func TestPathMapConfig(t *testing.T) {
	t.Parallel()
	cfg := &Config{Dir: "/home/me/proj", SysPath: []string{"/home/me/proj", "/home/me/proj/src"}, WorkspaceRoots: []string{"/home/me/proj"}}
	got := newPathMap(map[string]string{"/home/me/proj": "/srv/proj"}).config(cfg)
	if got.Dir != "/srv/proj" || !slices.Equal(got.SysPath, []string{"/srv/proj", "/srv/proj/src"}) || !slices.Equal(got.WorkspaceRoots, []string{"/srv/proj"}) {
		t.Errorf("config = Dir %q SysPath %q WorkspaceRoots %q, want them under /srv/proj", got.Dir, got.SysPath, got.WorkspaceRoots)
	}
	// The command (ssh) still starts in the local folder.
	if got.processDir() != "/home/me/proj" || cfg.processDir() != "/home/me/proj" {
		t.Errorf("processDir = %q (original %q), want /home/me/proj", got.processDir(), cfg.processDir())
	}
	if same := (pathMap{}).config(cfg); same != cfg {
		t.Errorf("the zero pathMap copied the config")
	}
}
