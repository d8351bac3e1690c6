/* Interrupt entry stubs: save registers, call the C handler with a pointer to the frame. */
        .text
        .code64

.macro ISR_NOERR n
        .globl isr\n
isr\n:
        pushq $0
        pushq $\n
        jmp isr_common
.endm
.macro ISR_ERR n
        .globl isr\n
isr\n:
        pushq $\n
        jmp isr_common
.endm

ISR_NOERR 0
ISR_NOERR 1
ISR_NOERR 2
ISR_NOERR 3
ISR_NOERR 4
ISR_NOERR 5
ISR_NOERR 6
ISR_NOERR 7
ISR_ERR 8
ISR_NOERR 9
ISR_ERR 10
ISR_ERR 11
ISR_ERR 12
ISR_ERR 13
ISR_ERR 14
ISR_NOERR 15
ISR_NOERR 16
ISR_ERR 17
ISR_NOERR 18
ISR_NOERR 19
ISR_NOERR 20
ISR_ERR 21
ISR_NOERR 22
ISR_NOERR 23
ISR_NOERR 24
ISR_NOERR 25
ISR_NOERR 26
ISR_NOERR 27
ISR_NOERR 28
ISR_ERR 29
ISR_ERR 30
ISR_NOERR 31
.altmacro
.set i, 32
.rept 224
        ISR_NOERR %i
        .set i, i+1
.endr

isr_common:
        push %rax
        push %rbx
        push %rcx
        push %rdx
        push %rsi
        push %rdi
        push %rbp
        push %r8
        push %r9
        push %r10
        push %r11
        push %r12
        push %r13
        push %r14
        push %r15
        mov %rsp, %rdi
        /* Align the stack for C; the frame pointer chain stays intact through %rbp. */
        mov %rsp, %rbx
        and $~0xf, %rsp
        sub $512, %rsp
        fxsave (%rsp)
        call interrupt_handler
        fxrstor (%rsp)
        mov %rbx, %rsp
        pop %r15
        pop %r14
        pop %r13
        pop %r12
        pop %r11
        pop %r10
        pop %r9
        pop %r8
        pop %rbp
        pop %rdi
        pop %rsi
        pop %rdx
        pop %rcx
        pop %rbx
        pop %rax
        add $16, %rsp
        iretq

        .section .rodata
        .p2align 3
        .globl isr_table
isr_table:
.macro TABLE_ENTRY n
        .quad isr\n
.endm
.set i, 0
.rept 256
        TABLE_ENTRY %i
        .set i, i+1
.endr
