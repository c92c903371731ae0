// Ground truth for nstaint's system call attribution, from the kernel.
//
// A goroutine poisons its thread and hands it back to Go's pool unlocked,
// then N short goroutines each make one system call whose namespace the
// kernel can tell afterwards:
//
//	net: socket(AF_INET, SOCK_DGRAM); ioctl SIOCGSKNS gives the socket's
//	     network namespace (moby/libnetwork#1113).
//	mnt: the poisoner unshared a mount namespace and mounted a tmpfs on a
//	     directory (the ns.Do mount leak, containers container-libs#1109);
//	     open(dir/marker) resolves on the tmpfs iff the open ran there
//	     (fstat's st_dev).
//
// It prints, one per line:
//
//	home tid=<tid> <net|mnt>=<home identity>
//	poisoned tid=<tid>
//	wrong goid=<id>      (one per goroutine whose call landed wrong)
//	right goid=<id>      (one per goroutine whose call landed home)
//	done n=<N> wrong=<count>
//
// "sockns idle" prints "ready" and waits for its standard input to end:
// a live process of this binary, for a tracer to read at leisure.
package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
)

const siocgskns = 0x894C // <linux/sockios.h>

func die(what string, err error) {
	fmt.Fprintln(os.Stderr, what+":", err)
	os.Exit(1)
}

// goid parses the current goroutine's id from its stack header.
func goid() uint64 {
	buf := make([]byte, 64)
	buf = buf[:runtime.Stack(buf, false)]
	id, _ := strconv.ParseUint(strings.Fields(string(buf))[1], 10, 64)
	return id
}

// sockNetns creates a UDP socket and returns the inode of the network
// namespace the kernel put it in.
func sockNetns() uint64 {
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_DGRAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		die("socket", err)
	}
	defer syscall.Close(fd)
	nsfd, _, e := syscall.Syscall(syscall.SYS_IOCTL, uintptr(fd), siocgskns, 0)
	if e != 0 {
		die("ioctl SIOCGSKNS", e)
	}
	defer syscall.Close(int(nsfd))
	var st syscall.Stat_t
	if err := syscall.Fstat(int(nsfd), &st); err != nil {
		die("fstat netns", err)
	}
	return st.Ino
}

// markerDev opens @path and returns the device of the file it reached.
func markerDev(path string) uint64 {
	fd, err := syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	if err != nil {
		die("open "+path, err)
	}
	defer syscall.Close(fd)
	var st syscall.Stat_t
	if err := syscall.Fstat(fd, &st); err != nil {
		die("fstat marker", err)
	}
	return st.Dev
}

func mount(src, dst, fstype string, flags uintptr) {
	if err := syscall.Mount(src, dst, fstype, flags, ""); err != nil {
		die("mount "+dst, err)
	}
}

// poison runs on a goroutine of its own: lock, move the thread, unlock
// without moving back (the bug), so the thread returns to the pool.  Then,
// still on it, it releases the waiting goroutines: they are queued on this
// thread's P, so at least the first of them runs here.  It wakes nobody
// else: waking main, which is locked to its own thread, would hand this P
// over to that thread.  Its tid goes to *tid (read after they all ran).
func poison(mode, dir string, tid *int, start chan struct{}) {
	runtime.LockOSThread()
	switch mode {
	case "net":
		if err := syscall.Unshare(syscall.CLONE_NEWNET); err != nil {
			die("unshare(CLONE_NEWNET)", err)
		}
	case "mnt":
		if err := syscall.Unshare(syscall.CLONE_NEWNS); err != nil {
			die("unshare(CLONE_NEWNS)", err)
		}
		// Private first: the tmpfs must not propagate to the host.
		mount("", "/", "", syscall.MS_REC|syscall.MS_PRIVATE)
		mount("nstaint-sockns", dir, "tmpfs", 0)
		if err := os.WriteFile(filepath.Join(dir, "marker"), nil, 0o600); err != nil {
			die("write tmpfs marker", err)
		}
	}
	runtime.UnlockOSThread()
	*tid = syscall.Gettid()
	close(start)
}

func main() {
	if len(os.Args) == 2 && os.Args[1] == "idle" {
		fmt.Println("ready")
		io.Copy(io.Discard, os.Stdin)
		return
	}
	if len(os.Args) != 3 || (os.Args[1] != "net" && os.Args[1] != "mnt") {
		fmt.Fprintln(os.Stderr, "usage: sockns net|mnt N | sockns idle")
		os.Exit(2)
	}
	// main keeps the leader thread, which is never poisoned: its own
	// calls (the mount-mode cleanup above all) run at home.
	runtime.LockOSThread()
	mode := os.Args[1]
	n, err := strconv.Atoi(os.Args[2])
	if err != nil || n <= 0 {
		die("bad N", fmt.Errorf("%q", os.Args[2]))
	}
	dir, marker := "", ""
	var home uint64
	if mode == "mnt" {
		if dir, err = os.MkdirTemp("", "sockns"); err != nil {
			die("mkdtemp", err)
		}
		defer os.RemoveAll(dir)
		marker = filepath.Join(dir, "marker")
		if err := os.WriteFile(marker, nil, 0o600); err != nil {
			die("write marker", err)
		}
		home = markerDev(marker)
	} else {
		home = sockNetns()
	}
	fmt.Printf("home tid=%d %s=%d\n", syscall.Gettid(), mode, home)

	// Short goroutines, all at once once the thread is poisoned: Go runs
	// them on every thread of its pool, the poisoned one included.
	var mu sync.Mutex
	var wrong, right []uint64
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			var got uint64
			if mode == "net" {
				got = sockNetns()
			} else {
				got = markerDev(marker)
			}
			id := goid()
			mu.Lock()
			if got != home {
				wrong = append(wrong, id)
			} else {
				right = append(right, id)
			}
			mu.Unlock()
		}()
	}
	var tid int
	go poison(mode, dir, &tid, start)
	wg.Wait() // after close(start): tid is set (happens-before via start)
	fmt.Printf("poisoned tid=%d\n", tid)
	for _, id := range wrong {
		fmt.Printf("wrong goid=%d\n", id)
	}
	for _, id := range right {
		fmt.Printf("right goid=%d\n", id)
	}
	fmt.Printf("done n=%d wrong=%d\n", n, len(wrong))
}
