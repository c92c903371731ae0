// The leak demo (main.go, shared with selftests/go/leak) built as a cgo
// program.  A C thread-local variable makes the executable's TLS block
// larger than Go's own g slot, so g is not at fsbase-8 as in a pure-Go
// binary: nstaint must find it through runtime.tlsg and PT_TLS.
package main

/*
static __thread char ctls[100];

static int touch_tls(void) { return ++ctls[0]; }
*/
import "C"

func init() { C.touch_tls() }
