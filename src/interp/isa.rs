//! The interpreter's instruction set, written once: [`for_each_instr!`] holds one row per
//! instruction, and everything that must list every instruction is generated from it, so
//! that a new instruction cannot be half added:
//! - here: the [`Instr`] enum (its doc comments come from the rows), the fieldless [`Opcode`]
//!   (the same variants: `Opcode::X as u16` is the tag of `Instr::X`), [`Instr::COUNT`],
//!   [`Instr::tag`], [`Instr::name`] (the debug dump and the pair counts print it) and
//!   [`Instr::target_mut`] (every operand named `target` is a jump target);
//! - in `exec.rs`: the `match` of `fast_step` (one arm per row: its `fast` semantics, or
//!   "slow" when it has none), the `match` of the run loop (its `slow` semantics, or
//!   unreachable when it has none) and the handler table `[Handler; Instr::COUNT]` of the
//!   handler chain (one monomorphized handler per row).
//!
//! None of these has a `_ =>` arm, and the table's size is the number of rows (a type, so
//! checked at compile time).
//!
//! # A row
//!
//! `Name { operand: Type, ... } fast { semantics } slow { semantics };` (doc comments first;
//! no braces for an instruction without operands). At least one of `fast` and `slow`:
//! - `fast`: executed by `exec::fast_step`, both in the handler chain (optimized builds) and
//!   in the `match` loop (debug builds). May end in `slow!()` to hand the instruction to the
//!   run loop after all (a hot loop header, a call that leaves the chain);
//! - `slow`: executed by the run loop of `Interp::run` (calls out, libcalls, anything that may
//!   need the full interpreter state).
//!
//! The semantics are written in the executors' vocabulary (macros each executor defines, so
//! the row does not depend on how state is kept): `s!(slot)` (a frame slot, an lvalue),
//! `trap!(TrapCode variant)`, `ok_or_trap!(result)`, `jump!(target)`, `br_if!(target, cond)`,
//! `skip!(n)` (continue `n` instructions further), `vmctx!()`, `memory_pages!()`,
//! `reload_memory!()`, the operand helpers `un32!`/`bin32!`/`un64!`/`bin64!`/`f32un!`/
//! `f32bin!`/`f64un!`/`f64bin!`/`load!`/`load_at!`/`store!` (fast), for f64 results that
//! also go to the accumulator `f64!(slot)` (a slot as f64), `f64_result!(fdst, value)`, `acc!()`
//! and `store_f64!(addr, offset, value)`, and `libcall!` (slow), and
//! handlers too large for a row, defined next to the executor that runs them:
//! `count_back_edge!`, `return_in_chain!`, `call_in_chain!`, `tail_call_in_chain!` (fast),
//! `osr!`, `return_to_caller!`, `call!`, `call_indirect!`, `indirect_callee!`, `tail_call!`,
//! `throw!`, `new_exception!`, `throw_ref!` (slow). For v128 values (two slots, low half
//! first): `v128!(slot)` reads one as a `runtime::simd::V128`, `set_v128!(slot, value)` writes
//! one, `v128_pool!(index)` is entry `index` of the running function's constant pool (`fast`
//! only).
//!
//! # Adding an instruction
//!
//! One row here (the compiler then demands nothing else of the executor), plus its
//! translation rule in `translate.rs`, the one place that emits it. A branch names its
//! target operand `target` (so that `target_mut` patches it); an operand that the
//! instruction's slot contract (see [`Slot`]) does not cover needs its own check in the
//! translator.
//!
//! Every operand named `dst`, `fdst`, `a`, `b`, `src`, `addr`, `val`, `cond`, `index`, `base`, `x` or
//! `count` is a slot index relative to the frame pointer `fp` (`index` of `GlobalGet`,
//! `GlobalSet` and their v128 forms is a global index, of `V128Const` a pool index). The translator guarantees that each
//! such index is below the function's `frame_slots` (the invariant the executor's unchecked
//! slot accesses rely on). `target` is an index into the function's instruction vector,
//! always `<=` its last index (the translator resolves every label before the code is
//! published).

use crate::runtime::simd;

/// A slot index relative to `fp`.
pub type Slot = u32;

/// A slot index in a superinstruction, which has room for four 16-bit operands.
pub type Slot16 = u16;

