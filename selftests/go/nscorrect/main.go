// The correct pattern: lock the thread, enter a new network namespace, work,
// setns back to the original, unlock.  nstaint must see the namespace
// changes but no goroutine running on a tainted thread.
//
// Prints "correct tid=<tid>" and, after the goroutines ran, "done".
package main

import (
	"fmt"
	"os"
	"runtime"
	"sync"
	"syscall"
	"time"
)

func inNewNetns() {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()

	orig, err := syscall.Open(fmt.Sprintf("/proc/self/task/%d/ns/net", syscall.Gettid()), syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	if err != nil {
		fmt.Fprintln(os.Stderr, "open:", err)
		os.Exit(1)
	}
	defer syscall.Close(orig)
	if err := syscall.Unshare(syscall.CLONE_NEWNET); err != nil {
		fmt.Fprintln(os.Stderr, "unshare:", err)
		os.Exit(1)
	}
	fmt.Printf("correct tid=%d\n", syscall.Gettid())
	time.Sleep(20 * time.Millisecond) // work inside, locked
	// setns(fd, CLONE_NEWNET): back home before unlocking.
	if _, _, e := syscall.RawSyscall(308, uintptr(orig), syscall.CLONE_NEWNET, 0); e != 0 {
		fmt.Fprintln(os.Stderr, "setns:", e)
		os.Exit(1)
	}
}

func main() {
	runtime.LockOSThread()
	inNewNetns()
	runtime.UnlockOSThread()

	// Goroutines that block in syscalls on every thread, the one that was
	// in the other namespace included.
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 50; j++ {
				ts := syscall.Timespec{Nsec: 1000000}
				syscall.Nanosleep(&ts, nil)
			}
		}()
	}
	wg.Wait()
	fmt.Println("done")
}
