package main

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// peerRequirements pins the peers and everything they install.
//
//go:embed peers-requirements.txt
var peerRequirements string

// peerProbeSource is the probe that runs inside each peer's process.
//
//go:embed peers.py
var peerProbeSource string

// peerPythons are the interpreters tried, in order, when -peers-python is
// not given: IPython 9.18 and hmr need Python 3.12 or later. pyenv's
// versions come last, as its shims run only the versions it is set to.
func peerPythons() []string {
	candidates := []string{"python3.13", "python3.12"}
	root := os.Getenv("PYENV_ROOT")
	if home, err := os.UserHomeDir(); root == "" && err == nil {
		root = filepath.Join(home, ".pyenv")
	}
	for _, minor := range []string{"3.13", "3.12"} {
		found, _ := filepath.Glob(filepath.Join(root, "versions", minor+".*", "bin", "python"+minor))
		slices.Sort(found)
		slices.Reverse(found) // the newest patch release first
		candidates = append(candidates, found...)
	}
	return candidates
}

// installTimeout bounds creating the virtual environment and installing
// the peers into it: a first install downloads them from PyPI.
const installTimeout = 5 * time.Minute

// peerEnv is the throw-away virtual environment the peers run in, and the
// folder the probe is written to.
type peerEnv struct {
	Python   pythonInfo `json:"python"`   // the interpreter the venv was made from
	Venv     string     `json:"-"`        // the venv's folder
	ProbeDir string     `json:"-"`        // holds _peerprobe.py and sitecustomize.py
	Versions []string   `json:"versions"` // "jurigged==0.6.1", …: what pip installed
	// InstallSeconds is creating the venv and installing into it.
	InstallSeconds float64 `json:"installSeconds"`
}

// python is the venv's interpreter; bin names another of its commands.
func (e peerEnv) python() string         { return e.bin("python") }
func (e peerEnv) bin(name string) string { return filepath.Join(e.Venv, "bin", name) }

// atLeast312 reports whether a version such as "3.12.1" is 3.12 or later.
func atLeast312(version string) bool {
	parts := strings.SplitN(version, ".", 3)
	if len(parts) < 2 {
		return false
	}
	major, err1 := strconv.Atoi(parts[0])
	minor, err2 := strconv.Atoi(parts[1])
	return err1 == nil && err2 == nil && (major > 3 || major == 3 && minor >= 12)
}

// choosePeerPython returns the interpreter named by flag, or the first of
// peerPythons that runs and is 3.12 or later.
func choosePeerPython(ctx context.Context, flag string) (pythonInfo, error) {
	candidates := peerPythons()
	if flag != "" {
		candidates = []string{flag}
	}
	var tried []string
	for _, c := range candidates {
		info, err := probePython(ctx, c)
		switch {
		case err != nil:
			tried = append(tried, c+" does not run")
		case !atLeast312(info.Version):
			tried = append(tried, fmt.Sprintf("%s is Python %s", c, info.Version))
		default:
			return info, nil
		}
	}
	return pythonInfo{}, fmt.Errorf("the peers need Python 3.12 or later (IPython 9.18 and hmr require it); give one with -peers-python (tried %s)", strings.Join(tried, "; "))
}

// setUpPeers creates a virtual environment in dir from python, installs the
// pinned peers into it from PyPI, and writes the probe beside it.
func setUpPeers(ctx context.Context, python pythonInfo, dir string) (peerEnv, error) {
	ctx, cancel := context.WithTimeout(ctx, installTimeout)
	defer cancel()
	began := time.Now()
	env := peerEnv{Python: python, Venv: filepath.Join(dir, "venv"), ProbeDir: filepath.Join(dir, "probe")}
	if out, err := exec.CommandContext(ctx, python.Path, "-m", "venv", env.Venv).CombinedOutput(); err != nil {
		return peerEnv{}, fmt.Errorf("create the peers' virtual environment: %s -m venv: %w\n%s", python.Path, err, out)
	}
	reqs := filepath.Join(dir, "requirements.txt")
	if err := os.WriteFile(reqs, []byte(peerRequirements), 0o644); err != nil {
		return peerEnv{}, fmt.Errorf("write the peers' requirements: %w", err)
	}
	install := exec.CommandContext(ctx, env.python(), "-m", "pip", "install", "--disable-pip-version-check", "-q", "-r", reqs)
	if out, err := install.CombinedOutput(); err != nil {
		return peerEnv{}, fmt.Errorf("install the peers from PyPI: pip install -r %s: %w\n%s", reqs, err, out)
	}
	out, err := exec.CommandContext(ctx, env.python(), "-m", "pip", "freeze", "--disable-pip-version-check").Output()
	if err != nil {
		return peerEnv{}, fmt.Errorf("list the peers' versions: pip freeze: %w", err)
	}
	for _, line := range strings.Fields(string(out)) {
		name, _, _ := strings.Cut(strings.ToLower(line), "==")
		if name == "jurigged" || name == "ipython" || name == "hmr" {
			env.Versions = append(env.Versions, line)
		}
	}
	if len(env.Versions) != 3 {
		return peerEnv{}, errors.New("install the peers: pip freeze does not list jurigged, ipython and hmr")
	}
	if err := os.MkdirAll(env.ProbeDir, 0o755); err != nil {
		return peerEnv{}, fmt.Errorf("write the probe: %w", err)
	}
	// hmr runs the scenario's own entry file: sitecustomize loads the probe
	// into its process first, as it does for any Python started with
	// ProbeDir on PYTHONPATH and HOTLOAD_BENCH_PEER=hmr.
	files := map[string]string{
		"_peerprobe.py":    peerProbeSource,
		"sitecustomize.py": "import os\n\nif os.environ.get(\"HOTLOAD_BENCH_PEER\") == \"hmr\":\n    import _peerprobe  # noqa: F401\n",
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(env.ProbeDir, name), []byte(content), 0o644); err != nil {
			return peerEnv{}, fmt.Errorf("write the probe: %w", err)
		}
	}
	env.InstallSeconds = time.Since(began).Seconds()
	return env, nil
}

// version returns the pinned version of a peer ("0.6.1"), or "".
func (e peerEnv) version(name string) string {
	for _, v := range e.Versions {
		if n, ver, ok := strings.Cut(v, "=="); ok && strings.EqualFold(n, name) {
			return ver
		}
	}
	return ""
}
