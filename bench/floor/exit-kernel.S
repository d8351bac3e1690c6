/* The boot-time floor: a PVH kernel that exits QEMU at once (isa-debug-exit, status 1). */
        .section .note.pvh, "a"
        .p2align 2
        .long 4, 4, 18
        .asciz "Xen"
        .long _start
        .text
        .code32
        .globl _start
_start:
        mov $0xf4, %dx
        xor %eax, %eax
        outl %eax, %dx
1:      hlt
        jmp 1b
