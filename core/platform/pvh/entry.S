/* PVH entry: 32-bit protected mode → long mode with a temporary 1 GiB identity map → core_unpack →
 * boot_main. Everything here and in unpack/ runs before the packed region is unpacked. */
#define CR0_PE (1 << 0)
#define CR0_MP (1 << 1)
#define CR0_EM (1 << 2)
#define CR0_WP (1 << 16)
#define CR0_PG (1 << 31)
#define CR4_PAE (1 << 5)
#define CR4_OSFXSR (1 << 9)
#define CR4_OSXMMEXCPT (1 << 10)
#define MSR_EFER 0xC0000080
#define EFER_LME (1 << 8)
#define EFER_NXE (1 << 11)

/* Xen PVH ELF note: XEN_ELFNOTE_PHYS32_ENTRY (18) = 32-bit physical entry point. */
        .section .note.pvh, "a"
        .p2align 2
        .long 4                 /* namesz */
        .long 4                 /* descsz */
        .long 18                /* type */
        .asciz "Xen"
        .long pvh_start32

        .section .text.boot, "ax"
        .code32
        .globl pvh_start32
pvh_start32:
        cli
        cld
        mov %ebx, %esi                  /* hvm_start_info physical address */
        lgdt (boot_gdt_ptr)

        /* Temporary identity map of the first 1 GiB with 2 MiB pages. */
        mov $boot_pd, %edi
        xor %ecx, %ecx
1:      mov %ecx, %eax
        shl $21, %eax
        or $0x83, %eax                  /* present | writable | 2 MiB page */
        mov %eax, (%edi, %ecx, 8)
        movl $0, 4(%edi, %ecx, 8)
        inc %ecx
        cmp $512, %ecx
        jne 1b
        mov $boot_pdpt, %edi
        mov $boot_pd, %eax
        or $0x3, %eax
        mov %eax, (%edi)
        mov $boot_pml4, %edi
        mov $boot_pdpt, %eax
        or $0x3, %eax
        mov %eax, (%edi)

        mov %cr4, %eax
        or $(CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT), %eax
        mov %eax, %cr4
        mov $boot_pml4, %eax
        mov %eax, %cr3
        mov $MSR_EFER, %ecx
        rdmsr
        or $(EFER_LME | EFER_NXE), %eax
        wrmsr
        mov %cr0, %eax
        and $~CR0_EM, %eax
        or $(CR0_PE | CR0_MP | CR0_WP | CR0_PG), %eax
        mov %eax, %cr0
        ljmp $0x08, $long_mode

        .code64
long_mode:
        mov $0x10, %ax
        mov %ax, %ds
        mov %ax, %es
        mov %ax, %ss
        xor %ax, %ax
        mov %ax, %fs
        mov %ax, %gs
        mov %esi, %esi                  /* zero-extend the start_info pointer */

        /* Zero .bss (the loader need not), then switch to the boot stack in it. */
        lea __bss_start(%rip), %rdi
        lea __bss_end(%rip), %rcx
        sub %rdi, %rcx
        xor %eax, %eax
        rep stosb

        lea boot_stack_top(%rip), %rsp
        xor %ebp, %ebp
        mov %rsi, %rbx                  /* callee-saved across core_unpack */
        call core_unpack                /* the rest of the core exists only after this (unpack/unpack.c) */
        mov %rbx, %rdi
        call boot_main
2:      cli
        hlt
        jmp 2b

        .section .data
        .p2align 12
boot_pml4:  .fill 512, 8, 0
boot_pdpt:  .fill 512, 8, 0
boot_pd:    .fill 512, 8, 0

        .p2align 3
boot_gdt:
        .quad 0
        .quad 0x00af9a000000ffff        /* 0x08: 64-bit code */
        .quad 0x00cf92000000ffff        /* 0x10: data */
boot_gdt_end:
boot_gdt_ptr:
        .word boot_gdt_end - boot_gdt - 1
        .long boot_gdt

/* Stacks: each sits above an unmapped guard page (see mm/paging.c). */
        .section .bss
        .p2align 12
        .globl boot_stack_guard, boot_stack_top, ist_stack_guard, ist_stack_top
boot_stack_guard:   .skip 4096
                    .skip 512 * 1024
boot_stack_top:
ist_stack_guard:    .skip 4096
                    .skip 16 * 1024
ist_stack_top:
