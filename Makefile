# forkscope: process-lifecycle inspector.
#   make          build bpf objects, skeletons and the forkscope binary
#   make run      install what is missing, build, trace this machine live
#   make check    install what is missing, build, run every test suite
#   make install  the binary, man pages, bash completion, docs, the
#                 exporter's systemd unit and alert rules under PREFIX
#                 (default /usr/local), below DESTDIR if set;
#                 make install-dkms: the module's source for DKMS
#   make clean

O	?= build
CC	?= gcc
CLANG	?= clang
BPFTOOL	?= bpftool
LLVM_STRIP ?= llvm-strip
ARCH	:= $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')
VMLINUX_BTF ?= /sys/kernel/btf/vmlinux
KSFT_SRC ?= /usr/src/linux-source-6.12.tar.xz
# The version has one source: the first line of debian/changelog (less a
# Debian revision, were there one).
VERSION	:= $(shell sed -n '1s/^[^ ]* (\([^)-]*\).*/\1/p' debian/changelog)
CPPFLAGS += -DFORKSCOPE_VERSION='"$(VERSION)"'

PREFIX	?= /usr/local
sbindir	?= $(PREFIX)/sbin
man8dir	?= $(PREFIX)/share/man/man8
bashcompdir ?= $(PREFIX)/share/bash-completion/completions
docdir	?= $(PREFIX)/share/doc/forkscope
datadir	?= $(PREFIX)/share/forkscope
# systemd reads units in /usr/local/lib/systemd/system too.
unitdir	?= $(PREFIX)/lib/systemd/system
# DKMS looks for sources in /usr/src alone, whatever the PREFIX.
dkmsdir	?= /usr/src/forkscope-$(VERSION)

CFLAGS	?= -O2 -g
CFLAGS	+= -Wall -Wextra -Wshadow -Wno-unused-parameter -Werror=implicit \
	   -std=gnu11 -D_GNU_SOURCE -Iinclude
BPF_CFLAGS := -g -O2 -Wall -Werror -target bpf -D__TARGET_ARCH_$(ARCH) \
	   -Iinclude -I$(O)
LIBS	= $(shell pkg-config --libs libbpf libprotobuf-c libmicrohttpd libdw) -lelf -lz -lzstd -lm
# The suites read what forkscope writes with a parser of their own.
TEST_LIBS = $(LIBS) $(shell pkg-config --libs json-c)

