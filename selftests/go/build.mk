# Real Go programs used by the selftests, built with Debian's golang-go:
# selftests/go/<name>/main.go -> $(O)/selftests/go/<name>.
GO_PROGS := $(patsubst selftests/go/%/main.go,$(O)/selftests/go/%,$(sort $(wildcard selftests/go/*/main.go)))
GO_ENV   := GOCACHE=$(OUT)/gocache GOPATH=$(OUT)/gopath GO111MODULE=off GOFLAGS=-mod=mod CGO_ENABLED=0

ALL += $(GO_PROGS)

$(O)/selftests/go/%: selftests/go/%/main.go
	$(call msg,GO,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)cd $(dir $<) && env $(GO_ENV) GOFLAGS= $(GO) build -o $(abspath $@) .

# cgo programs (selftests/go/cgo*/) link with libc, which owns the TLS.
$(filter $(O)/selftests/go/cgo%,$(GO_PROGS)): GO_ENV += CGO_ENABLED=1
$(O)/selftests/go/cgoleak $(O)/selftests/go/cgoleak-stripped: selftests/go/cgoleak/tls.go

# Stripped builds (no symbol table, no DWARF) for the version-table
# fallback of Go attribution: make $(O)/selftests/go/<name>-stripped.
GO_STRIPPED := $(addsuffix -stripped,$(O)/selftests/go/leak $(O)/selftests/go/cgoleak)
ALL += $(GO_STRIPPED)
$(O)/selftests/go/cgoleak-stripped: GO_ENV += CGO_ENABLED=1

$(O)/selftests/go/%-stripped: selftests/go/%/main.go
	$(call msg,GO,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)cd $(dir $<) && env $(GO_ENV) GOFLAGS= $(GO) build -ldflags='-s -w' -o $(abspath $@) .
