// The second demo of the goroutine/namespace article: a goroutine locks its
// OS thread, unshares a new network namespace, spawns a goroutine, and
// unlocks without restoring the namespace.  The thread goes back to Go's
// pool poisoned, and main (and any other goroutine) later runs on it.
//
// It prints, one per line:
//
//	main tid=<tid> netns=<inode>
//	tainted tid=<tid> netns=<inode> goid=<goroutine id>
//	poisoned tid=<tid> netns=<inode>      (main now runs in the wrong netns)
//	ready
//
// then keeps goroutines busy until its standard input is closed.
package main

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

func netns() uint64 {
	var st syscall.Stat_t
	if err := syscall.Stat(fmt.Sprintf("/proc/self/task/%d/ns/net", syscall.Gettid()), &st); err != nil {
		panic(err)
	}
	return st.Ino
}

// goid parses the current goroutine's id from its stack header.
func goid() uint64 {
	buf := make([]byte, 64)
	buf = buf[:runtime.Stack(buf, false)]
	f := strings.Fields(string(buf))
	id, _ := strconv.ParseUint(f[1], 10, 64)
	return id
}

func goroutineWithNs() {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread() // the bug: no setns back first

	if err := syscall.Unshare(syscall.CLONE_NEWNET); err != nil {
		fmt.Fprintln(os.Stderr, "unshare(CLONE_NEWNET):", err)
		os.Exit(1)
	}
	fmt.Printf("tainted tid=%d netns=%d goid=%d\n", syscall.Gettid(), netns(), goid())

	wait := make(chan struct{})
	go func() { // runs on another thread, in the original netns
		wait <- struct{}{}
	}()
	<-wait
}

func main() {
	// Keep main on the leader thread until the demo: then the tainted
	// thread is deterministic (the leader) and main stays on it.
	runtime.LockOSThread()
	fmt.Printf("main tid=%d netns=%d\n", syscall.Gettid(), netns())
	goroutineWithNs()
	fmt.Printf("poisoned tid=%d netns=%d\n", syscall.Gettid(), netns())
	runtime.UnlockOSThread()

	// Keep working: short goroutines get scheduled on every thread, the
	// poisoned one included.
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				case <-time.After(time.Millisecond):
					runtime.Gosched()
				}
			}
		}()
	}
	fmt.Println("ready")
	bufio.NewReader(os.Stdin).ReadString('\n') // until stdin closes
	close(stop)
	wg.Wait()
}
