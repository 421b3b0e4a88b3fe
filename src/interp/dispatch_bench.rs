//! Dispatch measurement (module docs of `interp`, "Dispatch measurement"): the same small
//! register program (the collatz kernel of `scripts/bench/programs/collatz.c`, as our translator
//! emits it) run by (a) a `match` loop over a compact enum and (b) handlers with one
//! `extern "sysv64"` signature that tail-call the next handler (wasmi 2.0 style; stable Rust has
//! no guaranteed tail calls, so this relies on LLVM's sibling-call optimization and is only
//! meaningful, and only safe from deep native recursion, in an optimized build).
//!
//! `cargo test --release --lib interp::dispatch_bench -- --ignored --nocapture`

use std::time::Instant;

#[derive(Clone, Copy)]
enum Op {
    Copy { dst: u32, src: u32 },
    Const { dst: u32, value: u32 },
    AddI { dst: u32, a: u32, imm: i32 },
    Add { dst: u32, a: u32, b: u32 },
    ShrUI { dst: u32, a: u32, imm: i32 },
    MulI { dst: u32, a: u32, imm: i32 },
    AndI { dst: u32, a: u32, imm: i32 },
    Eqz { dst: u32, src: u32 },
    Select { dst: u32, b: u32, cond: u32 },
    BrEqI { a: u32, imm: i32, target: u32 },
    BrNeI { a: u32, imm: i32, target: u32 },
    BrNe { a: u32, b: u32, target: u32 },
    Return,
}

/// Slots: 0 start, 1 limit, 2 value, 3 length, 4 total, 10..12 temporaries.
fn program() -> Vec<Op> {
    use Op::*;
    vec![
        Copy { dst: 2, src: 0 },
        Const { dst: 3, value: 1 },
        BrEqI {
            a: 2,
            imm: 1,
            target: 12,
        },
        AddI {
            dst: 3,
            a: 3,
            imm: 1,
        },
        ShrUI {
            dst: 10,
            a: 2,
            imm: 1,
        },
        MulI {
            dst: 11,
            a: 2,
            imm: 3,
        },
        AddI {
            dst: 11,
            a: 11,
            imm: 1,
        },
        AndI {
            dst: 12,
            a: 2,
            imm: 1,
        },
        Eqz { dst: 12, src: 12 },
        Select {
            dst: 10,
            b: 11,
            cond: 12,
        },
        Copy { dst: 2, src: 10 },
        BrNeI {
            a: 2,
            imm: 1,
            target: 3,
        },
        Add { dst: 4, a: 4, b: 3 },
        AddI {
            dst: 0,
            a: 0,
            imm: 1,
        },
        BrNe {
            a: 0,
            b: 1,
            target: 0,
        },
        Return,
    ]
}

/// (a) The `match` loop, with unchecked slot and code access like the real executor.
fn run_match(code: &[Op], fp: &mut [u64]) {
    let base = code.as_ptr();
    let fp = fp.as_mut_ptr();
    let mut ip = base;
    // SAFETY: the program ends with `Return`, branch targets are inside it, and every slot
    // operand is below 16, the frame size used by the test.
    unsafe {
        macro_rules! s {
            ($i:expr) => {
                *fp.add($i as usize)
            };
        }
        loop {
            let op = *ip;
            ip = ip.add(1);
            match op {
                Op::Copy { dst, src } => s!(dst) = s!(src),
                Op::Const { dst, value } => s!(dst) = u64::from(value),
                Op::AddI { dst, a, imm } => s!(dst) = s!(a).wrapping_add(imm as u64),
                Op::Add { dst, a, b } => s!(dst) = s!(a).wrapping_add(s!(b)),
                Op::ShrUI { dst, a, imm } => s!(dst) = s!(a) >> (imm & 63),
                Op::MulI { dst, a, imm } => s!(dst) = s!(a).wrapping_mul(imm as u64),
                Op::AndI { dst, a, imm } => s!(dst) = s!(a) & imm as u64,
                Op::Eqz { dst, src } => s!(dst) = u64::from(s!(src) == 0),
                Op::Select { dst, b, cond } => {
                    if s!(cond) as u32 == 0 {
                        s!(dst) = s!(b)
                    }
                }
                Op::BrEqI { a, imm, target } => {
                    if s!(a) == imm as u64 {
                        ip = base.add(target as usize);
                    }
                }
                Op::BrNeI { a, imm, target } => {
                    if s!(a) != imm as u64 {
                        ip = base.add(target as usize);
                    }
                }
                Op::BrNe { a, b, target } => {
                    if s!(a) != s!(b) {
                        ip = base.add(target as usize);
                    }
                }
                Op::Return => return,
            }
        }
    }
}

