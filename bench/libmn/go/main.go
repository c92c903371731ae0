// Go side of bench/libmn: the same workloads as ../mnbench.c, one result
// per line as "<name> <value> <unit>".  Built and run by ../run.sh.
package main

import (
	"fmt"
	"io"
	"net"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

var nOps int64 = 1000000

func report(name string, v float64, unit string) {
	fmt.Printf("%s %.2f %s\n", name, v, unit)
}

func benchSpawn() {
	var wg sync.WaitGroup
	t0 := time.Now()
	for i := int64(0); i < nOps; i++ {
		wg.Add(1)
		go func() { wg.Done() }()
		wg.Wait()
	}
	report("spawn_join", float64(time.Since(t0).Nanoseconds())/float64(nOps), "ns/op")
}

func benchPingPong() {
	a, b := make(chan int), make(chan int)
	go func() {
		for v := range a {
			b <- v
		}
	}()
	t0 := time.Now()
	v := 0
	for i := int64(0); i < nOps; i++ {
		a <- v
		v = <-b
	}
	report("pingpong_roundtrip", float64(time.Since(t0).Nanoseconds())/float64(nOps), "ns/op")
	close(a)
}

func benchYield() {
	t0 := time.Now()
	for i := int64(0); i < nOps; i++ {
		runtime.Gosched()
	}
	report("yield", float64(time.Since(t0).Nanoseconds())/float64(nOps), "ns/op")
}

var mu sync.Mutex
var shared int64

func benchMutex() {
	n := nOps * 10
	t0 := time.Now()
	for i := int64(0); i < n; i++ {
		mu.Lock()
		shared++
		mu.Unlock()
	}
	report("mutex_uncontended", float64(time.Since(t0).Nanoseconds())/float64(n), "ns/op")
}

func benchMutex4() {
	total := nOps * 4
	var wg sync.WaitGroup
	t0 := time.Now()
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			for j := int64(0); j < total/4; j++ {
				mu.Lock()
				shared++
				mu.Unlock()
			}
			wg.Done()
		}()
	}
	wg.Wait()
	report("mutex_contended4", float64(time.Since(t0).Nanoseconds())/float64(total), "ns/op")
}

func skynet(c chan int64, num, size int64) {
	if size == 1 {
		c <- num
		return
	}
	rc := make(chan int64)
	sub := size / 10
	for i := int64(0); i < 10; i++ {
		go skynet(rc, num+i*sub, sub)
	}
	var sum int64
	for i := 0; i < 10; i++ {
		sum += <-rc
	}
	c <- sum
}

func benchSkynet() {
	c := make(chan int64)
	t0 := time.Now()
	go skynet(c, 0, 1000000)
	sum := <-c
	if sum != 499999500000 {
		fmt.Fprintln(os.Stderr, "skynet: wrong sum", sum)
	}
	report("skynet_1M", float64(time.Since(t0).Nanoseconds())/1e6, "ms")
}

func benchChanBuffered() {
	c := make(chan int64, 128)
	t0 := time.Now()
	go func() {
		for i := int64(0); i < nOps; i++ {
			c <- i
		}
		close(c)
	}()
	var sum int64
	for v := range c {
		sum += v
	}
	if sum != nOps*(nOps-1)/2 {
		fmt.Fprintln(os.Stderr, "chan_buffered: wrong sum", sum)
	}
	report("chan_buffered", float64(time.Since(t0).Nanoseconds())/float64(nOps), "ns/op")
}

func benchSelect4() {
	var c [4]chan int64
	n := nOps / 4 * 4
	for i := range c {
		c[i] = make(chan int64)
	}
	t0 := time.Now()
	for i := range c {
		go func(c chan int64) {
			for j := int64(0); j < nOps/4; j++ {
				c <- 1
			}
		}(c[i])
	}
	var sum, v int64
	for i := int64(0); i < n; i++ {
		select {
		case v = <-c[0]:
		case v = <-c[1]:
		case v = <-c[2]:
		case v = <-c[3]:
		}
		sum += v
	}
	if sum != n {
		fmt.Fprintln(os.Stderr, "select4: wrong sum", sum)
	}
	report("select4", float64(time.Since(t0).Nanoseconds())/float64(n), "ns/op")
}

const timerTasks, timerRounds = 10000, 50

func benchTimers() {
	var wg sync.WaitGroup
	t0 := time.Now()
	for i := 0; i < timerTasks; i++ {
		wg.Add(1)
		go func() {
			for j := 0; j < timerRounds; j++ {
				time.Sleep(time.Millisecond)
			}
			wg.Done()
		}()
	}
	wg.Wait()
	report("timers_10k", float64(time.Since(t0).Nanoseconds())/(timerTasks*timerRounds), "ns/op")
}