/// The instruction table (see the module docs): calls `$callback!` with every row.
macro_rules! for_each_instr {
    ($callback:ident) => {
        $callback! {
            // ----- control -----
            Unreachable fast { trap!(Unreachable) };
            /// Counts a back-edge (or the first entry) of a loop; the loop's branch target. Once the
            /// count reaches the function's loop trigger it is slow: the run loop asks the tier
            /// manager for an OSR entry (`osr!`).
            LoopHeader fast { count_back_edge!() } slow { osr!() };
            Br { target: u32 } fast { jump!(target) };
            BrIfNez { cond: Slot, target: u32 } fast { br_if!(target, s!(cond) as u32 != 0) };
            BrIfEqz { cond: Slot, target: u32 } fast { br_if!(target, s!(cond) as u32 == 0) };
            BrIfNez64 { cond: Slot, target: u32 } fast { br_if!(target, s!(cond) != 0) };
            BrIfEqz64 { cond: Slot, target: u32 } fast { br_if!(target, s!(cond) == 0) };
            /// Followed by `len + 1` `Br` instructions (the last one is the default).
            BrTable { index: Slot, len: u32 } fast { skip!((s!(index) as u32).min(len)) };
            /// Results are already in `fp[0..n]`. Fast when the caller is an interpreted frame of
            /// this run and instance (`return_in_chain!`), else the run loop returns.
            Return fast { return_in_chain!() } slow { return_to_caller!() };
            /// Copies `src` to `fp[0]`, then returns (copying again in the run loop is harmless).
            Return1 { src: Slot }
                fast {
                    s!(0) = s!(src);
                    return_in_chain!()
                }
                slow {
                    s!(0) = s!(src);
                    return_to_caller!()
                };
            /// Arguments at `fp[base..]`; results end at `fp[base..]`. Fast between interpreted,
            /// already translated functions of one instance (`call_in_chain!`), else the run loop
            /// makes the call (`call!`).
            Call { func: u32, base: Slot }
                fast { call_in_chain!(*(*vmctx!()).funcs.add(func as usize), base) }
                slow { call!(*(*vmctx!()).funcs.add(func as usize), base) };
            /// Arguments at `fp[base..base + params]`, the table index at `fp[base + params]`.
            CallIndirect { type_index: u32, table: u32, base: Slot }
                slow { call_indirect!(type_index, table, base) };
            /// `return_call`: the arguments at `fp[base..]` move to `fp[0..]`, where the callee's
            /// frame replaces this one. Fast as `Call` (`tail_call_in_chain!`), else `tail_call!`.
            ReturnCall { func: u32, base: Slot }
                fast { tail_call_in_chain!(*(*vmctx!()).funcs.add(func as usize), base) }
                slow { tail_call!(*(*vmctx!()).funcs.add(func as usize), base) };
            /// `return_call_indirect`: operands as `CallIndirect`, the call as `ReturnCall`.
            ReturnCallIndirect { type_index: u32, table: u32, base: Slot }
                slow { tail_call!(indirect_callee!(type_index, table, base), base) };

            // ----- exception handling (ARCHITECTURE.md "Exceptions"; `exec::Interp::catch`) -----
            /// Throws a new exception of tag `tag` (tag index of this instance), its payload at
            /// `fp[base..]`.
            Throw { tag: u32, base: Slot } slow { throw!(new_exception!(tag, base)) };
            /// Throws again the exception the exnref `fp[src]` refers to (same identity);
            /// traps on null.
            ThrowRef { src: Slot } slow { throw_ref!(src) };

            // ----- compare and branch (fused) -----
            BrI32Eq { a: Slot, b: Slot, target: u32 } fast { br_if!(target, s!(a) as u32 == s!(b) as u32) };
            BrI32Ne { a: Slot, b: Slot, target: u32 } fast { br_if!(target, s!(a) as u32 != s!(b) as u32) };
            BrI32LtS { a: Slot, b: Slot, target: u32 }
                fast { br_if!(target, (s!(a) as i32) < s!(b) as i32) };
            BrI32LtU { a: Slot, b: Slot, target: u32 }
                fast { br_if!(target, (s!(a) as u32) < s!(b) as u32) };
            BrI32GtS { a: Slot, b: Slot, target: u32 } fast { br_if!(target, s!(a) as i32 > s!(b) as i32) };
            BrI32GtU { a: Slot, b: Slot, target: u32 } fast { br_if!(target, s!(a) as u32 > s!(b) as u32) };
            BrI32LeS { a: Slot, b: Slot, target: u32 }
                fast { br_if!(target, s!(a) as i32 <= s!(b) as i32) };
            BrI32LeU { a: Slot, b: Slot, target: u32 }
                fast { br_if!(target, s!(a) as u32 <= s!(b) as u32) };
            BrI32GeS { a: Slot, b: Slot, target: u32 }
                fast { br_if!(target, s!(a) as i32 >= s!(b) as i32) };
            BrI32GeU { a: Slot, b: Slot, target: u32 }
                fast { br_if!(target, s!(a) as u32 >= s!(b) as u32) };
            BrI32EqI { a: Slot, imm: i32, target: u32 } fast { br_if!(target, s!(a) as i32 == imm) };
            BrI32NeI { a: Slot, imm: i32, target: u32 } fast { br_if!(target, s!(a) as i32 != imm) };
            BrI32LtSI { a: Slot, imm: i32, target: u32 } fast { br_if!(target, (s!(a) as i32) < imm) };
            BrI32LtUI { a: Slot, imm: i32, target: u32 }
                fast { br_if!(target, (s!(a) as u32) < imm as u32) };
            BrI32GtSI { a: Slot, imm: i32, target: u32 } fast { br_if!(target, s!(a) as i32 > imm) };
            BrI32GtUI { a: Slot, imm: i32, target: u32 } fast { br_if!(target, s!(a) as u32 > imm as u32) };
            BrI32LeSI { a: Slot, imm: i32, target: u32 } fast { br_if!(target, s!(a) as i32 <= imm) };
            BrI32LeUI { a: Slot, imm: i32, target: u32 }
                fast { br_if!(target, s!(a) as u32 <= imm as u32) };
            BrI32GeSI { a: Slot, imm: i32, target: u32 } fast { br_if!(target, s!(a) as i32 >= imm) };
            BrI32GeUI { a: Slot, imm: i32, target: u32 }
                fast { br_if!(target, s!(a) as u32 >= imm as u32) };
            BrI64Eq { a: Slot, b: Slot, target: u32 } fast { br_if!(target, s!(a) == s!(b)) };
            BrI64Ne { a: Slot, b: Slot, target: u32 } fast { br_if!(target, s!(a) != s!(b)) };
            BrI64LtS { a: Slot, b: Slot, target: u32 }
                fast { br_if!(target, (s!(a) as i64) < s!(b) as i64) };
            BrI64LtU { a: Slot, b: Slot, target: u32 } fast { br_if!(target, s!(a) < s!(b)) };
            BrI64GtS { a: Slot, b: Slot, target: u32 } fast { br_if!(target, s!(a) as i64 > s!(b) as i64) };
            BrI64GtU { a: Slot, b: Slot, target: u32 } fast { br_if!(target, s!(a) > s!(b)) };
            BrI64LeS { a: Slot, b: Slot, target: u32 }
                fast { br_if!(target, s!(a) as i64 <= s!(b) as i64) };
            BrI64LeU { a: Slot, b: Slot, target: u32 } fast { br_if!(target, s!(a) <= s!(b)) };
            BrI64GeS { a: Slot, b: Slot, target: u32 }
                fast { br_if!(target, s!(a) as i64 >= s!(b) as i64) };
            BrI64GeU { a: Slot, b: Slot, target: u32 } fast { br_if!(target, s!(a) >= s!(b)) };
            BrI64EqI { a: Slot, imm: i32, target: u32 } fast { br_if!(target, s!(a) as i64 == imm as i64) };
            BrI64NeI { a: Slot, imm: i32, target: u32 } fast { br_if!(target, s!(a) as i64 != imm as i64) };
            BrI64LtSI { a: Slot, imm: i32, target: u32 }
                fast { br_if!(target, (s!(a) as i64) < imm as i64) };
            BrI64LtUI { a: Slot, imm: i32, target: u32 } fast { br_if!(target, s!(a) < imm as i64 as u64) };
            BrI64GtSI { a: Slot, imm: i32, target: u32 } fast { br_if!(target, s!(a) as i64 > imm as i64) };
            BrI64GtUI { a: Slot, imm: i32, target: u32 } fast { br_if!(target, s!(a) > imm as i64 as u64) };
            BrI64LeSI { a: Slot, imm: i32, target: u32 }
                fast { br_if!(target, s!(a) as i64 <= imm as i64) };
            BrI64LeUI { a: Slot, imm: i32, target: u32 }
                fast { br_if!(target, s!(a) <= imm as i64 as u64) };
            BrI64GeSI { a: Slot, imm: i32, target: u32 }
                fast { br_if!(target, s!(a) as i64 >= imm as i64) };
            BrI64GeUI { a: Slot, imm: i32, target: u32 }
                fast { br_if!(target, s!(a) >= imm as i64 as u64) };
            // Float compare and branch: `Gt`/`Ge` are `Lt`/`Le` with the operands swapped; the
            // `Not` forms branch when the comparison is false, NaN included (`if`, and `br_if`
            // that branches over its moves).
            BrF32Eq { a: Slot, b: Slot, target: u32 }
                fast { br_if!(target, f32::from_bits(s!(a) as u32) == f32::from_bits(s!(b) as u32)) };
            BrF32Ne { a: Slot, b: Slot, target: u32 }
                fast { br_if!(target, f32::from_bits(s!(a) as u32) != f32::from_bits(s!(b) as u32)) };
            BrF32Lt { a: Slot, b: Slot, target: u32 }
                fast { br_if!(target, f32::from_bits(s!(a) as u32) < f32::from_bits(s!(b) as u32)) };
            BrF32Le { a: Slot, b: Slot, target: u32 }
                fast { br_if!(target, f32::from_bits(s!(a) as u32) <= f32::from_bits(s!(b) as u32)) };
            BrF32NotLt { a: Slot, b: Slot, target: u32 }
                fast { br_if!(target, !(f32::from_bits(s!(a) as u32) < f32::from_bits(s!(b) as u32))) };
            BrF32NotLe { a: Slot, b: Slot, target: u32 }
                fast { br_if!(target, !(f32::from_bits(s!(a) as u32) <= f32::from_bits(s!(b) as u32))) };
            BrF64Eq { a: Slot, b: Slot, target: u32 }
                fast { br_if!(target, f64::from_bits(s!(a)) == f64::from_bits(s!(b))) };
            BrF64Ne { a: Slot, b: Slot, target: u32 }
                fast { br_if!(target, f64::from_bits(s!(a)) != f64::from_bits(s!(b))) };
            BrF64Lt { a: Slot, b: Slot, target: u32 }
                fast { br_if!(target, f64::from_bits(s!(a)) < f64::from_bits(s!(b))) };
            BrF64Le { a: Slot, b: Slot, target: u32 }
                fast { br_if!(target, f64::from_bits(s!(a)) <= f64::from_bits(s!(b))) };
            BrF64NotLt { a: Slot, b: Slot, target: u32 }
                fast { br_if!(target, !(f64::from_bits(s!(a)) < f64::from_bits(s!(b)))) };
            BrF64NotLe { a: Slot, b: Slot, target: u32 }
                fast { br_if!(target, !(f64::from_bits(s!(a)) <= f64::from_bits(s!(b)))) };
            // f64 compare with a constant `k` (its bits) and branch.
            BrF64EqK { a: Slot16, target: u32, k: u64 }
                fast { br_if!(target, f64::from_bits(s!(a)) == f64::from_bits(k)) };
            BrF64NeK { a: Slot16, target: u32, k: u64 }
                fast { br_if!(target, f64::from_bits(s!(a)) != f64::from_bits(k)) };
            BrF64LtK { a: Slot16, target: u32, k: u64 }
                fast { br_if!(target, f64::from_bits(s!(a)) < f64::from_bits(k)) };
            BrF64LeK { a: Slot16, target: u32, k: u64 }
                fast { br_if!(target, f64::from_bits(s!(a)) <= f64::from_bits(k)) };
            BrF64GtK { a: Slot16, target: u32, k: u64 }
                fast { br_if!(target, f64::from_bits(s!(a)) > f64::from_bits(k)) };
            BrF64GeK { a: Slot16, target: u32, k: u64 }
                fast { br_if!(target, f64::from_bits(s!(a)) >= f64::from_bits(k)) };
            BrF64NotLtK { a: Slot16, target: u32, k: u64 }
                fast { br_if!(target, !(f64::from_bits(s!(a)) < f64::from_bits(k))) };
            BrF64NotLeK { a: Slot16, target: u32, k: u64 }
                fast { br_if!(target, !(f64::from_bits(s!(a)) <= f64::from_bits(k))) };
            BrF64NotGtK { a: Slot16, target: u32, k: u64 }
                fast { br_if!(target, !(f64::from_bits(s!(a)) > f64::from_bits(k))) };
            BrF64NotGeK { a: Slot16, target: u32, k: u64 }
                fast { br_if!(target, !(f64::from_bits(s!(a)) >= f64::from_bits(k))) };
            // f64 compare of the accumulator with a constant and branch.
            BrF64LtKAcc { target: u32, k: u64 } fast { br_if!(target, acc!() < f64::from_bits(k)) };
            BrF64LeKAcc { target: u32, k: u64 } fast { br_if!(target, acc!() <= f64::from_bits(k)) };
            BrF64GtKAcc { target: u32, k: u64 } fast { br_if!(target, acc!() > f64::from_bits(k)) };
            BrF64GeKAcc { target: u32, k: u64 } fast { br_if!(target, acc!() >= f64::from_bits(k)) };
            BrF64NotLtKAcc { target: u32, k: u64 } fast { br_if!(target, !(acc!() < f64::from_bits(k))) };
            BrF64NotLeKAcc { target: u32, k: u64 } fast { br_if!(target, !(acc!() <= f64::from_bits(k))) };
            BrF64NotGtKAcc { target: u32, k: u64 } fast { br_if!(target, !(acc!() > f64::from_bits(k))) };
            BrF64NotGeKAcc { target: u32, k: u64 } fast { br_if!(target, !(acc!() >= f64::from_bits(k))) };
            // ----- moves -----
            Copy { dst: Slot, src: Slot } fast { s!(dst) = s!(src) };
            Const32 { dst: Slot, value: u32 } fast { s!(dst) = u64::from(value) };
            Const64 { dst: Slot, value: u64 } fast { s!(dst) = value };
            /// `fp[dst] = fp[cond] != 0 ? fp[dst] : fp[b]` (the first operand is already in `dst`).
            Select { dst: Slot, b: Slot, cond: Slot }
                fast {
                    if s!(cond) as u32 == 0 {
                        s!(dst) = s!(b);
                    }
                };
            GlobalGet { dst: Slot, index: u32 }
                fast { s!(dst) = **(*vmctx!()).globals.add(index as usize) };
            GlobalSet { src: Slot, index: u32 }
                fast { **(*vmctx!()).globals.add(index as usize) = s!(src) };
            // ----- memory -----
            Load32 { dst: Slot, addr: Slot, offset: u32 }
                fast { load!(dst, addr, offset, u32, |v| u64::from(v)) };
            Load64 { dst: Slot, addr: Slot, offset: u32 } fast { load!(dst, addr, offset, u64, |v| v) };
            Load8U { dst: Slot, addr: Slot, offset: u32 }
                fast { load!(dst, addr, offset, u8, |v| u64::from(v)) };
            Load16U { dst: Slot, addr: Slot, offset: u32 }
                fast { load!(dst, addr, offset, u16, |v| u64::from(v)) };
            Load8S32 { dst: Slot, addr: Slot, offset: u32 }
                fast { load!(dst, addr, offset, i8, |v| v as i32 as u32 as u64) };
            Load16S32 { dst: Slot, addr: Slot, offset: u32 }
                fast { load!(dst, addr, offset, i16, |v| v as i32 as u32 as u64) };
            Load8S64 { dst: Slot, addr: Slot, offset: u32 }
                fast { load!(dst, addr, offset, i8, |v| v as i64 as u64) };
            Load16S64 { dst: Slot, addr: Slot, offset: u32 }
                fast { load!(dst, addr, offset, i16, |v| v as i64 as u64) };
            Load32S64 { dst: Slot, addr: Slot, offset: u32 }
                fast { load!(dst, addr, offset, i32, |v| v as i64 as u64) };
            Store8 { addr: Slot, val: Slot, offset: u32 } fast { store!(addr, val, offset, u8) };
            Store16 { addr: Slot, val: Slot, offset: u32 } fast { store!(addr, val, offset, u16) };
            Store32 { addr: Slot, val: Slot, offset: u32 } fast { store!(addr, val, offset, u32) };
            Store64 { addr: Slot, val: Slot, offset: u32 } fast { store!(addr, val, offset, u64) };
            /// `Store64` of the f64 in the accumulator.
            Store64Acc { addr: Slot, offset: u32 }
                fast { store_f64!(addr, offset, acc!()) };
            MemorySize { dst: Slot } fast { s!(dst) = memory_pages!() };
            /// Fast: reloads the memory registers itself.
            MemoryGrow { dst: Slot, delta: Slot }
                fast {
                    s!(dst) = u64::from(libcalls::memory_grow(vmctx!(), s!(delta) as u32));
                    reload_memory!()
                };
            /// `fp[base..base+3]` = dst, value, len.
            MemoryFill { base: Slot }
                slow {
                    let (d, v, n) = (s!(base) as u32, s!(base + 1) as u32, s!(base + 2) as u32);
                    libcall!(libcalls::memory_fill(vmctx!(), d, v, n))
                };
            /// `fp[base..base+3]` = dst, src, len.
            MemoryCopy { base: Slot }
                slow {
                    let (d, src, n) = (s!(base) as u32, s!(base + 1) as u32, s!(base + 2) as u32);
                    libcall!(libcalls::memory_copy(vmctx!(), d, src, n))
                };
            /// `fp[base..base+3]` = dst, src, len.
            MemoryInit { data: u32, base: Slot }
                slow {
                    let (d, src, n) = (s!(base) as u32, s!(base + 1) as u32, s!(base + 2) as u32);
                    libcall!(libcalls::memory_init(vmctx!(), data, d, src, n))
                };
            DataDrop { data: u32 } slow { libcalls::data_drop(vmctx!(), data) };

            // ----- tables and references -----
            TableGet { dst: Slot, index: Slot, table: u32 }
                slow {
                    let mut out = 0u64;
                    libcall!(libcalls::table_get(vmctx!(), table, s!(index) as u32, &mut out));
                    s!(dst) = out;
                };
            TableSet { index: Slot, val: Slot, table: u32 }
                slow { libcall!(libcalls::table_set(vmctx!(), table, s!(index) as u32, s!(val))) };
            TableSize { dst: Slot, table: u32 }
                slow { s!(dst) = u64::from((**(*vmctx!()).tables.add(table as usize)).len) };
            /// `fp[base]` = init value, `fp[base+1]` = delta; the result goes to `fp[base]`.
            TableGrow { base: Slot, table: u32 }
                slow {
                    let old = libcalls::table_grow(vmctx!(), table, s!(base), s!(base + 1) as u32);
                    s!(base) = u64::from(old);
                };
            /// `fp[base..base+3]` = dst, value, len.
            TableFill { base: Slot, table: u32 }
                slow {
                    let (d, v, n) = (s!(base) as u32, s!(base + 1), s!(base + 2) as u32);
                    libcall!(libcalls::table_fill(vmctx!(), table, d, v, n))
                };
            /// `fp[base..base+3]` = dst, src, len.
            TableCopy { base: Slot, dst_table: u32, src_table: u32 }
                slow {
                    let (d, src, n) = (s!(base) as u32, s!(base + 1) as u32, s!(base + 2) as u32);
                    libcall!(libcalls::table_copy(vmctx!(), dst_table, src_table, d, src, n))
                };
            /// `fp[base..base+3]` = dst, src, len.
            TableInit { base: Slot, table: u32, elem: u32 }
                slow {
                    let (d, src, n) = (s!(base) as u32, s!(base + 1) as u32, s!(base + 2) as u32);
                    libcall!(libcalls::table_init(vmctx!(), table, elem, d, src, n))
                };
            ElemDrop { elem: u32 } slow { libcalls::elem_drop(vmctx!(), elem) };
            RefFunc { dst: Slot, func: u32 }
                slow { s!(dst) = *(*vmctx!()).funcs.add(func as usize) as usize as u64 };
            RefIsNull { dst: Slot, src: Slot } fast { s!(dst) = u64::from(s!(src) == 0) };

            // ----- i32 -----
            I32Eqz { dst: Slot, src: Slot } fast { un32!(dst, src, |x| x == 0) };
            I32Clz { dst: Slot, src: Slot } fast { un32!(dst, src, |x| x.leading_zeros()) };
            I32Ctz { dst: Slot, src: Slot } fast { un32!(dst, src, |x| x.trailing_zeros()) };
            I32Popcnt { dst: Slot, src: Slot } fast { un32!(dst, src, |x| x.count_ones()) };
            I32Extend8S { dst: Slot, src: Slot } fast { un32!(dst, src, |x| x as i8 as i32) };
            I32Extend16S { dst: Slot, src: Slot } fast { un32!(dst, src, |x| x as i16 as i32) };
            I32Add { dst: Slot, a: Slot, b: Slot }
                fast { bin32!(dst, a, s!(b) as u32, |x, y| x.wrapping_add(y)) };
            I32Sub { dst: Slot, a: Slot, b: Slot }
                fast { bin32!(dst, a, s!(b) as u32, |x, y| x.wrapping_sub(y)) };
            I32Mul { dst: Slot, a: Slot, b: Slot }
                fast { bin32!(dst, a, s!(b) as u32, |x, y| x.wrapping_mul(y)) };
            I32DivS { dst: Slot, a: Slot, b: Slot }
                fast {
                    let (x, y) = (s!(a) as i32, s!(b) as i32);
                    if y == 0 {
                        trap!(IntegerDivideByZero);
                    }
                    if x == i32::MIN && y == -1 {
                        trap!(IntegerOverflow);
                    }
                    s!(dst) = (x / y) as u32 as u64;
                };
            I32DivU { dst: Slot, a: Slot, b: Slot }
                fast {
                    let (x, y) = (s!(a) as u32, s!(b) as u32);
                    if y == 0 {
                        trap!(IntegerDivideByZero);
                    }
                    s!(dst) = u64::from(x / y);
                };
            I32RemS { dst: Slot, a: Slot, b: Slot }
                fast {
                    let (x, y) = (s!(a) as i32, s!(b) as i32);
                    if y == 0 {
                        trap!(IntegerDivideByZero);
                    }
                    s!(dst) = x.wrapping_rem(y) as u32 as u64;
                };
            I32RemU { dst: Slot, a: Slot, b: Slot }
                fast {
                    let (x, y) = (s!(a) as u32, s!(b) as u32);
                    if y == 0 {
                        trap!(IntegerDivideByZero);
                    }
                    s!(dst) = u64::from(x % y);
                };
            I32And { dst: Slot, a: Slot, b: Slot } fast { bin32!(dst, a, s!(b) as u32, |x, y| x & y) };
            I32Or { dst: Slot, a: Slot, b: Slot } fast { bin32!(dst, a, s!(b) as u32, |x, y| x | y) };
            I32Xor { dst: Slot, a: Slot, b: Slot } fast { bin32!(dst, a, s!(b) as u32, |x, y| x ^ y) };
            I32Shl { dst: Slot, a: Slot, b: Slot }
                fast { bin32!(dst, a, s!(b) as u32, |x, y| x.wrapping_shl(y)) };
            I32ShrS { dst: Slot, a: Slot, b: Slot }
                fast { bin32!(dst, a, s!(b) as u32, |x, y| (x as i32).wrapping_shr(y)) };
            I32ShrU { dst: Slot, a: Slot, b: Slot }
                fast { bin32!(dst, a, s!(b) as u32, |x, y| x.wrapping_shr(y)) };
            I32Rotl { dst: Slot, a: Slot, b: Slot }
                fast { bin32!(dst, a, s!(b) as u32, |x, y| x.rotate_left(y & 31)) };
            I32Rotr { dst: Slot, a: Slot, b: Slot }
                fast { bin32!(dst, a, s!(b) as u32, |x, y| x.rotate_right(y & 31)) };
            I32AddI { dst: Slot, a: Slot, imm: i32 }
                fast { bin32!(dst, a, imm as u32, |x, y| x.wrapping_add(y)) };
            I32MulI { dst: Slot, a: Slot, imm: i32 }
                fast { bin32!(dst, a, imm as u32, |x, y| x.wrapping_mul(y)) };
            I32AndI { dst: Slot, a: Slot, imm: i32 } fast { bin32!(dst, a, imm as u32, |x, y| x & y) };
            I32OrI { dst: Slot, a: Slot, imm: i32 } fast { bin32!(dst, a, imm as u32, |x, y| x | y) };
            I32XorI { dst: Slot, a: Slot, imm: i32 } fast { bin32!(dst, a, imm as u32, |x, y| x ^ y) };
            I32ShlI { dst: Slot, a: Slot, imm: i32 }
                fast { bin32!(dst, a, imm as u32, |x, y| x.wrapping_shl(y)) };
            I32ShrSI { dst: Slot, a: Slot, imm: i32 }
                fast { bin32!(dst, a, imm as u32, |x, y| (x as i32).wrapping_shr(y)) };
            I32ShrUI { dst: Slot, a: Slot, imm: i32 }
                fast { bin32!(dst, a, imm as u32, |x, y| x.wrapping_shr(y)) };
            I32RotlI { dst: Slot, a: Slot, imm: i32 }
                fast { bin32!(dst, a, imm as u32, |x, y| x.rotate_left(y & 31)) };
            I32RotrI { dst: Slot, a: Slot, imm: i32 }
                fast { bin32!(dst, a, imm as u32, |x, y| x.rotate_right(y & 31)) };
            I32Eq { dst: Slot, a: Slot, b: Slot } fast { bin32!(dst, a, s!(b) as u32, |x, y| x == y) };
            I32Ne { dst: Slot, a: Slot, b: Slot } fast { bin32!(dst, a, s!(b) as u32, |x, y| x != y) };
            I32LtS { dst: Slot, a: Slot, b: Slot }
                fast { bin32!(dst, a, s!(b) as i32, |x, y| (x as i32) < y) };
            I32LtU { dst: Slot, a: Slot, b: Slot } fast { bin32!(dst, a, s!(b) as u32, |x, y| x < y) };
            I32GtS { dst: Slot, a: Slot, b: Slot }
                fast { bin32!(dst, a, s!(b) as i32, |x, y| (x as i32) > y) };
            I32GtU { dst: Slot, a: Slot, b: Slot } fast { bin32!(dst, a, s!(b) as u32, |x, y| x > y) };
            I32LeS { dst: Slot, a: Slot, b: Slot }
                fast { bin32!(dst, a, s!(b) as i32, |x, y| (x as i32) <= y) };
            I32LeU { dst: Slot, a: Slot, b: Slot } fast { bin32!(dst, a, s!(b) as u32, |x, y| x <= y) };
            I32GeS { dst: Slot, a: Slot, b: Slot }
                fast { bin32!(dst, a, s!(b) as i32, |x, y| (x as i32) >= y) };
            I32GeU { dst: Slot, a: Slot, b: Slot } fast { bin32!(dst, a, s!(b) as u32, |x, y| x >= y) };
            I32EqI { dst: Slot, a: Slot, imm: i32 } fast { bin32!(dst, a, imm as u32, |x, y| x == y) };
            I32NeI { dst: Slot, a: Slot, imm: i32 } fast { bin32!(dst, a, imm as u32, |x, y| x != y) };
            I32LtSI { dst: Slot, a: Slot, imm: i32 } fast { bin32!(dst, a, imm, |x, y| (x as i32) < y) };
            I32LtUI { dst: Slot, a: Slot, imm: i32 } fast { bin32!(dst, a, imm as u32, |x, y| x < y) };
            I32GtSI { dst: Slot, a: Slot, imm: i32 } fast { bin32!(dst, a, imm, |x, y| (x as i32) > y) };
            I32GtUI { dst: Slot, a: Slot, imm: i32 } fast { bin32!(dst, a, imm as u32, |x, y| x > y) };
            I32LeSI { dst: Slot, a: Slot, imm: i32 } fast { bin32!(dst, a, imm, |x, y| (x as i32) <= y) };
            I32LeUI { dst: Slot, a: Slot, imm: i32 } fast { bin32!(dst, a, imm as u32, |x, y| x <= y) };
            I32GeSI { dst: Slot, a: Slot, imm: i32 } fast { bin32!(dst, a, imm, |x, y| (x as i32) >= y) };
            I32GeUI { dst: Slot, a: Slot, imm: i32 } fast { bin32!(dst, a, imm as u32, |x, y| x >= y) };
            // ----- i64 -----
            I64Eqz { dst: Slot, src: Slot } fast { un64!(dst, src, |x| x == 0) };
            I64Clz { dst: Slot, src: Slot } fast { un64!(dst, src, |x| x.leading_zeros()) };
            I64Ctz { dst: Slot, src: Slot } fast { un64!(dst, src, |x| x.trailing_zeros()) };
            I64Popcnt { dst: Slot, src: Slot } fast { un64!(dst, src, |x| x.count_ones()) };
            I64Extend8S { dst: Slot, src: Slot } fast { un64!(dst, src, |x| x as i8 as i64) };
            I64Extend16S { dst: Slot, src: Slot } fast { un64!(dst, src, |x| x as i16 as i64) };
            I64Extend32S { dst: Slot, src: Slot } fast { un64!(dst, src, |x| x as i32 as i64) };
            I64Add { dst: Slot, a: Slot, b: Slot } fast { bin64!(dst, a, s!(b), |x, y| x.wrapping_add(y)) };
            I64Sub { dst: Slot, a: Slot, b: Slot } fast { bin64!(dst, a, s!(b), |x, y| x.wrapping_sub(y)) };
            I64Mul { dst: Slot, a: Slot, b: Slot } fast { bin64!(dst, a, s!(b), |x, y| x.wrapping_mul(y)) };
            I64DivS { dst: Slot, a: Slot, b: Slot }
                fast {
                    let (x, y) = (s!(a) as i64, s!(b) as i64);
                    if y == 0 {
                        trap!(IntegerDivideByZero);
                    }
                    if x == i64::MIN && y == -1 {
                        trap!(IntegerOverflow);
                    }
                    s!(dst) = (x / y) as u64;
                };
            I64DivU { dst: Slot, a: Slot, b: Slot }
                fast {
                    let (x, y) = (s!(a), s!(b));
                    if y == 0 {
                        trap!(IntegerDivideByZero);
                    }
                    s!(dst) = x / y;
                };
            I64RemS { dst: Slot, a: Slot, b: Slot }
                fast {
                    let (x, y) = (s!(a) as i64, s!(b) as i64);
                    if y == 0 {
                        trap!(IntegerDivideByZero);
                    }
                    s!(dst) = x.wrapping_rem(y) as u64;
                };
            I64RemU { dst: Slot, a: Slot, b: Slot }
                fast {
                    let (x, y) = (s!(a), s!(b));
                    if y == 0 {
                        trap!(IntegerDivideByZero);
                    }
                    s!(dst) = x % y;
                };
            I64And { dst: Slot, a: Slot, b: Slot } fast { bin64!(dst, a, s!(b), |x, y| x & y) };
            I64Or { dst: Slot, a: Slot, b: Slot } fast { bin64!(dst, a, s!(b), |x, y| x | y) };
            I64Xor { dst: Slot, a: Slot, b: Slot } fast { bin64!(dst, a, s!(b), |x, y| x ^ y) };
            I64Shl { dst: Slot, a: Slot, b: Slot }
                fast { bin64!(dst, a, s!(b) as u32, |x, y| x.wrapping_shl(y)) };
            I64ShrS { dst: Slot, a: Slot, b: Slot }
                fast { bin64!(dst, a, s!(b) as u32, |x, y| (x as i64).wrapping_shr(y)) };
            I64ShrU { dst: Slot, a: Slot, b: Slot }
                fast { bin64!(dst, a, s!(b) as u32, |x, y| x.wrapping_shr(y)) };
            I64Rotl { dst: Slot, a: Slot, b: Slot }
                fast { bin64!(dst, a, s!(b) as u32, |x, y| x.rotate_left(y & 63)) };
            I64Rotr { dst: Slot, a: Slot, b: Slot }
                fast { bin64!(dst, a, s!(b) as u32, |x, y| x.rotate_right(y & 63)) };
            I64AddI { dst: Slot, a: Slot, imm: i32 }
                fast { bin64!(dst, a, imm as i64 as u64, |x, y| x.wrapping_add(y)) };
            I64MulI { dst: Slot, a: Slot, imm: i32 }
                fast { bin64!(dst, a, imm as i64 as u64, |x, y| x.wrapping_mul(y)) };
            I64AndI { dst: Slot, a: Slot, imm: i32 }
                fast { bin64!(dst, a, imm as i64 as u64, |x, y| x & y) };
            I64OrI { dst: Slot, a: Slot, imm: i32 }
                fast { bin64!(dst, a, imm as i64 as u64, |x, y| x | y) };
            I64XorI { dst: Slot, a: Slot, imm: i32 }
                fast { bin64!(dst, a, imm as i64 as u64, |x, y| x ^ y) };
            I64ShlI { dst: Slot, a: Slot, imm: i32 }
                fast { bin64!(dst, a, imm as u32, |x, y| x.wrapping_shl(y)) };
            I64ShrSI { dst: Slot, a: Slot, imm: i32 }
                fast { bin64!(dst, a, imm as u32, |x, y| (x as i64).wrapping_shr(y)) };
            I64ShrUI { dst: Slot, a: Slot, imm: i32 }
                fast { bin64!(dst, a, imm as u32, |x, y| x.wrapping_shr(y)) };
            I64RotlI { dst: Slot, a: Slot, imm: i32 }
                fast { bin64!(dst, a, imm as u32, |x, y| x.rotate_left(y & 63)) };
            I64RotrI { dst: Slot, a: Slot, imm: i32 }
                fast { bin64!(dst, a, imm as u32, |x, y| x.rotate_right(y & 63)) };
            I64Eq { dst: Slot, a: Slot, b: Slot } fast { bin64!(dst, a, s!(b), |x, y| x == y) };
            I64Ne { dst: Slot, a: Slot, b: Slot } fast { bin64!(dst, a, s!(b), |x, y| x != y) };
            I64LtS { dst: Slot, a: Slot, b: Slot }
                fast { bin64!(dst, a, s!(b) as i64, |x, y| (x as i64) < y) };
            I64LtU { dst: Slot, a: Slot, b: Slot } fast { bin64!(dst, a, s!(b), |x, y| x < y) };
            I64GtS { dst: Slot, a: Slot, b: Slot }
                fast { bin64!(dst, a, s!(b) as i64, |x, y| (x as i64) > y) };
            I64GtU { dst: Slot, a: Slot, b: Slot } fast { bin64!(dst, a, s!(b), |x, y| x > y) };
            I64LeS { dst: Slot, a: Slot, b: Slot }
                fast { bin64!(dst, a, s!(b) as i64, |x, y| (x as i64) <= y) };
            I64LeU { dst: Slot, a: Slot, b: Slot } fast { bin64!(dst, a, s!(b), |x, y| x <= y) };
            I64GeS { dst: Slot, a: Slot, b: Slot }
                fast { bin64!(dst, a, s!(b) as i64, |x, y| (x as i64) >= y) };
            I64GeU { dst: Slot, a: Slot, b: Slot } fast { bin64!(dst, a, s!(b), |x, y| x >= y) };
            I64EqI { dst: Slot, a: Slot, imm: i32 }
                fast { bin64!(dst, a, imm as i64 as u64, |x, y| x == y) };
            I64NeI { dst: Slot, a: Slot, imm: i32 }
                fast { bin64!(dst, a, imm as i64 as u64, |x, y| x != y) };
            I64LtSI { dst: Slot, a: Slot, imm: i32 }
                fast { bin64!(dst, a, imm as i64, |x, y| (x as i64) < y) };
            I64LtUI { dst: Slot, a: Slot, imm: i32 }
                fast { bin64!(dst, a, imm as i64 as u64, |x, y| x < y) };
            I64GtSI { dst: Slot, a: Slot, imm: i32 }
                fast { bin64!(dst, a, imm as i64, |x, y| (x as i64) > y) };
            I64GtUI { dst: Slot, a: Slot, imm: i32 }
                fast { bin64!(dst, a, imm as i64 as u64, |x, y| x > y) };
            I64LeSI { dst: Slot, a: Slot, imm: i32 }
                fast { bin64!(dst, a, imm as i64, |x, y| (x as i64) <= y) };
            I64LeUI { dst: Slot, a: Slot, imm: i32 }
                fast { bin64!(dst, a, imm as i64 as u64, |x, y| x <= y) };
            I64GeSI { dst: Slot, a: Slot, imm: i32 }
                fast { bin64!(dst, a, imm as i64, |x, y| (x as i64) >= y) };
            I64GeUI { dst: Slot, a: Slot, imm: i32 }
                fast { bin64!(dst, a, imm as i64 as u64, |x, y| x >= y) };
            // ----- f32 -----
            F32Abs { dst: Slot, src: Slot } fast { s!(dst) = s!(src) & 0x7fff_ffff };
            F32Neg { dst: Slot, src: Slot } fast { s!(dst) = (s!(src) ^ 0x8000_0000) & 0xffff_ffff };
            F32Ceil { dst: Slot, src: Slot } fast { f32un!(dst, src, |x| quieted32(x.ceil())) };
            F32Floor { dst: Slot, src: Slot } fast { f32un!(dst, src, |x| quieted32(x.floor())) };
            F32Trunc { dst: Slot, src: Slot } fast { f32un!(dst, src, |x| quieted32(x.trunc())) };
            F32Nearest { dst: Slot, src: Slot }
                fast { f32un!(dst, src, |x| quieted32(x.round_ties_even())) };
            F32Sqrt { dst: Slot, src: Slot } fast { f32un!(dst, src, |x| x.sqrt()) };
            F32Add { dst: Slot, a: Slot, b: Slot } fast { f32bin!(dst, a, b, |x, y| (x + y).to_bits()) };
            F32Sub { dst: Slot, a: Slot, b: Slot } fast { f32bin!(dst, a, b, |x, y| (x - y).to_bits()) };
            F32Mul { dst: Slot, a: Slot, b: Slot } fast { f32bin!(dst, a, b, |x, y| (x * y).to_bits()) };
            F32Div { dst: Slot, a: Slot, b: Slot } fast { f32bin!(dst, a, b, |x, y| (x / y).to_bits()) };
            F32Min { dst: Slot, a: Slot, b: Slot }
                fast { f32bin!(dst, a, b, |x, y| fmin32(x, y).to_bits()) };
            F32Max { dst: Slot, a: Slot, b: Slot }
                fast { f32bin!(dst, a, b, |x, y| fmax32(x, y).to_bits()) };
            F32Copysign { dst: Slot, a: Slot, b: Slot }
                fast { s!(dst) = (s!(a) & 0x7fff_ffff) | (s!(b) & 0x8000_0000) };
            F32Eq { dst: Slot, a: Slot, b: Slot } fast { f32bin!(dst, a, b, |x, y| x == y) };
            F32Ne { dst: Slot, a: Slot, b: Slot } fast { f32bin!(dst, a, b, |x, y| x != y) };
            F32Lt { dst: Slot, a: Slot, b: Slot } fast { f32bin!(dst, a, b, |x, y| x < y) };
            F32Gt { dst: Slot, a: Slot, b: Slot } fast { f32bin!(dst, a, b, |x, y| x > y) };
            F32Le { dst: Slot, a: Slot, b: Slot } fast { f32bin!(dst, a, b, |x, y| x <= y) };
            F32Ge { dst: Slot, a: Slot, b: Slot } fast { f32bin!(dst, a, b, |x, y| x >= y) };
            // ----- f64 -----
            F64Abs { dst: Slot, src: Slot } fast { s!(dst) = s!(src) & (u64::MAX >> 1) };
            F64Neg { dst: Slot, src: Slot } fast { s!(dst) = s!(src) ^ (1 << 63) };
            F64Ceil { dst: Slot, src: Slot } fast { f64un!(dst, src, |x| quieted64(x.ceil())) };
            F64Floor { dst: Slot, src: Slot } fast { f64un!(dst, src, |x| quieted64(x.floor())) };
            F64Trunc { dst: Slot, src: Slot } fast { f64un!(dst, src, |x| quieted64(x.trunc())) };
            F64Nearest { dst: Slot, src: Slot }
                fast { f64un!(dst, src, |x| quieted64(x.round_ties_even())) };
            F64Sqrt { fdst: Slot, src: Slot } fast { f64_result!(fdst, f64!(src).sqrt()) };
            F64Add { fdst: Slot, a: Slot, b: Slot } fast { f64_result!(fdst, f64!(a) + f64!(b)) };
            F64Sub { fdst: Slot, a: Slot, b: Slot } fast { f64_result!(fdst, f64!(a) - f64!(b)) };
            F64Mul { fdst: Slot, a: Slot, b: Slot } fast { f64_result!(fdst, f64!(a) * f64!(b)) };
            F64Div { fdst: Slot, a: Slot, b: Slot } fast { f64_result!(fdst, f64!(a) / f64!(b)) };
            // Accumulator forms (see "The f64 accumulator" in the module docs): `acc!()` is the
            // f64 the previous instruction wrote to its `fdst`, still in a register.
            F64AddAcc { fdst: Slot, b: Slot } fast { f64_result!(fdst, acc!() + f64!(b)) };
            F64AddAccAcc { fdst: Slot } fast { f64_result!(fdst, acc!() + acc!()) };
            F64SubAcc { fdst: Slot, b: Slot } fast { f64_result!(fdst, acc!() - f64!(b)) };
            /// `fp[a] - acc`.
            F64SubFromAcc { fdst: Slot, a: Slot } fast { f64_result!(fdst, f64!(a) - acc!()) };
            F64MulAcc { fdst: Slot, b: Slot } fast { f64_result!(fdst, acc!() * f64!(b)) };
            F64MulAccAcc { fdst: Slot } fast { f64_result!(fdst, acc!() * acc!()) };
            F64DivAcc { fdst: Slot, b: Slot } fast { f64_result!(fdst, acc!() / f64!(b)) };
            /// `fp[a] / acc`.
            F64DivIntoAcc { fdst: Slot, a: Slot } fast { f64_result!(fdst, f64!(a) / acc!()) };
            F64Min { dst: Slot, a: Slot, b: Slot }
                fast { f64bin!(dst, a, b, |x, y| fmin64(x, y).to_bits()) };
            F64Max { dst: Slot, a: Slot, b: Slot }
                fast { f64bin!(dst, a, b, |x, y| fmax64(x, y).to_bits()) };
            F64Copysign { dst: Slot, a: Slot, b: Slot }
                fast { s!(dst) = (s!(a) & (u64::MAX >> 1)) | (s!(b) & (1 << 63)) };
            F64Eq { dst: Slot, a: Slot, b: Slot } fast { f64bin!(dst, a, b, |x, y| x == y) };
            F64Ne { dst: Slot, a: Slot, b: Slot } fast { f64bin!(dst, a, b, |x, y| x != y) };
            F64Lt { dst: Slot, a: Slot, b: Slot } fast { f64bin!(dst, a, b, |x, y| x < y) };
            F64Gt { dst: Slot, a: Slot, b: Slot } fast { f64bin!(dst, a, b, |x, y| x > y) };
            F64Le { dst: Slot, a: Slot, b: Slot } fast { f64bin!(dst, a, b, |x, y| x <= y) };
            F64Ge { dst: Slot, a: Slot, b: Slot } fast { f64bin!(dst, a, b, |x, y| x >= y) };
            // ----- conversions -----
            I32WrapI64 { dst: Slot, src: Slot } fast { s!(dst) = s!(src) & 0xffff_ffff };
            I32TruncF32S { dst: Slot, src: Slot }
                fast {
                    let x = f64::from(f32::from_bits(s!(src) as u32));
                    let x = ok_or_trap!(trunc_check(x, I32_LO, I32_HI));
                    s!(dst) = x as i32 as u32 as u64;
                };
            I32TruncF32U { dst: Slot, src: Slot }
                fast {
                    let x = f64::from(f32::from_bits(s!(src) as u32));
                    let x = ok_or_trap!(trunc_check(x, U32_LO, U32_HI));
                    s!(dst) = u64::from(x as u32);
                };
            I32TruncF64S { dst: Slot, src: Slot }
                fast {
                    let x = f64::from_bits(s!(src));
                    let x = ok_or_trap!(trunc_check(x, I32_LO, I32_HI));
                    s!(dst) = x as i32 as u32 as u64;
                };
            I32TruncF64U { dst: Slot, src: Slot }
                fast {
                    let x = f64::from_bits(s!(src));
                    let x = ok_or_trap!(trunc_check(x, U32_LO, U32_HI));
                    s!(dst) = u64::from(x as u32);
                };
            I64ExtendI32S { dst: Slot, src: Slot } fast { s!(dst) = s!(src) as i32 as i64 as u64 };
            I64ExtendI32U { dst: Slot, src: Slot } fast { s!(dst) = s!(src) & 0xffff_ffff };
            I64TruncF32S { dst: Slot, src: Slot }
                fast {
                    let x = f64::from(f32::from_bits(s!(src) as u32));
                    s!(dst) = ok_or_trap!(trunc_i64(x)) as u64;
                };
            I64TruncF32U { dst: Slot, src: Slot }
                fast {
                    let x = f64::from(f32::from_bits(s!(src) as u32));
                    let x = ok_or_trap!(trunc_check(x, U64_LO, U64_HI));
                    s!(dst) = x as u64;
                };
            I64TruncF64S { dst: Slot, src: Slot }
                fast {
                    s!(dst) = ok_or_trap!(trunc_i64(f64::from_bits(s!(src)))) as u64;
                };
            I64TruncF64U { dst: Slot, src: Slot }
                fast {
                    let x = f64::from_bits(s!(src));
                    let x = ok_or_trap!(trunc_check(x, U64_LO, U64_HI));
                    s!(dst) = x as u64;
                };
            F32ConvertI32S { dst: Slot, src: Slot }
                fast { s!(dst) = u64::from((s!(src) as i32 as f32).to_bits()) };
            F32ConvertI32U { dst: Slot, src: Slot }
                fast { s!(dst) = u64::from((s!(src) as u32 as f32).to_bits()) };
            F32ConvertI64S { dst: Slot, src: Slot }
                fast { s!(dst) = u64::from((s!(src) as i64 as f32).to_bits()) };
            F32ConvertI64U { dst: Slot, src: Slot }
                fast { s!(dst) = u64::from((s!(src) as f32).to_bits()) };
            F32DemoteF64 { dst: Slot, src: Slot }
                fast { s!(dst) = u64::from((f64::from_bits(s!(src)) as f32).to_bits()) };
            F64ConvertI32S { dst: Slot, src: Slot } fast { s!(dst) = f64::from(s!(src) as i32).to_bits() };
            F64ConvertI32U { dst: Slot, src: Slot } fast { s!(dst) = f64::from(s!(src) as u32).to_bits() };
            F64ConvertI64S { dst: Slot, src: Slot } fast { s!(dst) = (s!(src) as i64 as f64).to_bits() };
            F64ConvertI64U { dst: Slot, src: Slot } fast { s!(dst) = (s!(src) as f64).to_bits() };
            F64PromoteF32 { dst: Slot, src: Slot }
                fast { s!(dst) = f64::from(f32::from_bits(s!(src) as u32)).to_bits() };
            I32TruncSatF32S { dst: Slot, src: Slot }
                fast { s!(dst) = f32::from_bits(s!(src) as u32) as i32 as u32 as u64 };
            I32TruncSatF32U { dst: Slot, src: Slot }
                fast { s!(dst) = u64::from(f32::from_bits(s!(src) as u32) as u32) };
            I32TruncSatF64S { dst: Slot, src: Slot }
                fast { s!(dst) = f64::from_bits(s!(src)) as i32 as u32 as u64 };
            I32TruncSatF64U { dst: Slot, src: Slot }
                fast { s!(dst) = u64::from(f64::from_bits(s!(src)) as u32) };
            I64TruncSatF32S { dst: Slot, src: Slot }
                fast { s!(dst) = f32::from_bits(s!(src) as u32) as i64 as u64 };
            I64TruncSatF32U { dst: Slot, src: Slot }
                fast { s!(dst) = f32::from_bits(s!(src) as u32) as u64 };
            I64TruncSatF64S { dst: Slot, src: Slot }
                fast { s!(dst) = f64::from_bits(s!(src)) as i64 as u64 };
            I64TruncSatF64U { dst: Slot, src: Slot } fast { s!(dst) = f64::from_bits(s!(src)) as u64 };
            // ----- SIMD (v128: two slots, low half first; semantics in `runtime::simd`) -----
            // One row per operator shape: the shape's enum is an operand and the `runtime::simd`
            // evaluator matches on it (236 operators would be 236 handlers for code tier 1 will
            // compile). Operands named `dst`, `a`, `val` and `base` of these rows are v128s
            // (two slots) unless said otherwise.
            /// `fp[dst..dst+2] = v128_pool[index]` (the function's constant pool).
            V128Const { dst: Slot, index: u32 } fast { set_v128!(dst, v128_pool!(index)) };
            /// Copies the v128 at `src`.
            V128Copy { dst: Slot, src: Slot } fast { set_v128!(dst, v128!(src)) };
            /// `fp[dst]` (the first operand) stays if `fp[cond]` (i32) is non-zero, else becomes
            /// `fp[b]`.
            V128Select { dst: Slot, b: Slot, cond: Slot }
                fast {
                    if s!(cond) as u32 == 0 {
                        set_v128!(dst, v128!(b));
                    }
                };
            V128GlobalGet { dst: Slot, index: u32 }
                fast {
                    let cell = *(*vmctx!()).globals.add(index as usize);
                    set_v128!(dst, simd::V128::from_slots([*cell, *cell.add(1)]));
                };
            V128GlobalSet { src: Slot, index: u32 }
                fast {
                    let cell = *(*vmctx!()).globals.add(index as usize);
                    let [lo, hi] = v128!(src).to_slots();
                    *cell = lo;
                    *cell.add(1) = hi;
                };
            V128Unary { op: simd::UnaryOp, dst: Slot, a: Slot }
                fast { set_v128!(dst, simd::eval_unary(op, v128!(a))) };
            V128Binary { op: simd::BinaryOp, dst: Slot, a: Slot, b: Slot }
                fast { set_v128!(dst, simd::eval_binary(op, v128!(a), v128!(b))) };
            /// The count `fp[count]` is an i32.
            V128Shift { op: simd::ShiftOp, dst: Slot, a: Slot, count: Slot }
                fast { set_v128!(dst, simd::eval_shift(op, v128!(a), s!(count) as u32)) };
            /// `fp[dst]` is the i32 result.
            V128Test { op: simd::TestOp, dst: Slot, a: Slot }
                fast { s!(dst) = u64::from(simd::eval_test(op, v128!(a))) };
            /// `fp[x]` is the scalar.
            V128Splat { op: simd::SplatOp, dst: Slot, x: Slot }
                fast { set_v128!(dst, simd::eval_splat(op, s!(x))) };
            /// `fp[dst]` is the scalar result.
            V128Extract { op: simd::ExtractOp, lane: u8, dst: Slot, a: Slot }
                fast { s!(dst) = simd::eval_extract(op, v128!(a), lane) };
            /// `fp[x]` is the scalar.
            V128Replace { op: simd::ReplaceOp, lane: u8, dst: Slot, a: Slot, x: Slot }
                fast { set_v128!(dst, simd::eval_replace(op, v128!(a), lane, s!(x))) };
            /// Address `fp[addr]` (i32) plus `offset`.
            V128Load { op: simd::LoadOp, dst: Slot, addr: Slot, offset: u32 }
                fast {
                    let p = ea!(addr, offset, op.bytes() as u64);
                    let bytes = std::slice::from_raw_parts(p, op.bytes());
                    set_v128!(dst, simd::load(op, bytes));
                };
            V128Store { addr: Slot, val: Slot, offset: u32 }
                fast {
                    let p = ea!(addr, offset, 16);
                    std::ptr::copy_nonoverlapping(simd::store(v128!(val)).as_ptr(), p, 16);
                };
            /// `v128.loadN_lane`: the address (i32) at `fp[base]`, the vector at `fp[base+1..]`;
            /// the result goes to `fp[base..base+2]`.
            V128LoadLane { op: simd::LaneMemOp, lane: u8, base: Slot, offset: u32 }
                fast {
                    let vector = v128!(base + 1);
                    let p = ea_at!(s!(base) as u32, offset, op.bytes() as u64);
                    let bytes = std::slice::from_raw_parts(p, op.bytes());
                    set_v128!(base, simd::load_lane(op, vector, lane, bytes));
                };
            /// `v128.storeN_lane` of the vector `fp[val..]` at address `fp[addr]` (i32) plus
            /// `offset`.
            V128StoreLane { op: simd::LaneMemOp, lane: u8, addr: Slot, val: Slot, offset: u32 }
                fast {
                    let p = ea!(addr, offset, op.bytes() as u64);
                    let out = std::slice::from_raw_parts_mut(p, op.bytes());
                    simd::store_lane(op, v128!(val), lane, out);
                };
            /// `i8x16.shuffle` of `fp[base..]` and `fp[base+2..]` by the lane indices
            /// `v128_pool[lanes]`; the result goes to `fp[base..base+2]`.
            I8x16Shuffle { base: Slot, lanes: u32 }
                fast {
                    let lanes = v128_pool!(lanes);
                    set_v128!(base, simd::shuffle(v128!(base), v128!(base + 2), lanes));
                };
            /// `v128.bitselect` of `fp[base..]`, `fp[base+2..]` by the mask `fp[base+4..]`; the
            /// result goes to `fp[base..base+2]`.
            V128Bitselect { base: Slot }
                fast {
                    let selected = simd::bitselect(v128!(base), v128!(base + 2), v128!(base + 4));
                    set_v128!(base, selected);
                };
            // ----- superinstructions (chosen by executed pair counts, see the `interp` docs) -----
            // Their slots are 16-bit (`Slot16`) so that four operands fit in 16 bytes; the translator
            // fuses only when every slot fits.
            /// `fp[d1] = fp[s1]; fp[d2] = fp[s2]` (in this order).
            Copy2 { d1: Slot16, s1: Slot16, d2: Slot16, s2: Slot16 }
                fast {
                    s!(d1) = s!(s1);
                    s!(d2) = s!(s2);
                };
            /// `fp[d1] = fp[a1] + i1; fp[d2] = fp[a2] + i2` (i32, in this order).
            I32AddI2 { d1: Slot16, a1: Slot16, i1: i16, d2: Slot16, a2: Slot16, i2: i16 }
                fast {
                    bin32!(d1, a1, i32::from(i1) as u32, |x, y| x.wrapping_add(y));
                    bin32!(d2, a2, i32::from(i2) as u32, |x, y| x.wrapping_add(y));
                };
            /// `fp[dst] = fp[a] + (fp[b] << shift)` (i32; an address computation).
            I32AddShlI { dst: Slot16, a: Slot16, b: Slot16, shift: u16 }
                fast {
                    let shifted = (s!(b) as u32).wrapping_shl(u32::from(shift));
                    bin32!(dst, a, shifted, |x, y| x.wrapping_add(y))
                };
            /// Loads from address `fp[a] + fp[b]` (i32) plus `offset`.
            Load8UAdd { dst: Slot16, a: Slot16, b: Slot16, offset: u32 }
                fast {
                    let addr = (s!(a) as u32).wrapping_add(s!(b) as u32);
                    load_at!(dst, addr, offset, u8, |v| u64::from(v))
                };
            Load32Add { dst: Slot16, a: Slot16, b: Slot16, offset: u32 }
                fast {
                    let addr = (s!(a) as u32).wrapping_add(s!(b) as u32);
                    load_at!(dst, addr, offset, u32, |v| u64::from(v))
                };
            Load64Add { dst: Slot16, a: Slot16, b: Slot16, offset: u32 }
                fast {
                    let addr = (s!(a) as u32).wrapping_add(s!(b) as u32);
                    load_at!(dst, addr, offset, u64, |v| v)
                };
            /// Loads from address `fp[a] + imm` (i32) plus `offset`.
            Load8UAddI { dst: Slot16, a: Slot16, imm: i32, offset: u32 }
                fast {
                    let addr = (s!(a) as u32).wrapping_add(imm as u32);
                    load_at!(dst, addr, offset, u8, |v| u64::from(v))
                };
            Load32AddI { dst: Slot16, a: Slot16, imm: i32, offset: u32 }
                fast {
                    let addr = (s!(a) as u32).wrapping_add(imm as u32);
                    load_at!(dst, addr, offset, u32, |v| u64::from(v))
                };
            Load64AddI { dst: Slot16, a: Slot16, imm: i32, offset: u32 }
                fast {
                    let addr = (s!(a) as u32).wrapping_add(imm as u32);
                    load_at!(dst, addr, offset, u64, |v| v)
                };
            /// Branch when `fp[a] & imm != 0` (i32).
            BrI32AndINez { a: Slot, imm: i32, target: u32 }
                fast { br_if!(target, s!(a) as u32 & imm as u32 != 0) };
            /// Branch when `fp[a] & imm == 0` (i32).
            BrI32AndIEqz { a: Slot, imm: i32, target: u32 }
                fast { br_if!(target, s!(a) as u32 & imm as u32 == 0) };
            /// `select` on `eqz x`: `fp[dst]` (the first operand) stays if `fp[x]` (i32) is zero,
            /// else becomes `fp[b]`.
            SelectIfZero { dst: Slot, b: Slot, x: Slot }
                fast {
                    if s!(x) as u32 != 0 {
                        s!(dst) = s!(b);
                    }
                };
            /// The same with an i64 `x`.
            SelectIfZero64 { dst: Slot, b: Slot, x: Slot }
                fast {
                    if s!(x) != 0 {
                        s!(dst) = s!(b);
                    }
                };
            /// Traps with "interrupt" once the store's epoch deadline has passed: at each function
            /// entry and loop header of code translated with epoch interruption (nowhere else).
            EpochCheck
                fast {
                    if (*vmctx!()).epoch_passed() {
                        trap!(Interrupt);
                    }
                };
            // ----- fuel (ARCHITECTURE.md, "Fuel") -----
            /// Takes `cost` from the store's fuel at the start of a fuel block; traps with "all fuel
            /// consumed by WebAssembly" when less than `cost` is left.
            FuelCharge { cost: u32 }
                fast {
                    // Every instance of a store points to the store's one fuel counter.
                    let fuel = (*vmctx!()).fuel;
                    let left = *fuel - i64::from(cost);
                    *fuel = left;
                    if left < 0 {
                        trap!(OutOfFuel);
                    }
                };
        }
    };
}
pub(crate) use for_each_instr;

