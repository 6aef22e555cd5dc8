package lsp

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The probes of data files a module reads as it runs: editors' ways of
// writing them, readers, and what a fresh run would see.

const probePython = "/usr/bin/python3"

func dataEditor(t *testing.T, ws string, opts map[string]any) *fakeEditor {
	t.Helper()
	if _, err := os.Stat(probePython); err != nil {
		t.Fatalf("%s: %v", probePython, err)
	}
	e := newEditor(t, ws)
	if opts == nil {
		opts = map[string]any{}
	}
	opts["python"] = probePython
	e.initialize(opts)
	e.waitReady()
	return e
}

// load saves rel as it is on disk and waits for its run.
func (e *fakeEditor) load(rel string) {
	e.t.Helper()
	data, err := os.ReadFile(e.path(rel))
	if err != nil {
		e.t.Fatal(err)
	}
	n := e.messageCount()
	e.save(rel, string(data))
	e.awaitMessage(n, "loaded in ")
}

// countShown counts the messages after `after` that contain substr.
func (e *fakeEditor) countShown(after int, substr string) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	c := 0
	for _, m := range e.shown[min(after, len(e.shown)):] {
		if strings.Contains(m.Message, substr) {
			c++
		}
	}
	return c
}

func (e *fakeEditor) textsSince(after int) []string {
	var out []string
	for _, m := range e.shownSince(after) {
		out = append(out, m.Message)
	}
	return out
}

const cfgReader = `import json, os
SETTINGS = json.load(open(os.path.join(os.path.dirname(__file__), "settings.json")))
`