/// (b) Threaded handlers: each instruction carries its handler; each handler ends by calling
/// the next one in tail position.
type Handler = extern "sysv64" fn(ip: *const Threaded, fp: *mut u64) -> u64;

#[derive(Clone, Copy)]
struct Threaded {
    handler: Handler,
    x: u32,
    y: u32,
    z: u32,
}

macro_rules! next {
    ($ip:expr, $fp:expr) => {{
        let ip = $ip;
        // SAFETY: `ip` points into the program, which ends with `Return`.
        return unsafe { ((*ip).handler)(ip, $fp) };
    }};
}

macro_rules! handler {
    ($name:ident, |$i:ident, $fp:ident| $body:block) => {
        extern "sysv64" fn $name(ip: *const Threaded, $fp: *mut u64) -> u64 {
            // SAFETY: operands are slot indices below the frame size (built by `threaded`).
            let $i = unsafe { *ip };
            let next: *const Threaded = unsafe {
                let slot = |s: u32| $fp.add(s as usize);
                let _ = &slot;
                $body
            };
            let next = if next.is_null() {
                ip.wrapping_add(1)
            } else {
                next
            };
            next!(next, $fp)
        }
    };
}

handler!(h_copy, |i, fp| {
    *fp.add(i.x as usize) = *fp.add(i.y as usize);
    std::ptr::null()
});
handler!(h_const, |i, fp| {
    *fp.add(i.x as usize) = u64::from(i.y);
    std::ptr::null()
});
handler!(h_addi, |i, fp| {
    *fp.add(i.x as usize) = (*fp.add(i.y as usize)).wrapping_add(i.z as i32 as u64);
    std::ptr::null()
});
handler!(h_add, |i, fp| {
    *fp.add(i.x as usize) = (*fp.add(i.y as usize)).wrapping_add(*fp.add(i.z as usize));
    std::ptr::null()
});
handler!(h_shrui, |i, fp| {
    *fp.add(i.x as usize) = *fp.add(i.y as usize) >> (i.z & 63);
    std::ptr::null()
});
handler!(h_muli, |i, fp| {
    *fp.add(i.x as usize) = (*fp.add(i.y as usize)).wrapping_mul(i.z as i32 as u64);
    std::ptr::null()
});
handler!(h_andi, |i, fp| {
    *fp.add(i.x as usize) = *fp.add(i.y as usize) & i.z as i32 as u64;
    std::ptr::null()
});
handler!(h_eqz, |i, fp| {
    *fp.add(i.x as usize) = u64::from(*fp.add(i.y as usize) == 0);
    std::ptr::null()
});
handler!(h_select, |i, fp| {
    if *fp.add(i.z as usize) as u32 == 0 {
        *fp.add(i.x as usize) = *fp.add(i.y as usize);
    }
    std::ptr::null()
});