BPF_SRCS := $(wildcard bpf/*.bpf.c)
SKELS	:= $(patsubst bpf/%.bpf.c,$(O)/%.skel.h,$(BPF_SRCS))

# cli/ is layered; data flows up the list. Each layer is compiled seeing
# only its own headers and those of the layers below it, so an include
# that points the wrong way does not build.
LAYERS	:= base decode source model view cmd
# Views never see sources: they are handed the model.
LAYER_INC_base	 := -Icli/base
LAYER_INC_decode := $(LAYER_INC_base) -Icli/decode
LAYER_INC_source := $(LAYER_INC_decode) -Icli/source -I$(O) -Ibpf
LAYER_INC_model	 := $(LAYER_INC_source) -Icli/model
# The Perfetto view writes protobuf-c messages generated into $(O)/proto.
LAYER_INC_view	 := $(LAYER_INC_decode) -Icli/model -Icli/view -I$(O)/proto
LAYER_INC_cmd	 := $(LAYER_INC_model) -Icli/view -Icli/cmd
ALL_LAYER_INC	 := $(LAYER_INC_cmd)

LIB_SRCS := $(filter-out cli/cmd/main.c,$(wildcard $(LAYERS:%=cli/%/*.c)))
# Perfetto's trace format, trimmed to what forkscope writes, same field
# numbers: compiled by protoc-c at build time, never committed.
PROTOS	:= $(wildcard proto/*.proto)
PB_SRCS	:= $(patsubst proto/%.proto,$(O)/proto/%.pb-c.c,$(PROTOS))
PB_HDRS	:= $(PB_SRCS:.c=.h)
LIB_OBJS := $(patsubst cli/%.c,$(O)/cli/%.o,$(LIB_SRCS)) $(PB_SRCS:.c=.o)
# export --html's page: its template, style and code, edited as the files
# they are and compiled into the view as byte arrays (html_assets.h).
HTML_ASSETS := cli/view/html/page.html cli/view/html/timeline.css \
	       cli/view/html/timeline.js
LIB_OBJS += $(O)/cli/view/html_assets.o
# The syscalls' names by number, from the C library's kernel headers.
LIB_OBJS += $(O)/cli/decode/syscall_names.o
HDRS	:= $(wildcard include/forkscope/*.h $(LAYERS:%=cli/%/*.h) bpf/*.h)

TEST_SRCS := $(wildcard tests/*_test.c)
# stacks_test's parents (tests/progs/), built the ways binaries are
# shipped, beside the suites so that the guests get them too.
PROGS_DIR := $(O)/tests/progs
STACK_PROGS := $(addprefix $(PROGS_DIR)/,nofp fp stripped withlib \
	       libforksite.so)
TESTS	:= $(patsubst tests/%.c,$(O)/tests/%,$(TEST_SRCS))
KSFT_DIR := $(O)/kselftest
KSFT_HDR := $(KSFT_DIR)/kselftest_harness.h

ifeq ($(V),1)
Q :=
msg :=
else
Q := @
msg = @printf '  %-8s %s\n' $(1) $(2);
endif

.PHONY: all bin man deps test-deps run check tests clean kmod kmods bench \
	layer-incs install install-dkms uninstall fuzz
.DELETE_ON_ERROR:
.SECONDARY:

all: bin man $(O)/storm $(O)/vmexit $(O)/decode_bench $(O)/stacks_bench

# What is installed: the binary and its man pages.
bin: $(O)/forkscope

# For tests/layers.sh: each layer's include path, one per line.
layer-incs:
	@$(foreach l,$(LAYERS),echo "$(l) $(LAYER_INC_$(l))";)

deps:
	@scripts/deps.sh build

test-deps:
	@scripts/deps.sh test

run: deps
	@$(MAKE) --no-print-directory all
	$(O)/forkscope trace $(ARGS)

check: test-deps
	@scripts/deps.sh vm
	@$(MAKE) --no-print-directory all tests kmods fuzz
	@tests/run.sh $(O)

tests: $(TESTS) $(STACK_PROGS)

# Overhead and loss of tracing, the inspector's speed: bench/results.md.
bench:
	@scripts/deps.sh bench
	@$(MAKE) --no-print-directory all
	@QUICK=$(QUICK) bench/run.sh $(O)

$(O) $(LAYERS:%=$(O)/cli/%) $(O)/tests $(O)/proto $(O)/man $(KSFT_DIR):
	@mkdir -p $@

# vmlinux.h is generated from the running kernel's BTF, never committed.
$(O)/vmlinux.h: | $(O)
	$(call msg,BTF,$@)
	$(Q)$(BPFTOOL) btf dump file $(VMLINUX_BTF) format c > $@

$(O)/%.bpf.o: bpf/%.bpf.c bpf/*.bpf.h $(O)/vmlinux.h include/forkscope/record.h \
		  include/forkscope/rules.h include/forkscope/counters.h | $(O)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@.tmp
	$(Q)$(LLVM_STRIP) -g $@.tmp
	$(Q)$(BPFTOOL) gen object $@ $@.tmp
	$(Q)rm -f $@.tmp

$(O)/%.skel.h: $(O)/%.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $*_bpf > $@

$(O)/proto/%.pb-c.c $(O)/proto/%.pb-c.h: proto/%.proto | $(O)/proto
	$(call msg,PROTOC,$@)
	$(Q)protoc-c --c_out=$(O)/proto -Iproto $<

$(O)/proto/%.pb-c.o: $(O)/proto/%.pb-c.c $(O)/proto/%.pb-c.h
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -I$(O)/proto -c $< -o $@

define layer_rule
$(O)/cli/$(1)/%.o: cli/$(1)/%.c $(HDRS) $(SKELS) $(PB_HDRS) | $(O)/cli/$(1)
	$$(call msg,CC,$$@)
	$$(Q)$$(CC) $$(CPPFLAGS) $$(CFLAGS) $$(LAYER_INC_$(1)) -c $$< -o $$@
endef
$(foreach l,$(LAYERS),$(eval $(call layer_rule,$(l))))

# One NUL-ended array per file, named after it: fs_html_timeline_js.
$(O)/cli/view/html_assets.c: $(HTML_ASSETS) | $(O)/cli/view
	$(call msg,GEN,$@)
	$(Q){ echo '/* Generated by the Makefile from cli/view/html/. */'; \
	  echo '#include "html_assets.h"'; \
	  for f in $(HTML_ASSETS); do \
		echo "const unsigned char fs_html_$$(basename $$f | tr . _)[] = {"; \
		xxd -i < $$f && echo ', 0x00 };' || exit 1; \
	  done; } > $@

