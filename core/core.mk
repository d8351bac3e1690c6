# Builds the core image (build/core.elf) and the host bytecode compiler (build/nimbus-qjsc).
QJS_DIR    ?= build/quickjs-ng-0.16.2
MUSL_INC   := /usr/include/x86_64-linux-musl
MUSL_LIBC  := /usr/lib/x86_64-linux-musl/libc.a
GCC_INC    := $(shell gcc -print-file-name=include)
LIBGCC     := $(shell gcc -print-libgcc-file-name)

CORE_CFLAGS_COMMON := -O2 -ffreestanding -fno-pic -fno-pie -mno-red-zone -mcmodel=small \
  -fno-omit-frame-pointer -fstack-protector-strong -fno-asynchronous-unwind-tables \
  -ffunction-sections -fdata-sections \
  -nostdinc -isystem $(MUSL_INC) -isystem $(GCC_INC) -D_GNU_SOURCE -fwrapv
CORE_CFLAGS := $(CORE_CFLAGS_COMMON) -std=gnu11 -Wall -Wextra -Werror -Wno-unused-parameter -Wno-cast-function-type \
  -Icore/include -isystem $(QJS_DIR)
# quickjs-ng is built as its own CMake release build is (unsigned char, NDEBUG), at -O3: it
# wins back the boot-time cost of the move from QuickJS 2025-04-26 (docs/engine.md).
QJS_DEFS    := -funsigned-char -DNDEBUG -O3
QJS_CFLAGS  := $(CORE_CFLAGS_COMMON) -w $(QJS_DEFS)

# The crypto group's primitives (core/include/hw-crypto.h): BearSSL 0.6 from Debian's source package
# (tools/fetch-bearssl.sh, sha256-checked, never committed or patched), built freestanding for the
# PVH core and hosted for the process platform. Only the primitives are compiled (no SSL engine, no
# X.509, no system RNG); --gc-sections keeps what core/crypto/crypto.c reaches.
BEARSSL_DIR   ?= build/bearssl-0.6
BEARSSL_PARTS := codec hash mac int ec rsa symcipher aead
# The source list is known only once the tarball is unpacked: build/bearssl-srcs.mk lists it, and
# make reads its makefiles again after making it (on the first pass BEARSSL_SRCS is empty).
-include build/bearssl-srcs.mk
BEARSSL_OBJS  := $(patsubst $(BEARSSL_DIR)/src/%.c,build/core/bearssl/%.o,$(BEARSSL_SRCS))
HOST_BEARSSL_OBJS := $(patsubst $(BEARSSL_DIR)/src/%.c,build/host/bearssl/%.o,$(BEARSSL_SRCS))
BEARSSL_CFLAGS := -w -I$(BEARSSL_DIR)/src -I$(BEARSSL_DIR)/inc
CRYPTO_HDRS   := core/include/hw-crypto.h core/include/bindings.h