/// Generates [`Opcode`], [`Instr`] and the accessors listing every instruction.
macro_rules! define_instr {
    ($(
        $(#[$attr:meta])*
        $name:ident $({ $($field:ident : $ty:ty),* $(,)? })?
        $(fast $fast:block)?
        $(slow $slow:block)?
    ;)*) => {
        /// The tag of each instruction, as a fieldless enum (the handler table's index).
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        #[repr(u16)]
        pub enum Opcode {
            $($name,)*
        }

        /// One internal instruction. 16 bytes: a two-byte tag plus up to three 32-bit
        /// fields, or one 32-bit field and one 64-bit constant.
        ///
        /// `repr(u16)` with the tags of [`Opcode`], so that the tag is the first two bytes of
        /// every value: `exec::thread` finds each instruction's handler by it.
        #[derive(Clone, Copy, Debug, PartialEq)]
        #[repr(u16)]
        pub enum Instr {
            $(
                $(#[$attr])*
                $name $({ $($field: $ty),* })? = Opcode::$name as u16,
            )*
        }

        impl Instr {
            /// The number of instructions (and of handlers, and of tags).
            pub const COUNT: usize = [$(Opcode::$name),*].len();

            /// The variant name (the debug dump; pair counts).
            pub const fn name(&self) -> &'static str {
                match self {
                    $(Instr::$name { .. } => stringify!($name),)*
                }
            }

            /// The slot an instruction with an `fdst` operand writes its f64 result to (it
            /// leaves the same value in the accumulator), else `None`.
            pub fn acc_result(&self) -> Option<Slot> {
                match self {
                    $(
                        #[allow(unreachable_code)]
                        Instr::$name $({ $($field),* })? => {
                            $($(let _ = &$field;)*)?
                            $($(fdst_operand!($field $field);)*)?
                            None
                        }
                    )*
                }
            }

            /// The jump target of a branch instruction (its operand named `target`), for
            /// patching.
            pub fn target_mut(&mut self) -> Option<&mut u32> {
                match self {
                    $(
                        #[allow(unreachable_code)]
                        Instr::$name $({ $($field),* })? => {
                            $($(let _ = &$field;)*)?
                            $($(target_operand!($field $field);)*)?
                            None
                        }
                    )*
                }
            }
        }
    };
}

/// `return Some(*operand)` for the operand named `fdst`; nothing for the others.
macro_rules! fdst_operand {
    (fdst $field:ident) => {
        return Some(*$field)
    };
    ($other:ident $field:ident) => {};
}

/// `return Some(operand)` for the operand named `target`; nothing for the others.
macro_rules! target_operand {
    (target $field:ident) => {
        return Some($field)
    };
    ($other:ident $field:ident) => {};
}

for_each_instr!(define_instr);

impl Instr {
    /// The tag of this instruction (its index in the handler table).
    pub const fn tag(&self) -> u16 {
        // SAFETY: `Instr` is `repr(u16)`: every value starts with its u16 tag.
        unsafe { *(self as *const Instr as *const u16) }
    }
}

/// An instruction as the executor runs it, with the address of its handler in the handler
/// chain (direct threading: the dispatch is one load and an indirect jump). The translator
/// leaves `handler` 0; `exec::thread` fills it in before the code is published (per process:
/// translated code is never stored). 0 where there is no handler chain (unoptimized builds,
/// other targets).
#[derive(Clone, Copy, Debug, PartialEq)]
#[repr(C)]
pub struct Threaded {
    pub handler: usize,
    pub instr: Instr,
}

const _: () = assert!(size_of::<Instr>() == 16, "instructions are 16 bytes");
const _: () = assert!(Instr::COUNT <= u16::MAX as usize, "tags are u16");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_opcodes() {
        assert_eq!(Instr::Unreachable.tag(), Opcode::Unreachable as u16);
        assert_eq!(Instr::LoopHeader.tag(), 1);
        let last = Instr::FuelCharge { cost: 0 };
        assert_eq!(last.tag(), Opcode::FuelCharge as u16);
        assert_eq!(usize::from(last.tag()), Instr::COUNT - 1);
        assert_eq!(last.name(), "FuelCharge");
    }

    #[test]
    fn targets_are_found_by_name() {
        let mut br = Instr::BrI32LtSI {
            a: 0,
            imm: 1,
            target: 7,
        };
        assert_eq!(br.target_mut().copied(), Some(7));
        assert_eq!(Instr::Copy { dst: 0, src: 1 }.target_mut(), None);
    }
}
