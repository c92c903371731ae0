// One link of an exec storm (selftests/bpf/execstorm.c): it counts itself
// in DIR/count then, unless DIR/stop exists, execs the next of the N
// copies of itself COPIES/0 .. COPIES/N-1.  Each exec is then of a file
// nstaint has not read lately, whose Go offsets it reads from DWARF.
//
// Usage: execloop DIR COPIES N I (I: the copy running now)
package main

import (
	"fmt"
	"os"
	"strconv"
	"syscall"
)

func main() {
	if len(os.Args) != 5 {
		fmt.Fprintln(os.Stderr, "usage: execloop DIR COPIES N I")
		os.Exit(2)
	}
	dir, copies := os.Args[1], os.Args[2]
	n, err1 := strconv.Atoi(os.Args[3])
	i, err2 := strconv.Atoi(os.Args[4])
	if err1 != nil || err2 != nil || n < 1 {
		fmt.Fprintln(os.Stderr, "execloop: bad N or I")
		os.Exit(2)
	}
	f, err := os.OpenFile(dir+"/count", os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0644)
	if err == nil {
		_, err = f.Write([]byte("x"))
		f.Close()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "execloop:", err)
		os.Exit(1)
	}
	if _, err := os.Stat(dir + "/stop"); err == nil {
		os.Exit(0)
	}
	next := strconv.Itoa((i + 1) % n)
	path := copies + "/" + next
	err = syscall.Exec(path, []string{path, dir, copies, os.Args[3], next}, os.Environ())
	fmt.Fprintln(os.Stderr, "execloop: exec:", err)
	os.Exit(1)
}