# The PVH platform (core/platform/pvh/) plus the platform-neutral engine, heap and C library stubs.
PLATFORM  := core/platform/pvh
CORE_SRCS := $(wildcard $(PLATFORM)/*.c core/platform/common/*.c core/mm/*.c core/libc/*.c core/js/*.c core/crypto/*.c)
CORE_ASMS := $(wildcard $(PLATFORM)/*.S)
QJS_SRCS  := quickjs.c libregexp.c libunicode.c dtoa.c
CORE_OBJS := $(patsubst core/%.c,build/core/%.o,$(CORE_SRCS)) $(patsubst core/%.S,build/core/%.o,$(CORE_ASMS))
QJS_OBJS  := $(patsubst %.c,build/core/qjs/%.o,$(QJS_SRCS))
HOST_QJS_OBJS := $(patsubst %.c,build/host/qjs/%.o,$(QJS_SRCS))

# quickjs-ng's sources come from tools/fetch-quickjs.sh (Debian's source package, sha256-checked).
QJS_FILES := $(addprefix $(QJS_DIR)/,$(QJS_SRCS) quickjs.h)
$(QJS_FILES) &: tools/fetch-quickjs.sh | $(SYSTEM_STAMP)
	./tools/fetch-quickjs.sh
	@touch $(QJS_FILES)

build/core/%.o: core/%.c core/js/promise-hook.h core/js/js-heap.h core/js/profile.h core/include/hw.h core/include/mm.h $(PLATFORM)/pvh.h $(QJS_DIR)/quickjs.h
	@mkdir -p $(dir $@)
	gcc $(CORE_CFLAGS) -c $< -o $@

build/core/%.o: core/%.S
	@mkdir -p $(dir $@)
	gcc -c $< -o $@

build/core/qjs/%.o: $(QJS_DIR)/%.c core/core.mk
	@mkdir -p $(dir $@)
	gcc $(QJS_CFLAGS) -c $< -o $@

# The packed core (docs/architecture.md): build/core-unpacked.elf is the linked core, which boots as
# it is; build/core.elf stores its code as one LZ4 block that core_unpack decompresses at boot.
# LZ4 1.9.4 comes from Debian's source package (tools/fetch-lz4.sh, sha256-checked, never committed
# or patched): freestanding in the unpacker, hosted in tools/pack-core.c.
LZ4_DIR    ?= build/lz4-1.9.4
LZ4_FILES  := $(LZ4_DIR)/lib/lz4.c $(LZ4_DIR)/lib/lz4.h $(LZ4_DIR)/lib/lz4hc.c $(LZ4_DIR)/lib/lz4hc.h
UNPACK_OBJ := build/core/platform/pvh/unpack/unpack.o
$(LZ4_FILES) &: tools/fetch-lz4.sh tools/debian-pool.sh | $(SYSTEM_STAMP)
	./tools/fetch-lz4.sh
	@touch $(LZ4_FILES)

# The unpacker runs before the rest of the core exists: no stack protector (its canary and
# __stack_chk_fail are in the packed part), no memcpy the compiler invents; the check below holds
# it to that (the only undefined symbols allowed are the linker script's).
$(UNPACK_OBJ): core/platform/pvh/unpack/unpack.c core/platform/pvh/unpack/check.h $(LZ4_FILES) core/core.mk
	@mkdir -p $(dir $@)
	gcc $(filter-out -fstack-protector-strong,$(CORE_CFLAGS_COMMON)) -fno-stack-protector -fno-tree-loop-distribute-patterns \
	  -std=gnu11 -Wall -Werror -I$(LZ4_DIR)/lib -c $< -o $@
	@undef=$$(nm -u $@ | awk '{print $$2}' | grep -vx -e __packed_start -e __packed_end || true); \
	  [ -z "$$undef" ] || { echo "core: the unpacker reaches outside itself: $$undef"; rm -f $@; false; }

build/nimbus-pack-core: tools/pack-core.c core/platform/pvh/unpack/check.h $(LZ4_FILES)
	gcc -O2 -Wall -Wextra -Werror -I$(LZ4_DIR)/lib -o $@ $< $(LZ4_DIR)/lib/lz4.c $(LZ4_DIR)/lib/lz4hc.c

build/core-unpacked.elf: $(CORE_OBJS) $(UNPACK_OBJ) $(QJS_OBJS) $(BEARSSL_OBJS) $(PLATFORM)/link.ld
	ld -nostdlib -static -z max-page-size=4096 --gc-sections -T $(PLATFORM)/link.ld -Map build/core.map -o build/core.elf.full \
	  $(CORE_OBJS) $(UNPACK_OBJ) $(QJS_OBJS) $(BEARSSL_OBJS) $(MUSL_LIBC) $(LIBGCC)
	objcopy --strip-all build/core.elf.full $@
	python3 tools/core-sizes.py build/core.map > build/core-sizes.json
	@! objdump -d $@ | grep -qw syscall || { echo "core: a syscall instruction was linked in:"; objdump -d build/core.elf.full | grep -B30 -w syscall | grep '>:' ; false; }

build/core.elf: build/core-unpacked.elf build/nimbus-pack-core
	build/nimbus-pack-core $< $@ > build/core-pack.json

build/host/qjs/%.o: $(QJS_DIR)/%.c core/core.mk
	@mkdir -p $(dir $@)
	gcc -O2 -w -D_GNU_SOURCE $(QJS_DEFS) -c $< -o $@

build/nimbus-qjsc: core/tools/nimbus-qjsc.c $(HOST_QJS_OBJS)
	gcc -O2 -Wall -Wextra -Werror -isystem $(QJS_DIR) -o $@ $< $(HOST_QJS_OBJS) -lm -lpthread

# The benchmark floor: the smallest PVH kernel, which exits as soon as it starts.
build/exit-kernel.elf: bench/floor/exit-kernel.S bench/floor/link.ld
	@mkdir -p build/bench
	gcc -c bench/floor/exit-kernel.S -o build/bench/exit-kernel.o
	ld -m elf_x86_64 -nostdlib -static -T bench/floor/link.ld -o $@ build/bench/exit-kernel.o

# The process platform (core/platform/process/): the same engine and heap as a Linux program,
# confined by seccomp; it runs the payload of any image (`nimbus run --target process`).
PROCESS_SRCS := $(filter-out %/netfd.c,$(wildcard core/platform/process/*.c core/platform/common/*.c)) core/js/engine.c core/js/js-heap.c core/js/profile.c core/js/checksum.c core/js/tcp-segment.c core/js/text.c core/js/promise-hook.c core/mm/alloc.c $(wildcard core/crypto/*.c)
build/nimbus-process: $(PROCESS_SRCS) core/js/promise-hook.h core/platform/process/process.h core/include/hw.h core/include/mm.h core/include/engine.h core/js/checksum.h core/js/tcp-segment.h core/js/text.h core/js/js-heap.h core/js/profile.h $(CRYPTO_HDRS) $(HOST_QJS_OBJS) $(HOST_BEARSSL_OBJS)
	gcc -O2 -std=gnu11 -Wall -Wextra -Werror -Wno-unused-parameter -fstack-protector-strong -D_GNU_SOURCE \
	  -Icore/include -isystem $(QJS_DIR) -isystem $(BEARSSL_DIR)/inc -o $@ $(PROCESS_SRCS) $(HOST_QJS_OBJS) $(HOST_BEARSSL_OBJS) -lm

# Its launcher: opens the tap (or, in user mode, a packet socket) the instance gets as a descriptor.
build/nimbus-netfd: core/platform/process/netfd.c
	gcc -O2 -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE -o $@ $<

# BearSSL's fetch and objects (variables above).
$(BEARSSL_DIR)/inc/bearssl.h: tools/fetch-bearssl.sh tools/debian-pool.sh | $(SYSTEM_STAMP)
	./tools/fetch-bearssl.sh
	@touch $@
build/bearssl-srcs.mk: $(BEARSSL_DIR)/inc/bearssl.h
	@mkdir -p $(dir $@)
	echo "BEARSSL_SRCS := $(foreach d,$(BEARSSL_PARTS),$$(echo $(BEARSSL_DIR)/src/$(d)/*.c)) $(BEARSSL_DIR)/src/rand/hmac_drbg.c" > $@

build/core/bearssl/%.o: $(BEARSSL_DIR)/src/%.c | $(BEARSSL_DIR)/inc/bearssl.h
	@mkdir -p $(dir $@)
	gcc $(CORE_CFLAGS_COMMON) -O2 $(BEARSSL_CFLAGS) -c $< -o $@
build/host/bearssl/%.o: $(BEARSSL_DIR)/src/%.c | $(BEARSSL_DIR)/inc/bearssl.h
	@mkdir -p $(dir $@)
	gcc -O2 -fstack-protector-strong $(BEARSSL_CFLAGS) -c $< -o $@
build/core/crypto/%.o: CORE_CFLAGS += -isystem $(BEARSSL_DIR)/inc
build/core/crypto/%.o: $(CRYPTO_HDRS) | $(BEARSSL_DIR)/inc/bearssl.h
build/core/js/engine.o: $(CRYPTO_HDRS)