// wantValue waits until the runtime's value of expr in rel is want.
func (e *fakeEditor) wantValue(rel, expr, want string) {
	e.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	got := ""
	for time.Now().Before(deadline) {
		if got = e.evalOrError(rel, expr); got == want {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	e.t.Errorf("%s: %s = %s, want %s", rel, expr, got, want)
}

func TestProbeDataEditorWrites(t *testing.T) {
	t.Parallel()
	e := dataEditor(t, "-- settings.json --\n{\"v\": 0}\n-- config.py --\n"+cfgReader, nil)
	e.load("config.py")
	p := e.path("settings.json")
	writes := []struct {
		name  string
		write func(v string)
	}{
		{"in place, truncate then write", func(v string) {
			f, err := os.OpenFile(p, os.O_WRONLY|os.O_TRUNC, 0)
			if err != nil {
				t.Fatal(err)
			}
			time.Sleep(10 * time.Millisecond)
			f.WriteString(v)
			f.Close()
		}},
		{"atomic rename of a temp file", func(v string) {
			writeFile(t, p+".tmp~", v)
			if err := os.Rename(p+".tmp~", p); err != nil {
				t.Fatal(err)
			}
		}},
		{"vim backupcopy=no", func(v string) {
			if err := os.Rename(p, p+"~"); err != nil {
				t.Fatal(err)
			}
			writeFile(t, p, v)
			time.Sleep(5 * time.Millisecond)
			os.Remove(p + "~")
		}},
		{"delete then create", func(v string) {
			os.Remove(p)
			time.Sleep(20 * time.Millisecond)
			writeFile(t, p, v)
		}},
	}
	for i, w := range writes {
		n := e.messageCount()
		v := `{"v": ` + string(rune('1'+i)) + `}`
		w.write(v)
		e.awaitMessage(n, "settings.json changed: config reloaded in ")
		e.wantValue("config.py", "SETTINGS['v']", string(rune('1'+i)))
		time.Sleep(300 * time.Millisecond)
		if c := e.countShown(n, "settings.json changed"); c != 1 {
			t.Errorf("%s: %d runs, want 1: %q", w.name, c, e.textsSince(n))
		}
	}
}

func TestProbeDataDeletedThenRestored(t *testing.T) {
	t.Parallel()
	e := dataEditor(t, "-- settings.json --\n{\"v\": 0}\n-- config.py --\n"+cfgReader, nil)
	e.load("config.py")
	n := e.messageCount()
	os.Remove(e.path("settings.json"))
	e.awaitMessage(n, "FileNotFoundError")
	e.wantValue("config.py", "SETTINGS['v']", "0")
	n = e.messageCount()
	writeFile(t, e.path("settings.json"), `{"v": 5}`)
	e.awaitMessage(n, "config reloaded in ")
	e.wantValue("config.py", "SETTINGS['v']", "5")
}

func TestProbeDataSymlink(t *testing.T) {
	t.Parallel()
	e := dataEditor(t, "-- real/settings.json --\n{\"v\": 0}\n-- config.py --\nimport json\nSETTINGS = json.load(open('link.json'))\n", nil)
	if err := os.Symlink(filepath.Join("real", "settings.json"), e.path("link.json")); err != nil {
		t.Fatal(err)
	}
	e.load("config.py")
	n := e.messageCount()
	writeFile(t, e.path("real/settings.json"), `{"v": 3}`)
	e.awaitMessage(n, "config reloaded in ")
	e.wantValue("config.py", "SETTINGS['v']", "3")
}

// git checkout: the reader's code and its data change at once.
func TestProbeDataCheckoutCodeAndData(t *testing.T) {
	t.Parallel()
	e := dataEditor(t, "-- settings.json --\n{\"v\": 0}\n-- config.py --\n"+cfgReader+"-- main.py --\nfrom config import SETTINGS\nV = SETTINGS['v']\n", nil)
	e.load("main.py")
	e.load("config.py")
	n := e.messageCount()
	writeFile(t, e.path("config.py"), cfgReader+"W = SETTINGS['w']\n")
	writeFile(t, e.path("settings.json"), `{"v": 1, "w": 2}`)
	e.awaitMessage(n, "settings.json changed")
	e.wantValue("config.py", "W", "2")
	e.wantValue("main.py", "V", "1")
	time.Sleep(300 * time.Millisecond)
	t.Logf("messages: %q", e.textsSince(n))
}

func TestProbeDataBurst(t *testing.T) {
	t.Parallel()
	ws := "-- config.py --\nimport json, glob\nD = [json.load(open(f'd/{i}.json')) for i in range(30)]\nT = sum(D)\n"
	for i := 0; i < 30; i++ {
		ws += "-- d/" + itoa(i) + ".json --\n0\n"
	}
	e := dataEditor(t, ws, nil)
	e.load("config.py")
	n := e.messageCount()
	for i := 0; i < 30; i++ {
		writeFile(t, e.path("d/"+itoa(i)+".json"), "1")
		time.Sleep(2 * time.Millisecond)
	}
	e.awaitMessage(n, "changed")
	e.wantValue("config.py", "T", "30")
	time.Sleep(300 * time.Millisecond)
	if c := e.countShown(n, "changed"); c != 1 {
		t.Errorf("%d runs, want 1: %q", c, e.textsSince(n))
	}
}

func itoa(i int) string { return strings.TrimSpace(strings.Repeat(" ", 0) + fmtInt(i)) }
func fmtInt(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return fmtInt(i/10) + string(rune('0'+i%10))
}

func TestProbeDataSeveralModules(t *testing.T) {
	t.Parallel()
	e := dataEditor(t, "-- settings.json --\n{\"v\": 0}\n-- a.py --\n"+cfgReader+"-- b.py --\n"+cfgReader, nil)
	e.load("a.py")
	e.load("b.py")
	n := e.messageCount()
	writeFile(t, e.path("settings.json"), `{"v": 4}`)
	e.wantValue("a.py", "SETTINGS['v']", "4")
	e.wantValue("b.py", "SETTINGS['v']", "4")
	t.Logf("messages: %q", e.textsSince(n))
}

func TestProbeDataLibraries(t *testing.T) {
	t.Parallel()
	mods := map[string][3]string{ // module: {data file, initial, changed}; the module sets V
		"m_csv":   {"t.csv", "a\n1\n", "a\n2\n"},
		"m_npy":   {"t.npy", "", ""},
		"m_txt":   {"t.txt", "1\n", "2\n"},
		"m_yaml":  {"t.yaml", "v: 1\n", "v: 2\n"},
		"m_toml":  {"t.toml", "v = 1\n", "v = 2\n"},
		"m_json":  {"t.json", `{"v": 1}`, `{"v": 2}`},
		"m_ini":   {"t.ini", "[s]\nv = 1\n", "[s]\nv = 2\n"},
		"m_bytes": {"t.bin", "1", "2"},
	}
	code := map[string]string{
		"m_csv":   "import pandas as pd\nV = int(pd.read_csv('t.csv')['a'][0])\n",
		"m_npy":   "import numpy as np\nV = int(np.load('t.npy')[0])\n",
		"m_txt":   "import numpy as np\nV = int(np.loadtxt('t.txt'))\n",
		"m_yaml":  "import yaml\nV = yaml.safe_load(open('t.yaml'))['v']\n",
		"m_toml":  "import tomllib\nV = tomllib.load(open('t.toml', 'rb'))['v']\n",
		"m_json":  "import json\nV = json.load(open('t.json'))['v']\n",
		"m_ini":   "import configparser\nc = configparser.ConfigParser()\nc.read('t.ini')\nV = int(c['s']['v'])\n",
		"m_bytes": "from pathlib import Path\nV = int(Path('t.bin').read_bytes())\n",
	}
	ws := ""
	for m, f := range mods {
		ws += "-- " + m + ".py --\n" + code[m]
		if f[1] != "" {
			ws += "-- " + f[0] + " --\n" + f[1] + "\n"
		}
	}
	e := dataEditor(t, ws, nil)
	npy := func(v int) {
		cmd := "import numpy as np; np.save('t.npy', np.array([" + itoa(v) + "]))"
		if out, err := execIn(e.dir, probePython, "-c", cmd); err != nil {
			t.Fatalf("%v %s", err, out)
		}
	}
	npy(1)
	for m := range mods {
		e.load(m + ".py")
		e.wantValue(m+".py", "V", "1")
	}
	for m, f := range mods {
		if m == "m_npy" {
			npy(2)
		} else {
			writeFile(t, e.path(f[0]), f[2])
		}
		e.wantValue(m+".py", "V", "2")
	}
}

func execIn(dir, name string, args ...string) ([]byte, error) {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	return cmd.CombinedOutput()
}

func TestProbeDataFresh(t *testing.T) {
	t.Parallel()
	e := dataEditor(t, "-- settings.json --\n{\"v\": 0}\n-- config.py --\n"+cfgReader+"print('config sees', SETTINGS['v'])\n", map[string]any{"strategy": "fresh"})
	e.load("config.py")
	n := e.messageCount()
	writeFile(t, e.path("settings.json"), `{"v": 1}`)
	e.awaitMessage(n, "config sees 1")
	t.Logf("messages: %q", e.textsSince(n))
}

func TestProbeDataRestart(t *testing.T) {
	t.Parallel()
	e := dataEditor(t, "-- settings.json --\n{\"v\": 0}\n-- config.py --\n"+cfgReader, nil)
	e.load("config.py")
	if err := e.command("hotload.restartRuntime", nil); err != nil {
		t.Fatal(err)
	}
	// A new runtime has loaded nothing: a change runs nothing, as no
	// program ran; the module's next run reads the file again.
	n := e.messageCount()
	writeFile(t, e.path("settings.json"), `{"v": 1}`)
	time.Sleep(300 * time.Millisecond)
	if c := e.countShown(n, "changed"); c != 0 {
		t.Errorf("a change after the restart ran %d modules: %q", c, e.textsSince(n))
	}
	e.load("config.py")
	e.wantValue("config.py", "SETTINGS['v']", "1")
	n = e.messageCount()
	writeFile(t, e.path("settings.json"), `{"v": 2}`)
	e.awaitMessage(n, "settings.json changed")
	e.wantValue("config.py", "SETTINGS['v']", "2")
}

// The file changes while the reader's run (a slow one) runs.
func TestProbeDataChangedDuringRun(t *testing.T) {
	t.Parallel()
	e := dataEditor(t, "-- settings.json --\n{\"v\": 0}\n-- config.py --\nimport time\n"+cfgReader+"time.sleep(1)\n", nil)
	e.load("config.py")
	n := e.messageCount()
	writeFile(t, e.path("settings.json"), `{"v": 1}`)
	time.Sleep(400 * time.Millisecond) // the run has read 1 and sleeps
	writeFile(t, e.path("settings.json"), `{"v": 2}`)
	e.wantValue("config.py", "SETTINGS['v']", "2")
	time.Sleep(1500 * time.Millisecond)
	if c := e.countShown(n, "settings.json changed"); c != 2 {
		t.Errorf("%d runs, want 2: %q", c, e.textsSince(n))
	}
}

// A module that keeps state in a file it replaces atomically: its own write
// must not run it again, forever.
func TestProbeDataOwnAtomicWrite(t *testing.T) {
	t.Parallel()
	e := dataEditor(t, `
-- state.json --
{"n": 0}
-- counter.py --
import json, os
N = json.load(open("state.json"))["n"] + 1
with open("state.json.tmp", "w") as f:
    json.dump({"n": N}, f)
os.replace("state.json.tmp", "state.json")
`, nil)
	e.load("counter.py")
	e.load("counter.py") // its folder is watched now
	n := e.messageCount()
	time.Sleep(1500 * time.Millisecond)
	if c := e.countShown(n, "changed"); c != 0 {
		t.Errorf("its own write ran it %d times: %q", c, e.textsSince(n))
	}
}

// A thread the program started writes the data file every 10 ms for 1 s.
func TestProbeDataWrittenRepeatedly(t *testing.T) {
	t.Parallel()
	e := dataEditor(t, "-- settings.json --\n{\"v\": 0}\n-- config.py --\n"+cfgReader+`-- writer.py --
import json, threading, time
def w():
    for i in range(100):
        with open("settings.json", "w") as f:
            json.dump({"v": i}, f)
        time.sleep(0.01)
`, nil)
	e.load("config.py")
	e.load("writer.py")
	n := e.messageCount()
	e.evalOrError("writer.py", "threading.Thread(target=w).start()")
	e.wantValue("config.py", "SETTINGS['v']", "99")
	time.Sleep(500 * time.Millisecond)
	t.Logf("%d runs: %q", e.countShown(n, "changed"), e.textsSince(n))
}

func TestProbeDataNoFdLeak(t *testing.T) {
	// Not parallel: it counts the process's inotify instances.
	e := dataEditor(t, "-- settings.json --\n{\"v\": 0}\n-- config.py --\n"+cfgReader, nil)
	e.load("config.py")
	inotify := func() int {
		entries, _ := os.ReadDir("/proc/self/fd")
		c := 0
		for _, d := range entries {
			if link, _ := os.Readlink("/proc/self/fd/" + d.Name()); strings.Contains(link, "inotify") {
				c++
			}
		}
		return c
	}
	before := inotify()
	for i := 0; i < 30; i++ {
		e.load("config.py")
		n := e.messageCount()
		writeFile(t, e.path("settings.json"), `{"v": `+itoa(i)+`}`)
		e.awaitMessage(n, "settings.json changed")
	}
	if after := inotify(); after != before || before == 0 {
		t.Errorf("inotify instances %d -> %d over 30 saves and changes", before, after)
	}
	e.shutdown()
	if after := inotify(); after != before-1 {
		t.Errorf("inotify instances %d -> %d after shutdown", before, after)
	}
}

// Regression: a data folder removed and made again was no longer
// watched: inotify ends a watch with its folder.
func TestProbeDataFolderRemovedThenMadeAgain(t *testing.T) {
	t.Parallel()
	e := dataEditor(t, "-- data/settings.json --\n{\"v\": 0}\n-- config.py --\nimport json\nSETTINGS = json.load(open('data/settings.json'))\n", nil)
	e.load("config.py")
	n := e.messageCount()
	if err := os.RemoveAll(e.path("data")); err != nil {
		t.Fatal(err)
	}
	e.awaitMessage(n, "FileNotFoundError")
	for i, v := range []string{"5", "6"} {
		n = e.messageCount()
		if i == 0 {
			if err := os.Mkdir(e.path("data"), 0o755); err != nil {
				t.Fatal(err)
			}
		}
		writeFile(t, e.path("data/settings.json"), `{"v": `+v+`}`)
		e.awaitMessage(n, "settings.json changed: config reloaded in ")
		e.wantValue("config.py", "SETTINGS['v']", v)
	}
}

// A preload that reads a data file as it imports (a settings file, a data
// set shared with every fresh run): a change to the file runs it again, in
// the current process and in a new zygote, so that the process, restarts
// and fresh runs all see the new contents, as a fresh python would.
func TestProbeDataReadByAPreload(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, strategy string
		restartAtOnce  bool // restart before the change's quiet time ends
	}{
		{"inplace", "inplace", false},
		{"inplace, restart at once", "inplace", true},
		{"fresh", "fresh", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := dataEditor(t, "-- settings.json --\n{\"v\": 0}\n-- config.py --\n"+cfgReader+"-- app.py --\nimport config\nv = config.SETTINGS['v']\n",
				map[string]any{"strategy": tt.strategy, "preload": []string{"config"}})
			e.wantValue("app.py", "v", "0")
			n := e.messageCount()
			writeFile(t, e.path("settings.json"), `{"v": 1}`)
			if !tt.restartAtOnce {
				e.awaitMessage(n, "settings.json changed")
				e.wantValue("app.py", "config.SETTINGS['v']", "1")
			}
			if tt.strategy == "fresh" {
				e.saveAndWait("app.py", "import config\nv = config.SETTINGS['v']\n")
			} else {
				e.restartRuntime()
			}
			e.wantValue("app.py", "v", "1")
		})
	}
}

// A data file a preload reads, changed so that the preload fails, seen at
// a restart: the runtime starts from the zygote it has, and says why.
func TestProbeDataReadByAPreloadBroken(t *testing.T) {
	t.Parallel()
	e := dataEditor(t, "-- settings.json --\n{\"v\": 0}\n-- config.py --\n"+cfgReader+"-- app.py --\nimport config\nv = config.SETTINGS['v']\n",
		map[string]any{"preload": []string{"config"}})
	e.wantValue("app.py", "v", "0")
	n := e.messageCount()
	writeFile(t, e.path("settings.json"), `{"v": `)
	e.restartRuntime()
	m := e.awaitMessage(n, "importing them again with it failed")
	if !strings.Contains(m.Message, "settings.json, which the preloads use, changed") {
		t.Errorf("the message = %q, want it to name settings.json as changed", m.Message)
	}
}