const echoClients, echoReqs, echoMsg = 1000, 100, 64

func pct(sorted []int64, perMille int) float64 {
	return float64(sorted[len(sorted)*perMille/1000]) / 1e3
}

// echoDetail prints the first requests' percentiles apart from the
// later ones' (stderr), as mnbench.c's echo_detail does.
func echoDetail(lat []int64) {
	var first, later []int64
	for k, v := range lat {
		if k%echoReqs == 0 {
			first = append(first, v)
		} else {
			later = append(later, v)
		}
	}
	sort.Slice(first, func(i, j int) bool { return first[i] < first[j] })
	sort.Slice(later, func(i, j int) bool { return later[i] < later[j] })
	fmt.Fprintf(os.Stderr, "echo_1000 us: first requests p50 %.0f p99 %.0f; later p50 %.0f p90 %.0f p99 %.0f\n",
		pct(first, 500), pct(first, 990), pct(later, 500), pct(later, 900), pct(later, 990))
}

func benchEcho() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, "echo: listen:", err)
		os.Exit(1)
	}
	// The clock starts once every connection is set up at both ends:
	// each client connected, each accepted and its server goroutine
	// running, as in mnbench.c.
	var ready, done sync.WaitGroup
	ready.Add(2 * echoClients)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func(c net.Conn) {
				buf := make([]byte, echoMsg)
				ready.Done()
				for {
					if _, err := io.ReadFull(c, buf); err != nil {
						break
					}
					if _, err := c.Write(buf); err != nil {
						break
					}
				}
				c.Close()
			}(c)
		}
	}()
	lat := make([]int64, echoClients*echoReqs)
	start := make(chan struct{})
	for i := 0; i < echoClients; i++ {
		done.Add(1)
		go func(lat []int64) {
			c, err := net.Dial("tcp", ln.Addr().String())
			if err != nil {
				fmt.Fprintln(os.Stderr, "echo: connect:", err)
				os.Exit(1)
			}
			// RST on close: no TIME_WAIT left behind to exhaust local ports
			c.(*net.TCPConn).SetLinger(0)
			buf := make([]byte, echoMsg)
			copy(buf, "ping")
			ready.Done()
			<-start
			for j := range lat {
				t := time.Now()
				if _, err := c.Write(buf); err != nil {
					fmt.Fprintln(os.Stderr, "echo: request failed:", err)
					os.Exit(1)
				}
				if _, err := io.ReadFull(c, buf); err != nil {
					fmt.Fprintln(os.Stderr, "echo: request failed:", err)
					os.Exit(1)
				}
				lat[j] = time.Since(t).Nanoseconds()
			}
			c.Close()
			done.Done()
		}(lat[i*echoReqs : (i+1)*echoReqs])
	}
	ready.Wait()
	t0 := time.Now()
	close(start)
	done.Wait()
	report("echo_1000_rps", float64(len(lat))*1e9/float64(time.Since(t0).Nanoseconds()), "req/s")
	echoDetail(lat)
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	report("echo_1000_p99", pct(lat, 990), "us")
	ln.Close()
}

func rssKB() int64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	v, _ := strconv.ParseInt(f[1], 10, 64)
	return v * int64(os.Getpagesize()) / 1024
}

func benchParkedMem() {
	const n = 100000
	c := make(chan struct{})
	var wg sync.WaitGroup
	runtime.GC()
	before := rssKB()
	var started int64
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() { atomic.AddInt64(&started, 1); <-c; wg.Done() }()
	}
	// as the C side: every goroutine has run up to its receive, then parks
	for atomic.LoadInt64(&started) < n {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(10 * time.Millisecond)
	after := rssKB()
	report("parked_task_mem", float64(after-before)*1024/n, "bytes")
	close(c)
	wg.Wait()
}

func main() {
	only := ""
	if len(os.Args) > 1 {
		only = os.Args[1]
	}
	if s := os.Getenv("MNBENCH_OPS"); s != "" {
		nOps, _ = strconv.ParseInt(s, 10, 64)
	}
	run := func(name string, f func()) {
		if only == "" || only == name {
			f()
		}
	}
	run("spawn_join", benchSpawn)
	run("pingpong_roundtrip", benchPingPong)
	run("yield", benchYield)
	run("mutex_uncontended", benchMutex)
	run("mutex_contended4", benchMutex4)
	run("skynet_1M", benchSkynet)
	run("chan_buffered", benchChanBuffered)
	run("select4", benchSelect4)
	run("timers_10k", benchTimers)
	run("echo_1000", benchEcho)
	run("parked_task_mem", benchParkedMem)
}
