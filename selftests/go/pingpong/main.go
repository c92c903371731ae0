// A goroutine-heavy workload with one poisoned thread, for the cost of
// trace --exact (bench/trace/run.sh): the leader thread is poisoned as in
// the leak demo, then goroutines ping-pong over unbuffered channels
// (a dispatch per message) ROUNDS times.  Prints the time it took:
//
//	poisoned tid=<tid>
//	pingpong rounds=<n> ns=<elapsed>
package main

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"syscall"
	"time"
)

func poison() {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread() // the bug: no setns back first
	if err := syscall.Unshare(syscall.CLONE_NEWNET); err != nil {
		fmt.Fprintln(os.Stderr, "unshare(CLONE_NEWNET):", err)
		os.Exit(1)
	}
}

func main() {
	rounds, err := strconv.Atoi(os.Args[1])
	if err != nil || rounds <= 0 {
		fmt.Fprintln(os.Stderr, "usage: pingpong ROUNDS")
		os.Exit(2)
	}
	runtime.LockOSThread()
	poison()
	fmt.Printf("poisoned tid=%d\n", syscall.Gettid())
	runtime.UnlockOSThread()

	start := time.Now()
	const pairs = 4
	done := make(chan struct{})
	for p := 0; p < pairs; p++ {
		ping, pong := make(chan int), make(chan int)
		go func() {
			for v := range ping {
				pong <- v + 1
			}
			close(pong)
		}()
		go func() {
			for i := 0; i < rounds/pairs; i++ {
				ping <- i
				<-pong
			}
			close(ping)
			done <- struct{}{}
		}()
	}
	for p := 0; p < pairs; p++ {
		<-done
	}
	fmt.Printf("pingpong rounds=%d ns=%d\n", rounds, time.Since(start).Nanoseconds())
}
