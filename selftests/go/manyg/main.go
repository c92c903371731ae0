// Many goroutines seen twice each on one poisoned thread, for the bounds
// of nstaint's dedup table.  As in spin.go the leader thread is poisoned
// with main on it and GOMAXPROCS=1 keeps every goroutine on that thread.
// Each of N goroutines sleeps in nanosleep(2) twice (RawSyscall: the P
// stays on the thread, which blocks, so the kernel switches it out with
// that goroutine current), once per round.
//
// It prints:
//
//	poisoned tid=<tid>
//	done n=<N> rounds=2
package main

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"sync"
	"syscall"
	"unsafe"
)

func poison() {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread() // the bug: no setns back first
	if err := syscall.Unshare(syscall.CLONE_NEWNET); err != nil {
		fmt.Fprintln(os.Stderr, "unshare(CLONE_NEWNET):", err)
		os.Exit(1)
	}
}

func nap() {
	ts := syscall.Timespec{Nsec: 1000}
	syscall.RawSyscall(syscall.SYS_NANOSLEEP, uintptr(unsafe.Pointer(&ts)), 0, 0)
}

func main() {
	n, err := strconv.Atoi(os.Args[1])
	if err != nil || n <= 0 {
		fmt.Fprintln(os.Stderr, "usage: manyg N")
		os.Exit(2)
	}
	runtime.GOMAXPROCS(1)
	runtime.LockOSThread()
	poison()
	fmt.Printf("poisoned tid=%d\n", syscall.Gettid())
	runtime.UnlockOSThread()

	var first, second sync.WaitGroup
	round2 := make(chan struct{})
	first.Add(n)
	second.Add(n)
	for i := 0; i < n; i++ {
		go func() {
			nap()
			first.Done()
			<-round2
			nap()
			second.Done()
		}()
	}
	first.Wait()
	close(round2)
	second.Wait()
	fmt.Printf("done n=%d rounds=2\n", n)
}
