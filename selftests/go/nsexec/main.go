// os/exec from a locked thread inside a new network namespace: the child
// process is cloned from the tainted thread and inherits the thread's
// namespace, not the process's home one.  The thread then goes back home
// before unlocking.
//
// Prints "exec tid=<tid>" and "child pid=<pid> netns=<inode>".
package main

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"syscall"
)

func main() {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()

	orig, err := syscall.Open(fmt.Sprintf("/proc/self/task/%d/ns/net", syscall.Gettid()), syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	if err != nil {
		fmt.Fprintln(os.Stderr, "open:", err)
		os.Exit(1)
	}
	if err := syscall.Unshare(syscall.CLONE_NEWNET); err != nil {
		fmt.Fprintln(os.Stderr, "unshare:", err)
		os.Exit(1)
	}
	fmt.Printf("exec tid=%d\n", syscall.Gettid())
	cmd := exec.Command("/bin/readlink", "/proc/self/ns/net")
	out, err := cmd.Output()
	if err != nil {
		fmt.Fprintln(os.Stderr, "exec:", err)
		os.Exit(1)
	}
	fmt.Printf("child pid=%d netns=%s", cmd.Process.Pid, out)
	if _, _, e := syscall.RawSyscall(308, uintptr(orig), syscall.CLONE_NEWNET, 0); e != 0 {
		fmt.Fprintln(os.Stderr, "setns:", e)
		os.Exit(1)
	}
}
