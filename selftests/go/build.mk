# Real Go programs used by the selftests, built with Debian's golang-go:
# selftests/go/<name>/main.go -> $(O)/selftests/go/<name>.
GO_PROGS := $(patsubst selftests/go/%/main.go,$(O)/selftests/go/%,$(sort $(wildcard selftests/go/*/main.go)))
GO_ENV   := GOCACHE=$(TOP)/$(O)/gocache GOPATH=$(TOP)/$(O)/gopath GO111MODULE=off GOFLAGS=-mod=mod CGO_ENABLED=0

ALL += $(GO_PROGS)

$(O)/selftests/go/%: selftests/go/%/main.go
	$(call msg,GO,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)cd $(dir $<) && env $(GO_ENV) GOFLAGS= $(GO) build -o $(TOP)/$@ .
