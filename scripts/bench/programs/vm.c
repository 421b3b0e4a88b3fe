/* A switch-dispatch interpreter: a tiny stack bytecode VM running a program that counts primes
 * by trial division and sums a series. The dispatch switch is the hot spot. */
#include "bench_common.h"

enum Op {
    OP_PUSH, OP_LOAD, OP_STORE, OP_ADD, OP_SUB, OP_MUL, OP_MOD, OP_LT, OP_LE, OP_EQ,
    OP_JUMP, OP_JUMP_IF_ZERO, OP_DUP, OP_POP, OP_INC, OP_HALT,
};

typedef struct {
    uint8_t op;
    int32_t argument;
} Instruction;

static int64_t run(const Instruction *code, int64_t *locals) {
    int64_t stack[64];
    int32_t sp = 0;
    int32_t pc = 0;
    for (;;) {
        const Instruction *instruction = &code[pc++];
        switch (instruction->op) {
        case OP_PUSH: stack[sp++] = instruction->argument; break;
        case OP_LOAD: stack[sp++] = locals[instruction->argument]; break;
        case OP_STORE: locals[instruction->argument] = stack[--sp]; break;
        case OP_ADD: sp--; stack[sp - 1] += stack[sp]; break;
        case OP_SUB: sp--; stack[sp - 1] -= stack[sp]; break;
        case OP_MUL: sp--; stack[sp - 1] *= stack[sp]; break;
        case OP_MOD: sp--; stack[sp - 1] %= stack[sp]; break;
        case OP_LT: sp--; stack[sp - 1] = stack[sp - 1] < stack[sp]; break;
        case OP_LE: sp--; stack[sp - 1] = stack[sp - 1] <= stack[sp]; break;
        case OP_EQ: sp--; stack[sp - 1] = stack[sp - 1] == stack[sp]; break;
        case OP_JUMP: pc = instruction->argument; break;
        case OP_JUMP_IF_ZERO: if (stack[--sp] == 0) pc = instruction->argument; break;
        case OP_DUP: stack[sp] = stack[sp - 1]; sp++; break;
        case OP_POP: sp--; break;
        case OP_INC: locals[instruction->argument]++; break;
        case OP_HALT: return sp > 0 ? stack[sp - 1] : 0;
        default: return -1;
        }
    }
}

/* locals: 0 = limit, 1 = n, 2 = d, 3 = prime count, 4 = is_prime, 5 = series sum */
static const Instruction PROGRAM[] = {
    /*  0 */ {OP_PUSH, 2}, {OP_STORE, 1},
    /*  2 */ {OP_LOAD, 1}, {OP_LOAD, 0}, {OP_LT, 0}, {OP_JUMP_IF_ZERO, 40},
    /*  6 */ {OP_PUSH, 1}, {OP_STORE, 4}, {OP_PUSH, 2}, {OP_STORE, 2},
    /* 10 */ {OP_LOAD, 2}, {OP_LOAD, 2}, {OP_MUL, 0}, {OP_LOAD, 1}, {OP_LE, 0}, {OP_JUMP_IF_ZERO, 28},
    /* 16 */ {OP_LOAD, 1}, {OP_LOAD, 2}, {OP_MOD, 0}, {OP_PUSH, 0}, {OP_EQ, 0}, {OP_JUMP_IF_ZERO, 26},
    /* 22 */ {OP_PUSH, 0}, {OP_STORE, 4}, {OP_JUMP, 28}, {OP_HALT, 0},
    /* 26 */ {OP_INC, 2}, {OP_JUMP, 10},
    /* 28 */ {OP_LOAD, 3}, {OP_LOAD, 4}, {OP_ADD, 0}, {OP_STORE, 3},
    /* 32 */ {OP_LOAD, 5}, {OP_LOAD, 1}, {OP_LOAD, 4}, {OP_MUL, 0}, {OP_ADD, 0}, {OP_STORE, 5},
    /* 38 */ {OP_INC, 1}, {OP_JUMP, 2},
    /* 40 */ {OP_LOAD, 3}, {OP_PUSH, 1000000}, {OP_MUL, 0}, {OP_LOAD, 5}, {OP_ADD, 0}, {OP_HALT, 0},
};

int main(int argc, char **argv) {
    int64_t limit = bench_size(argc, argv, 600000);
    int64_t locals[8] = {0};
    locals[0] = limit;
    int64_t result = run(PROGRAM, locals);
    fprintf(stderr, "primes below %lld: %lld\n", (long long)limit, (long long)locals[3]);
    bench_print_checksum((uint64_t)result);
    return 0;
}
