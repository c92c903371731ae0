// The correct pattern: lock the OS thread, setns into a network namespace,
// work there, setns back, unlock -- while other goroutines keep running.
// nstaint must see the namespace changes (ns_change, thread_tainted,
// thread_restored) but no goroutine on a tainted thread.
//
// It first makes the target namespace the same way (lock, unshare, keep an
// fd to it, setns back, unlock), then enters it ROUNDS times.  It prints:
//
//	target netns=<inode>
//	correct tid=<tid> goid=<goroutine id> rounds=<n>   (one per round)
//	done rounds=<n>
package main

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

const rounds = 20

const sysSetns = 308 // amd64

func die(what string, err error) {
	fmt.Fprintln(os.Stderr, what+":", err)
	os.Exit(1)
}

func setns(fd int) {
	if _, _, e := syscall.RawSyscall(sysSetns, uintptr(fd), syscall.CLONE_NEWNET, 0); e != 0 {
		die("setns", e)
	}
}

func openNetns() int {
	fd, err := syscall.Open(fmt.Sprintf("/proc/self/task/%d/ns/net", syscall.Gettid()), syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	if err != nil {
		die("open ns/net", err)
	}
	return fd
}

func inode(fd int) uint64 {
	var st syscall.Stat_t
	if err := syscall.Fstat(fd, &st); err != nil {
		die("fstat", err)
	}
	return st.Ino
}

func goid() uint64 {
	buf := make([]byte, 64)
	buf = buf[:runtime.Stack(buf, false)]
	id, _ := strconv.ParseUint(strings.Fields(string(buf))[1], 10, 64)
	return id
}

// makeTarget returns an fd to a new network namespace; the thread that
// made it is back home before it is unlocked.
func makeTarget() int {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	home := openNetns()
	defer syscall.Close(home)
	if err := syscall.Unshare(syscall.CLONE_NEWNET); err != nil {
		die("unshare", err)
	}
	target := openNetns()
	setns(home)
	return target
}

// inTarget is the pattern: everything between setns in and setns out runs
// on this locked thread and nowhere else.
func inTarget(home, target int, round int) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	setns(target)
	fmt.Printf("correct tid=%d goid=%d rounds=%d\n", syscall.Gettid(), goid(), round)
	time.Sleep(2 * time.Millisecond) // blocks: the thread parks, locked
	ts := syscall.Timespec{Nsec: 500000}
	syscall.Nanosleep(&ts, nil) // a syscall on the locked thread
	setns(home)
}

func main() {
	// Other goroutines keep the scheduler busy on every thread for the
	// whole run, so unlocked work would land on a tainted thread if the
	// pattern leaked one.
	var stop atomic.Bool
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				ts := syscall.Timespec{Nsec: 200000}
				syscall.Nanosleep(&ts, nil)
				runtime.Gosched()
			}
		}()
	}

	home := openNetns()
	target := makeTarget()
	fmt.Printf("target netns=%d\n", inode(target))
	var rw sync.WaitGroup
	for r := 1; r <= rounds; r++ {
		rw.Add(1)
		go func(r int) {
			defer rw.Done()
			inTarget(home, target, r)
		}(r)
		time.Sleep(3 * time.Millisecond)
	}
	rw.Wait()
	time.Sleep(50 * time.Millisecond) // the workers run on every thread
	stop.Store(true)
	wg.Wait()
	fmt.Printf("done rounds=%d\n", rounds)
}
