	.file	"blink.c"
__SP_H__ = 0x3e
__SP_L__ = 0x3d
__SREG__ = 0x3f
__tmp_reg__ = 0
__zero_reg__ = 1
	.text
	.section	.text.startup,"ax",@progbits
.global	main
	.type	main, @function
main:
/* prologue: function */
/* frame size = 0 */
/* stack size = 0 */
.L__stack_usage = 0
	ldi r30,lo8(message.0)
	ldi r31,hi8(message.0)
	ldi r24,lo8(-1)
	ldi r25,lo8(-1)
.L3:
	ld r18,Z+
	eor r24,r18
	ldi r18,lo8(8)
.L2:
	movw r20,r24
	lsr r21
	ror r20
	mov r19,r24
	movw r24,r20
	sbrs r19,0
	rjmp .L15
	ldi r19,lo8(1)
	eor r24,r19
	ldi r19,lo8(-96)
	eor r25,r19
.L15:
	subi r18,lo8(1)
	brne .L2
	ldi r18,hi8(message.0+14)
	cpi r30,lo8(message.0+14)
	cpc r31,r18
	brne .L3
	mov r30,r24
	mov r10,__zero_reg__
	mov r11,__zero_reg__
	movw r8,r10
.L8:
	ldi r24,0
	ldi r25,0
	ldi r26,0
	ldi r27,lo8(64)
.L4:
	lsr r27
	ror r26
	ror r25
	ror r24
	lsr r27
	ror r26
	ror r25
	ror r24
	cp r8,r24
	cpc r9,r25
	cpc r10,r26
	cpc r11,r27
	brlo .L4
	sbiw r26,0
	sbci r25,hi8(0)
	sbci r24,lo8(0)
	breq .L9
	movw r12,r8
	movw r14,r10
	ldi r22,0
	ldi r23,0
	movw r20,r22
.L7:
	movw r16,r24
	movw r18,r26
	add r16,r20
	adc r17,r21
	adc r18,r22
	adc r19,r23
	lsr r23
	ror r22
	ror r21
	ror r20
	cp r12,r16
	cpc r13,r17
	cpc r14,r18
	cpc r15,r19
	brlo .L6
	sub r12,r16
	sbc r13,r17
	sbc r14,r18
	sbc r15,r19
	add r20,r24
	adc r21,r25
	adc r22,r26
	adc r23,r27
.L6:
	lsr r27
	ror r26
	ror r25
	ror r24
	lsr r27
	ror r26
	ror r25
	ror r24
	sbiw r26,0
	sbci r25,hi8(0)
	sbci r24,lo8(0)
	brne .L7
	eor r20,r30
.L5:
	sts port,r20
	ldi r19,-1
	sub r8,r19
	sbc r9,r19
	sbc r10,r19
	sbc r11,r19
	ldi r24,-96
	cp r8,r24
	ldi r24,-122
	cpc r9,r24
	ldi r24,1
	cpc r10,r24
	cpc r11,__zero_reg__
	breq .+2
	rjmp .L8
	ldi r24,0
	ldi r25,0
/* epilogue start */
	ret
.L9:
	mov r20,r30
	rjmp .L5
	.size	main, .-main
	.section	.rodata
	.type	message.0, @object
	.size	message.0, 15
message.0:
	.string	"wrun realworld"
.global	port
	.section .bss
	.type	port, @object
	.size	port, 1
port:
	.zero	1
	.ident	"GCC: (GNU) 15.2.0"
.global __do_copy_data
.global __do_clear_bss
