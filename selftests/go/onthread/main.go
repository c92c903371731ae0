// Workloads that run goroutines on one poisoned thread, for the selftests
// and benchmarks of trace --exact and of the dedup table.  As in the leak
// demo, main locks the leader thread, a nested locked call unshares a
// network namespace and unlocks without restoring (the bug), and main
// unlocks: the leader goes back to the pool poisoned, with main on it.
//
//	onthread spin          GOMAXPROCS=1 (that thread holds the only P):
//	                       one goroutine computes without a system call
//	                       on it; prints "spin goid=<id> sum=<n>"
//	onthread sleepers N    GOMAXPROCS=1: N goroutines each sleep twice in
//	                       nanosleep(2) (RawSyscall: the P stays, the
//	                       thread blocks, the kernel switches it out with
//	                       that goroutine current), once per round
//	onthread pingpong R    4 goroutine pairs ping-pong R messages over
//	                       unbuffered channels (a dispatch each); prints
//	                       "pingpong rounds=<R> ns=<elapsed>"
//
// Each first prints "poisoned tid=<tid>", last "done".
package main

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
	"unsafe"
)

func die(msg string) {
	fmt.Fprintln(os.Stderr, msg)
	os.Exit(2)
}

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
		die("unshare(CLONE_NEWNET): " + err.Error())
	}
}

// spin is CPU only: short enough (well under sysmon's 10 ms preemption)
// that no signal, hence no rt_sigreturn, interrupts it.
func spin() {
	out := make(chan [2]uint64)
	go func() {
		var sum uint64
		for i := uint64(0); i < 20000; i++ {
			sum += i * i
		}
		out <- [2]uint64{goid(), sum}
	}()
	r := <-out
	fmt.Printf("spin goid=%d sum=%d\n", r[0], r[1])
}

func nap() {
	ts := syscall.Timespec{Nsec: 1000}
	syscall.RawSyscall(syscall.SYS_NANOSLEEP, uintptr(unsafe.Pointer(&ts)), 0, 0)
}

func sleepers(n int) {
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
}

func pingpong(rounds int) {
	const pairs = 4
	start := time.Now()
	done := make(chan struct{})
	for p := 0; p < pairs; p++ {
		ping, pong := make(chan int), make(chan int)
		go func() {
			for v := range ping {
				pong <- v + 1
			}
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

func main() {
	n := 0
	if len(os.Args) == 3 {
		var err error
		if n, err = strconv.Atoi(os.Args[2]); err != nil || n <= 0 {
			die("onthread: bad count " + os.Args[2])
		}
	}
	mode := ""
	if len(os.Args) > 1 {
		mode = os.Args[1]
	}
	switch {
	case mode == "spin" && len(os.Args) == 2, mode == "sleepers" && n > 0:
		runtime.GOMAXPROCS(1)
	case mode == "pingpong" && n > 0:
	default:
		die("usage: onthread spin | sleepers N | pingpong ROUNDS")
	}
	runtime.LockOSThread()
	poison()
	fmt.Printf("poisoned tid=%d\n", syscall.Gettid())
	runtime.UnlockOSThread()
	switch mode {
	case "spin":
		spin()
	case "sleepers":
		sleepers(n)
	case "pingpong":
		pingpong(n)
	}
	fmt.Println("done")
}