// Branches: `z` holds the target as a relative instruction offset (i32).
extern "sysv64" fn h_br_eqi(ip: *const Threaded, fp: *mut u64) -> u64 {
    // SAFETY: as in `handler!`; targets stay inside the program.
    let i = unsafe { *ip };
    let taken = unsafe { *fp.add(i.x as usize) == i.y as i32 as u64 };
    let next = if taken {
        ip.wrapping_offset(i.z as i32 as isize)
    } else {
        ip.wrapping_add(1)
    };
    next!(next, fp)
}
extern "sysv64" fn h_br_nei(ip: *const Threaded, fp: *mut u64) -> u64 {
    // SAFETY: as in `handler!`; targets stay inside the program.
    let i = unsafe { *ip };
    let taken = unsafe { *fp.add(i.x as usize) != i.y as i32 as u64 };
    let next = if taken {
        ip.wrapping_offset(i.z as i32 as isize)
    } else {
        ip.wrapping_add(1)
    };
    next!(next, fp)
}
extern "sysv64" fn h_br_ne(ip: *const Threaded, fp: *mut u64) -> u64 {
    // SAFETY: as in `handler!`; targets stay inside the program.
    let i = unsafe { *ip };
    let taken = unsafe { *fp.add(i.x as usize) != *fp.add(i.y as usize) };
    let next = if taken {
        ip.wrapping_offset(i.z as i32 as isize)
    } else {
        ip.wrapping_add(1)
    };
    next!(next, fp)
}
extern "sysv64" fn h_return(_ip: *const Threaded, _fp: *mut u64) -> u64 {
    0
}

fn threaded(code: &[Op]) -> Vec<Threaded> {
    let rel = |at: usize, target: u32| (target as i64 - at as i64) as i32 as u32;
    code.iter()
        .enumerate()
        .map(|(at, op)| {
            let (handler, x, y, z): (Handler, u32, u32, u32) = match *op {
                Op::Copy { dst, src } => (h_copy, dst, src, 0),
                Op::Const { dst, value } => (h_const, dst, value, 0),
                Op::AddI { dst, a, imm } => (h_addi, dst, a, imm as u32),
                Op::Add { dst, a, b } => (h_add, dst, a, b),
                Op::ShrUI { dst, a, imm } => (h_shrui, dst, a, imm as u32),
                Op::MulI { dst, a, imm } => (h_muli, dst, a, imm as u32),
                Op::AndI { dst, a, imm } => (h_andi, dst, a, imm as u32),
                Op::Eqz { dst, src } => (h_eqz, dst, src, 0),
                Op::Select { dst, b, cond } => (h_select, dst, b, cond),
                Op::BrEqI { a, imm, target } => (h_br_eqi, a, imm as u32, rel(at, target)),
                Op::BrNeI { a, imm, target } => (h_br_nei, a, imm as u32, rel(at, target)),
                Op::BrNe { a, b, target } => (h_br_ne, a, b, rel(at, target)),
                Op::Return => (h_return, 0, 0, 0),
            };
            Threaded { handler, x, y, z }
        })
        .collect()
}

#[test]
#[ignore]
fn match_loop_versus_tail_calls() {
    if cfg!(debug_assertions) {
        // Without optimization the tail calls are real calls: ~1e9 nested native frames.
        println!("skipped: the tail-call prototype needs an optimized build (--release)");
        return;
    }
    let limit: u64 = std::env::var("WRUN_DISPATCH_N")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1_000_000);
    let code = program();
    let fresh = || {
        let mut fp = vec![0u64; 16];
        fp[0] = 1;
        fp[1] = limit;
        fp
    };
    for round in 0..3 {
        let mut fp = fresh();
        let begin = Instant::now();
        run_match(&code, &mut fp);
        let a = begin.elapsed();
        let total_a = fp[4];

        let threaded = threaded(&code);
        let mut fp = fresh();
        let begin = Instant::now();
        h_entry(&threaded, &mut fp);
        let b = begin.elapsed();
        assert_eq!(total_a, fp[4], "both dispatchers compute the same result");
        println!(
            "round {round}: (a) match loop {:.3}s  (b) tail-call handlers {:.3}s  (total steps {total_a})",
            a.as_secs_f64(),
            b.as_secs_f64()
        );
    }
}

fn h_entry(code: &[Threaded], fp: &mut [u64]) {
    let ip = code.as_ptr();
    // SAFETY: the program ends with `Return`, its slots are below 16 and fp has 16 slots.
    unsafe {
        ((*ip).handler)(ip, fp.as_mut_ptr());
    }
}
