/* interp: a switch-dispatch bytecode interpreter (one indirect branch per bytecode through the
 * switch's jump table). The bytecode, built at run time so the compiler cannot see it, runs
 * nested loops computing a prime count, a Collatz step total and a small hash. */
#include <stdint.h>
#include <stdio.h>

enum op {
    PUSH, LOAD, STORE, ADD, SUB, MUL, DIVU, MODU, AND, XOR, SHL, SHR, LT, EQ, JMP, JZ, JNZ, DUP, DROP, HALT
};

static int64_t code[256];
static int n_code;

static int emit(int64_t op) { code[n_code] = op; return n_code++; }
static int emit2(int64_t op, int64_t arg) { emit(op); return emit(arg); }

static int64_t run(const int64_t *pc0, int64_t *vars)
{
    int64_t stack[64], *sp = stack;
    const int64_t *pc = pc0;
    for (;;) {
        int64_t a, b;
        switch ((enum op)*pc++) {
        case PUSH: *sp++ = *pc++; break;
        case LOAD: *sp++ = vars[*pc++]; break;
        case STORE: vars[*pc++] = *--sp; break;
        case ADD: b = *--sp; a = *--sp; *sp++ = a + b; break;
        case SUB: b = *--sp; a = *--sp; *sp++ = a - b; break;
        case MUL: b = *--sp; a = *--sp; *sp++ = a * b; break;
        case DIVU: b = *--sp; a = *--sp; *sp++ = b ? (int64_t)((uint64_t)a / (uint64_t)b) : 0; break;
        case MODU: b = *--sp; a = *--sp; *sp++ = b ? (int64_t)((uint64_t)a % (uint64_t)b) : 0; break;
        case AND: b = *--sp; a = *--sp; *sp++ = a & b; break;
        case XOR: b = *--sp; a = *--sp; *sp++ = a ^ b; break;
        case SHL: b = *--sp; a = *--sp; *sp++ = (int64_t)((uint64_t)a << (b & 63)); break;
        case SHR: b = *--sp; a = *--sp; *sp++ = (int64_t)((uint64_t)a >> (b & 63)); break;
        case LT: b = *--sp; a = *--sp; *sp++ = a < b; break;
        case EQ: b = *--sp; a = *--sp; *sp++ = a == b; break;
        case JMP: pc = pc0 + *pc; break;
        case JZ: a = *--sp; pc = a ? pc + 1 : pc0 + *pc; break;
        case JNZ: a = *--sp; pc = a ? pc0 + *pc : pc + 1; break;
        case DUP: a = sp[-1]; *sp++ = a; break;
        case DROP: --sp; break;
        case HALT: return vars[0];
        }
    }
}

/* vars: 0 result, 1 n, 2 d, 3 limit, 4 x (collatz), 5 steps, 6 hash */
static void build(void)
{
    /* for (n = 2; n < limit; n++) { for (d = 2; d*d <= n; d++) if (n % d == 0) goto composite;
     *   result++; composite: x = n; while (x != 1) { x = x&1 ? 3x+1 : x/2; steps++; }
     *   hash = (hash ^ steps) * 31 } */
    emit2(PUSH, 2); emit2(STORE, 1);
    int outer = n_code;
    emit2(LOAD, 1); emit2(LOAD, 3); emit(LT); int exit_outer = emit2(JZ, 0);
    emit2(PUSH, 2); emit2(STORE, 2);
    int inner = n_code;
    emit2(LOAD, 2); emit(DUP); emit(MUL); emit2(LOAD, 1); emit2(PUSH, 1); emit(ADD); emit(LT);
    int prime = emit2(JZ, 0);
    emit2(LOAD, 1); emit2(LOAD, 2); emit(MODU); int composite = emit2(JZ, 0);
    emit2(LOAD, 2); emit2(PUSH, 1); emit(ADD); emit2(STORE, 2); emit2(JMP, inner);
    code[prime] = n_code;
    emit2(LOAD, 0); emit2(PUSH, 1); emit(ADD); emit2(STORE, 0);
    code[composite] = n_code;
    emit2(LOAD, 1); emit2(STORE, 4);
    int collatz = n_code;
    emit2(LOAD, 4); emit2(PUSH, 1); emit(EQ); int collatz_done = emit2(JNZ, 0);
    emit2(LOAD, 4); emit2(PUSH, 1); emit(AND); int even = emit2(JZ, 0);
    emit2(LOAD, 4); emit2(PUSH, 3); emit(MUL); emit2(PUSH, 1); emit(ADD); emit2(STORE, 4);
    int next = emit2(JMP, 0);
    code[even] = n_code;
    emit2(LOAD, 4); emit2(PUSH, 1); emit(SHR); emit2(STORE, 4);
    code[next] = n_code;
    emit2(LOAD, 5); emit2(PUSH, 1); emit(ADD); emit2(STORE, 5); emit2(JMP, collatz);
    code[collatz_done] = n_code;
    emit2(LOAD, 6); emit2(LOAD, 5); emit(XOR); emit2(PUSH, 31); emit(MUL); emit2(STORE, 6);
    emit2(LOAD, 1); emit2(PUSH, 1); emit(ADD); emit2(STORE, 1); emit2(JMP, outer);
    code[exit_outer] = n_code;
    emit(HALT);
}

int main(void)
{
    build();
    int64_t vars[8] = { 0 };
    vars[3] = 40000;
    int64_t primes = run(code, vars);
    printf("interp: primes=%lld steps=%lld hash=%016llx ops=%d\n", (long long)primes, (long long)vars[5],
           (unsigned long long)vars[6], n_code);
    return 0;
}
