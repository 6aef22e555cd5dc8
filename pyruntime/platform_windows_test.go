package pyruntime

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/hotload-dev/hotload/pyruntime/pyruntimetest"
)

// treeHelper names the environment variable that makes the test binary a
// helper process: "parent" starts a "child" copy of itself, prints both
// pids and waits; "child" waits.
const treeHelper = "HOTLOAD_TEST_TREE"

// The Job Object holds the process the server started and what that
// process started: killing the group, or releasing it (what the server's
// exit does), ends both. No Python is needed: the processes are this test
// binary. It runs on Windows only; here make cross compiles it (Debian 12's
// Wine 8 cannot run Go 1.26 binaries: they need bcryptprimitives.dll).
func TestJobObjectEndsTheTree(t *testing.T) {
	for _, end := range []string{"kill", "release"} {
		t.Run(end, func(t *testing.T) {
			g := newProcessGroup()
			cmd := exec.Command(os.Args[0], "-test.run=^TestTreeHelper$")
			cmd.Env = append(os.Environ(), treeHelper+"=parent")
			out, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			g.prepare(cmd)
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			if err := g.started(cmd); err != nil {
				_ = cmd.Process.Kill()
				t.Fatalf("started: %v", err)
			}
			// The process was started suspended: it prints only once resumed.
			line, err := bufio.NewReader(out).ReadString('\n')
			if err != nil {
				t.Fatalf("helper said %q: %v", line, err)
			}
			var parent, child int
			if _, err := fmt.Sscan(line, &parent, &child); err != nil {
				t.Fatalf("helper said %q: %v", line, err)
			}
			switch end {
			case "kill":
				if err := g.kill(cmd); err != nil {
					t.Fatalf("kill: %v", err)
				}
				_ = cmd.Wait()
				g.release()
			case "release":
				g.release()
				_ = cmd.Wait()
			}
			for _, pid := range []int{parent, child} {
				pyruntimetest.WaitGone(t, pid, 10*time.Second)
			}
		})
	}
}

// TestTreeHelper is the helper process of TestJobObjectEndsTheTree; run
// as a test, it only says so.
func TestTreeHelper(t *testing.T) {
	switch os.Getenv(treeHelper) {
	case "parent":
		child := exec.Command(os.Args[0], "-test.run=^TestTreeHelper$")
		child.Env = append(os.Environ(), treeHelper+"=child")
		if err := child.Start(); err != nil {
			fmt.Println("error", err)
			os.Exit(1)
		}
		fmt.Println(os.Getpid(), child.Process.Pid)
		time.Sleep(time.Hour) // until the job ends
	case "child":
		time.Sleep(time.Hour)
	default:
		t.Skip("the helper process of TestJobObjectEndsTheTree")
	}
	os.Exit(0)
}
