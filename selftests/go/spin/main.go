// A goroutine that makes no system call runs on a poisoned thread, for
// trace --exact.  As in the leak demo, main locks the leader thread, a
// nested locked call unshares a network namespace and unlocks without
// restoring, and main unlocks: the leader goes back to the pool poisoned,
// with main still on it.  With GOMAXPROCS=1 that thread holds the only P,
// so the goroutine main starts and waits for is dispatched right there,
// and computes without entering the kernel.
//
// It prints:
//
//	poisoned tid=<tid>
//	spin goid=<goroutine id> sum=<result>
package main

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
)

func goid() uint64 {
	buf := make([]byte, 64)
	buf = buf[:runtime.Stack(buf, false)]
	id, _ := strconv.ParseUint(strings.Fields(string(buf))[1], 10, 64)
	return id
}

func poison() {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread() // the bug: no setns back first
	if err := syscall.Unshare(syscall.CLONE_NEWNET); err != nil {
		fmt.Fprintln(os.Stderr, "unshare(CLONE_NEWNET):", err)
		os.Exit(1)
	}
}

// spin is CPU only: short enough (well under sysmon's 10 ms preemption)
// that no signal, hence no rt_sigreturn, interrupts it.
func spin(out chan<- [2]uint64) {
	var sum uint64
	for i := uint64(0); i < 200000; i++ {
		sum += i * i
	}
	out <- [2]uint64{goid(), sum}
}

func main() {
	runtime.GOMAXPROCS(1)
	runtime.LockOSThread()
	poison()
	fmt.Printf("poisoned tid=%d\n", syscall.Gettid())
	runtime.UnlockOSThread()

	out := make(chan [2]uint64)
	go spin(out)
	r := <-out
	fmt.Printf("spin goid=%d sum=%d\n", r[0], r[1])
}