$(O)/cli/view/html_assets.o: $(O)/cli/view/html_assets.c cli/view/html_assets.h
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $(LAYER_INC_view) -c $< -o $@

$(O)/cli/decode/syscall_names.c: | $(O)/cli/decode
	$(call msg,GEN,$@)
	$(Q){ echo '/* Generated by the Makefile from <asm/unistd.h>. */'; \
	  echo 'const char *const fs_syscall_names[] = {'; \
	  echo '#include <asm/unistd.h>' | $(CC) -E -dM - | \
	  sed -n 's/^#define __NR_\([a-z0-9_]*\) \([0-9]*\)$$/\t[\2] = "\1",/p'; \
	  echo '};'; \
	  echo 'const unsigned int fs_nr_syscall_names ='; \
	  echo '	sizeof(fs_syscall_names) / sizeof(fs_syscall_names[0]);'; \
	} > $@

$(O)/cli/decode/syscall_names.o: $(O)/cli/decode/syscall_names.c
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(O)/libforkscope.a: $(LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

# What prints or records the version is rebuilt when it changes.
$(O)/cli/cmd/main.o $(O)/cli/source/registry.o: debian/changelog

$(O)/forkscope: $(O)/cli/cmd/main.o $(O)/libforkscope.a
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $^ $(LIBS) -o $@

# Man pages: scdoc sources in man/, roff generated here, never committed.
MAN_SRCS := $(wildcard man/*.scd)
MANS	:= $(patsubst man/%.scd,$(O)/man/%,$(MAN_SRCS))
man: $(MANS)

$(O)/man/%: man/%.scd debian/changelog | $(O)/man
	$(call msg,SCDOC,$@)
	$(Q)sed 's/@VERSION@/$(VERSION)/g' $< | scdoc > $@

# The module's source as DKMS builds it: Kbuild, kmod/, the record ABI;
# not the forkscope.mod.c a build in this tree leaves.
DKMS_SRCS := Kbuild kmod/Kbuild \
	     $(filter-out %.mod.c,$(wildcard kmod/*.c kmod/*.h)) \
	     $(wildcard include/forkscope/*.h)

install: bin man
	install -D -m 755 $(O)/forkscope $(DESTDIR)$(sbindir)/forkscope
	install -d $(DESTDIR)$(man8dir) $(DESTDIR)$(docdir)
	install -m 644 $(MANS) $(DESTDIR)$(man8dir)/
	install -D -m 644 completion/forkscope.bash \
		$(DESTDIR)$(bashcompdir)/forkscope
	install -m 644 README.md docs/*.md $(DESTDIR)$(docdir)/
	install -D -m 644 deploy/forkscope-rules.yml \
		$(DESTDIR)$(datadir)/forkscope-rules.yml
	install -d $(DESTDIR)$(unitdir)
	sed -e 's|/usr/local/sbin/|$(sbindir)/|g' \
	    -e 's|/usr/local/share/doc/forkscope/|$(docdir)/|g' \
		deploy/forkscope-exporter.service \
		> $(DESTDIR)$(unitdir)/forkscope-exporter.service

# Then: dkms install forkscope/$(VERSION)
install-dkms:
	@set -e; for f in $(DKMS_SRCS); do \
		install -D -m 644 $$f $(DESTDIR)$(dkmsdir)/$$f; done
	sed 's/#MODULE_VERSION#/$(VERSION)/' dkms.conf > \
		$(DESTDIR)$(dkmsdir)/dkms.conf

# What install and install-dkms put there (dkms remove the module first).
uninstall:
	rm -f $(DESTDIR)$(sbindir)/forkscope \
		$(MAN_SRCS:man/%.scd=$(DESTDIR)$(man8dir)/%) \
		$(DESTDIR)$(bashcompdir)/forkscope \
		$(DESTDIR)$(unitdir)/forkscope-exporter.service
	rm -rf $(DESTDIR)$(docdir) $(DESTDIR)$(datadir) $(DESTDIR)$(dkmsdir)

$(O)/storm: bench/storm.c | $(O)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) $< -lpthread -o $@

$(O)/decode_bench: bench/decode_bench.c tests/synth.h $(O)/libforkscope.a | $(O)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $(ALL_LAYER_INC) -Itests $< $(O)/libforkscope.a $(LIBS) -o $@

# Unwinding and naming fork stacks, warm: it sees the source's resolver.
$(O)/stacks_bench: bench/stacks_bench.c $(O)/libforkscope.a | $(O)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $(ALL_LAYER_INC) $< $(O)/libforkscope.a $(LIBS) -o $@

# The fuzz target (tests/fuzz/): what reads a recording, compiled again
# by clang with its sanitizers into $(O)/fuzz: the reader, the decoder,
# the model and the session, the views, the file source. No producer:
# bpf.c and kmod.c are left out (the target stubs their opens, which a
# recording never calls), so nothing links libbpf or touches the kernel.
FUZZ_CC	 ?= $(CLANG)
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_CFLAGS := $(CPPFLAGS) $(filter-out -O% -g,$(CFLAGS)) -O1 -g \
	   -fno-omit-frame-pointer $(FUZZ_SAN)
FUZZ_LAYERS := base decode source model view
FUZZ_OBJS := $(patsubst cli/%.c,$(O)/fuzz/cli/%.o,$(filter-out \
	   cli/source/bpf.c cli/source/kmod.c,\
	   $(wildcard $(FUZZ_LAYERS:%=cli/%/*.c)))) \
	   $(O)/fuzz/cli/view/html_assets.o \
	   $(O)/fuzz/cli/decode/syscall_names.o \
	   $(patsubst $(O)/%.c,$(O)/fuzz/%.o,$(PB_SRCS))

fuzz: $(O)/fuzz/record_fuzz

$(FUZZ_LAYERS:%=$(O)/fuzz/cli/%) $(O)/fuzz/proto:
	@mkdir -p $@

define fuzz_rule
$(O)/fuzz/cli/$(1)/%.o: cli/$(1)/%.c $(HDRS) $(PB_HDRS) | $(O)/fuzz/cli/$(1)
	$$(call msg,FUZZCC,$$@)
	$$(Q)$$(FUZZ_CC) $$(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link \
		$$(LAYER_INC_$(1)) -c $$< -o $$@
endef
$(foreach l,$(FUZZ_LAYERS),$(eval $(call fuzz_rule,$(l))))

$(O)/fuzz/cli/view/html_assets.o: $(O)/cli/view/html_assets.c \
		cli/view/html_assets.h | $(O)/fuzz/cli/view
	$(call msg,FUZZCC,$@)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) $(LAYER_INC_view) -c $< -o $@

$(O)/fuzz/cli/decode/syscall_names.o: $(O)/cli/decode/syscall_names.c | \
		$(O)/fuzz/cli/decode
	$(call msg,FUZZCC,$@)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -c $< -o $@

$(O)/fuzz/proto/%.pb-c.o: $(O)/proto/%.pb-c.c $(O)/proto/%.pb-c.h | \
		$(O)/fuzz/proto
	$(call msg,FUZZCC,$@)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -I$(O)/proto -c $< -o $@

$(O)/fuzz/libforkscope.a: $(FUZZ_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

# Sees what a command sees.
$(O)/fuzz/record_fuzz: tests/fuzz/record_fuzz.c $(HDRS) $(PB_HDRS) \
		$(O)/fuzz/libforkscope.a
	$(call msg,FUZZ,$@)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer $(ALL_LAYER_INC) \
		-I$(O)/proto $< $(O)/fuzz/libforkscope.a \
		$(shell pkg-config --libs libprotobuf-c libdw) -lzstd -lm -o $@

# Runs inside test guests, which have no libc of their own for it.
$(O)/vmexit: tests/vm/vmexit.c | $(O)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -static $< -o $@

# The kernel module, by the top-level Kbuild, against any kernel's headers:
#   make kmod KDIR=/lib/modules/VER/build
KDIR	?= /lib/modules/$(shell uname -r)/build
# O= : ours names the CLI's build directory; kbuild would take it for
# its own output tree and write into the headers.
kmod:
	$(MAKE) -C $(KDIR) M=$(CURDIR) O= modules

# One module per test-guest kernel, kept under $(O)/kmod/VER/. Kbuild's
# own clean would delete every *.ko below M=, the kept ones too.
KMOD_OBJS = kmod/*.o kmod/*.ko kmod/*.mod kmod/*.mod.c kmod/.*.cmd \
	    kmod/modules.order .*.cmd Module.symvers modules.order
kmods:
	@set -e; for b in /lib/modules/*-cloud-amd64/build; do \
		ver=$$(basename $$(dirname $$b)); \
		rm -f $(KMOD_OBJS); \
		$(MAKE) --no-print-directory -s -C $$b M=$(CURDIR) O= modules; \
		mkdir -p $(O)/kmod/$$ver; \
		cp kmod/forkscope.ko $(O)/kmod/$$ver/; \
		echo "  KMOD     $(O)/kmod/$$ver/forkscope.ko"; \
	done; rm -f $(KMOD_OBJS)

# The kselftest harness comes from Debian's linux-source package at build
# time; it is not part of this tree.
# The 6.12 harness keeps the fork's result in a plain local across its
# setjmp(): at -O2 a failed ASSERT's longjmp loses it and the fixture's
# teardown never runs (GCC's -Wclobbered says so). volatile keeps it.
$(KSFT_HDR): | $(KSFT_DIR)
	$(call msg,KSFT,$@)
	$(Q)tar -I 'xz -T2' -xf $(KSFT_SRC) -C $(KSFT_DIR) --strip-components=4 \
		--wildcards '*/tools/testing/selftests/kselftest_harness.h' \
		'*/tools/testing/selftests/kselftest.h'
	$(Q)sed -i 's/^\(\t*\)pid_t child = 1; \\$$/\1volatile pid_t child = 1; \\/' $@
	$(Q)grep -q 'volatile pid_t child = 1;' $@

$(O)/tests/%: tests/%.c tests/*.h $(O)/libforkscope.a $(KSFT_HDR) | $(O)/tests
	$(call msg,TEST,$@)
	$(Q)$(CC) $(CFLAGS) $(ALL_LAYER_INC) -Wno-sign-compare -I$(KSFT_DIR) -Itests $< \
		$(O)/libforkscope.a $(TEST_LIBS) -lpthread -o $@

$(PROGS_DIR):
	@mkdir -p $@

# Debian's way: -O2, no frame pointers.
$(PROGS_DIR)/nofp: tests/progs/fork_sites.c | $(PROGS_DIR)
	$(call msg,PROG,$@)
	$(Q)$(CC) -O2 -g -fomit-frame-pointer $< -o $@

$(PROGS_DIR)/fp: tests/progs/fork_sites.c | $(PROGS_DIR)
	$(call msg,PROG,$@)
	$(Q)$(CC) -O0 -g -fno-omit-frame-pointer $< -o $@

# No symbols at all; its debug file where a -dbgsym package puts it, by
# build-id, under $(PROGS_DIR)/debug (FORKSCOPE_DEBUGINFO_PATH).
$(PROGS_DIR)/stripped: tests/progs/fork_sites.c | $(PROGS_DIR)
	$(call msg,PROG,$@)
	$(Q)$(CC) -O2 -g -fomit-frame-pointer -Wl,--build-id=sha1 $< -o $@.full
	$(Q)id=$$(readelf -n $@.full | awk '/Build ID/ { print $$3 }'); \
	  d=$(PROGS_DIR)/debug/.build-id/$$(echo $$id | cut -c1-2); \
	  mkdir -p $$d && \
	  objcopy --only-keep-debug $@.full $$d/$$(echo $$id | cut -c3-).debug
	$(Q)strip --strip-all $@.full -o $@
	$(Q)rm -f $@.full

$(PROGS_DIR)/libforksite.so: tests/progs/libforksite.c | $(PROGS_DIR)
	$(call msg,PROG,$@)
	$(Q)$(CC) -O2 -g -fPIC -shared $< -o $@

$(PROGS_DIR)/withlib: tests/progs/fork_sites.c $(PROGS_DIR)/libforksite.so
	$(call msg,PROG,$@)
	$(Q)$(CC) -O2 -g -DSHARED_SITE $< -L$(PROGS_DIR) -lforksite \
		-Wl,-rpath,'$$ORIGIN' -o $@

clean:
	rm -rf $(O) $(KMOD_OBJS)
