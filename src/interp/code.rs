//! The interpreter's internal instruction set (see the module docs of `interp` for the design).
//!
//! Every operand named `dst`, `a`, `b`, `src`, `addr`, `val`, `cond`, `index` or `base` is a
//! slot index relative to the frame pointer `fp`. The translator guarantees that each such
//! index is below the function's `frame_slots` (the invariant the executor's unchecked slot
//! accesses rely on). `target` is an index into the function's instruction vector, always
//! `<=` its last index (the translator resolves every label before the code is published).

/// A slot index relative to `fp`.
pub type Slot = u32;

/// A slot index in a superinstruction, which has room for four 16-bit operands.
pub type Slot16 = u16;

/// One internal instruction. 16 bytes: a one-byte tag plus up to three 32-bit fields, or one
/// 32-bit field and one 64-bit constant.
///
/// `repr(u16)` so that the tag is the first two bytes of every value: the handler chain of
/// `exec.rs` indexes its handler table with it.
#[derive(Clone, Copy, Debug, PartialEq)]
#[repr(u16)]
pub enum Instr {
    // ----- control -----
    Unreachable,
    /// Counts a back-edge (or the first entry) of a loop; the loop's branch target.
    LoopHeader,
    Br {
        target: u32,
    },
    BrIfNez {
        cond: Slot,
        target: u32,
    },
    BrIfEqz {
        cond: Slot,
        target: u32,
    },
    BrIfNez64 {
        cond: Slot,
        target: u32,
    },
    BrIfEqz64 {
        cond: Slot,
        target: u32,
    },
    /// Followed by `len + 1` `Br` instructions (the last one is the default).
    BrTable {
        index: Slot,
        len: u32,
    },
    /// Results are already in `fp[0..n]`.
    Return,
    /// Copies `src` to `fp[0]`, then returns.
    Return1 {
        src: Slot,
    },
    /// Arguments at `fp[base..]`; results end at `fp[base..]`.
    Call {
        func: u32,
        base: Slot,
    },
    /// Arguments at `fp[base..base + params]`, the table index at `fp[base + params]`.
    CallIndirect {
        type_index: u32,
        table: u32,
        base: Slot,
    },

    // ----- compare and branch (fused) -----
    BrI32Eq {
        a: Slot,
        b: Slot,
        target: u32,
    },
    BrI32Ne {
        a: Slot,
        b: Slot,
        target: u32,
    },
    BrI32LtS {
        a: Slot,
        b: Slot,
        target: u32,
    },
    BrI32LtU {
        a: Slot,
        b: Slot,
        target: u32,
    },
    BrI32GtS {
        a: Slot,
        b: Slot,
        target: u32,
    },
    BrI32GtU {
        a: Slot,
        b: Slot,
        target: u32,
    },
    BrI32LeS {
        a: Slot,
        b: Slot,
        target: u32,
    },
    BrI32LeU {
        a: Slot,
        b: Slot,
        target: u32,
    },
    BrI32GeS {
        a: Slot,
        b: Slot,
        target: u32,
    },
    BrI32GeU {
        a: Slot,
        b: Slot,
        target: u32,
    },
    BrI32EqI {
        a: Slot,
        imm: i32,
        target: u32,
    },
    BrI32NeI {
        a: Slot,
        imm: i32,
        target: u32,
    },
    BrI32LtSI {
        a: Slot,
        imm: i32,
        target: u32,
    },
    BrI32LtUI {
        a: Slot,
        imm: i32,
        target: u32,
    },
    BrI32GtSI {
        a: Slot,
        imm: i32,
        target: u32,
    },
    BrI32GtUI {
        a: Slot,
        imm: i32,
        target: u32,
    },
    BrI32LeSI {
        a: Slot,
        imm: i32,
        target: u32,
    },
    BrI32LeUI {
        a: Slot,
        imm: i32,
        target: u32,
    },
    BrI32GeSI {
        a: Slot,
        imm: i32,
        target: u32,
    },
    BrI32GeUI {
        a: Slot,
        imm: i32,
        target: u32,
    },
    BrI64Eq {
        a: Slot,
        b: Slot,
        target: u32,
    },
    BrI64Ne {
        a: Slot,
        b: Slot,
        target: u32,
    },
    BrI64LtS {
        a: Slot,
        b: Slot,
        target: u32,
    },
    BrI64LtU {
        a: Slot,
        b: Slot,
        target: u32,
    },
    BrI64GtS {
        a: Slot,
        b: Slot,
        target: u32,
    },
    BrI64GtU {
        a: Slot,
        b: Slot,
        target: u32,
    },
    BrI64LeS {
        a: Slot,
        b: Slot,
        target: u32,
    },
    BrI64LeU {
        a: Slot,
        b: Slot,
        target: u32,
    },
    BrI64GeS {
        a: Slot,
        b: Slot,
        target: u32,
    },
    BrI64GeU {
        a: Slot,
        b: Slot,
        target: u32,
    },
    BrI64EqI {
        a: Slot,
        imm: i32,
        target: u32,
    },
    BrI64NeI {
        a: Slot,
        imm: i32,
        target: u32,
    },
    BrI64LtSI {
        a: Slot,
        imm: i32,
        target: u32,
    },
    BrI64LtUI {
        a: Slot,
        imm: i32,
        target: u32,
    },
    BrI64GtSI {
        a: Slot,
        imm: i32,
        target: u32,
    },
    BrI64GtUI {
        a: Slot,
        imm: i32,
        target: u32,
    },
    BrI64LeSI {
        a: Slot,
        imm: i32,
        target: u32,
    },
    BrI64LeUI {
        a: Slot,
        imm: i32,
        target: u32,
    },
    BrI64GeSI {
        a: Slot,
        imm: i32,
        target: u32,
    },
    BrI64GeUI {
        a: Slot,
        imm: i32,
        target: u32,
    },

    // ----- moves -----
    Copy {
        dst: Slot,
        src: Slot,
    },
    Const32 {
        dst: Slot,
        value: u32,
    },
    Const64 {
        dst: Slot,
        value: u64,
    },
    /// `fp[dst] = fp[cond] != 0 ? fp[dst] : fp[b]` (the first operand is already in `dst`).
    Select {
        dst: Slot,
        b: Slot,
        cond: Slot,
    },
    GlobalGet {
        dst: Slot,
        index: u32,
    },
    GlobalSet {
        src: Slot,
        index: u32,
    },

    // ----- memory -----
    Load32 {
        dst: Slot,
        addr: Slot,
        offset: u32,
    },
    Load64 {
        dst: Slot,
        addr: Slot,
        offset: u32,
    },
    Load8U {
        dst: Slot,
        addr: Slot,
        offset: u32,
    },
    Load16U {
        dst: Slot,
        addr: Slot,
        offset: u32,
    },
    Load8S32 {
        dst: Slot,
        addr: Slot,
        offset: u32,
    },
    Load16S32 {
        dst: Slot,
        addr: Slot,
        offset: u32,
    },
    Load8S64 {
        dst: Slot,
        addr: Slot,
        offset: u32,
    },
    Load16S64 {
        dst: Slot,
        addr: Slot,
        offset: u32,
    },
    Load32S64 {
        dst: Slot,
        addr: Slot,
        offset: u32,
    },
    Store8 {
        addr: Slot,
        val: Slot,
        offset: u32,
    },
    Store16 {
        addr: Slot,
        val: Slot,
        offset: u32,
    },
    Store32 {
        addr: Slot,
        val: Slot,
        offset: u32,
    },
    Store64 {
        addr: Slot,
        val: Slot,
        offset: u32,
    },
    MemorySize {
        dst: Slot,
    },
    MemoryGrow {
        dst: Slot,
        delta: Slot,
    },
    /// `fp[base..base+3]` = dst, value, len.
    MemoryFill {
        base: Slot,
    },
    /// `fp[base..base+3]` = dst, src, len.
    MemoryCopy {
        base: Slot,
    },
    /// `fp[base..base+3]` = dst, src, len.
    MemoryInit {
        data: u32,
        base: Slot,
    },
    DataDrop {
        data: u32,
    },

    // ----- tables and references -----
    TableGet {
        dst: Slot,
        index: Slot,
        table: u32,
    },
    TableSet {
        index: Slot,
        val: Slot,
        table: u32,
    },
    TableSize {
        dst: Slot,
        table: u32,
    },
    /// `fp[base]` = init value, `fp[base+1]` = delta; the result goes to `fp[base]`.
    TableGrow {
        base: Slot,
        table: u32,
    },
    /// `fp[base..base+3]` = dst, value, len.
    TableFill {
        base: Slot,
        table: u32,
    },
    /// `fp[base..base+3]` = dst, src, len.
    TableCopy {
        base: Slot,
        dst_table: u32,
        src_table: u32,
    },
    /// `fp[base..base+3]` = dst, src, len.
    TableInit {
        base: Slot,
        table: u32,
        elem: u32,
    },
    ElemDrop {
        elem: u32,
    },
    RefFunc {
        dst: Slot,
        func: u32,
    },
    RefIsNull {
        dst: Slot,
        src: Slot,
    },

    // ----- i32 -----
    I32Eqz {
        dst: Slot,
        src: Slot,
    },
    I32Clz {
        dst: Slot,
        src: Slot,
    },
    I32Ctz {
        dst: Slot,
        src: Slot,
    },
    I32Popcnt {
        dst: Slot,
        src: Slot,
    },
    I32Extend8S {
        dst: Slot,
        src: Slot,
    },
    I32Extend16S {
        dst: Slot,
        src: Slot,
    },
    I32Add {
        dst: Slot,
        a: Slot,
        b: Slot,
    },
    I32Sub {
        dst: Slot,
        a: Slot,
        b: Slot,
    },
    I32Mul {
        dst: Slot,
        a: Slot,
        b: Slot,
    },
    I32DivS {
        dst: Slot,
        a: Slot,
        b: Slot,
    },
    I32DivU {
        dst: Slot,
        a: Slot,
        b: Slot,
    },
    I32RemS {
        dst: Slot,
        a: Slot,
        b: Slot,
    },
    I32RemU {
        dst: Slot,
        a: Slot,
        b: Slot,
    },
    I32And {
        dst: Slot,
        a: Slot,
        b: Slot,
    },
    I32Or {
        dst: Slot,
        a: Slot,
        b: Slot,
    },
    I32Xor {
        dst: Slot,
        a: Slot,
        b: Slot,
    },
    I32Shl {
        dst: Slot,
        a: Slot,
        b: Slot,
    },
    I32ShrS {
        dst: Slot,
        a: Slot,
        b: Slot,
    },
    I32ShrU {
        dst: Slot,
        a: Slot,
        b: Slot,
    },
    I32Rotl {
        dst: Slot,
        a: Slot,
        b: Slot,
    },
    I32Rotr {
        dst: Slot,
        a: Slot,
        b: Slot,
    },
    I32AddI {
        dst: Slot,
        a: Slot,
        imm: i32,
    },
    I32MulI {
        dst: Slot,
        a: Slot,
        imm: i32,
    },
    I32AndI {
        dst: Slot,
        a: Slot,
        imm: i32,
    },
    I32OrI {
        dst: Slot,
        a: Slot,
        imm: i32,
    },
    I32XorI {
        dst: Slot,
        a: Slot,
        imm: i32,
    },
    I32ShlI {
        dst: Slot,
        a: Slot,
        imm: i32,
    },
    I32ShrSI {
        dst: Slot,
        a: Slot,
        imm: i32,
    },
    I32ShrUI {
        dst: Slot,
        a: Slot,
        imm: i32,
    },
    I32RotlI {
        dst: Slot,
        a: Slot,
        imm: i32,
    },
    I32RotrI {
        dst: Slot,
        a: Slot,
        imm: i32,
    },
    I32Eq {
        dst: Slot,
        a: Slot,
        b: Slot,
    },
    I32Ne {
        dst: Slot,
        a: Slot,
        b: Slot,
    },
    I32LtS {
        dst: Slot,
        a: Slot,
        b: Slot,
    },
    I32LtU {
        dst: Slot,
        a: Slot,
        b: Slot,
    },
    I32GtS {
        dst: Slot,
        a: Slot,
        b: Slot,
    },
    I32GtU {
        dst: Slot,
        a: Slot,
        b: Slot,
    },
    I32LeS {
        dst: Slot,
        a: Slot,
        b: Slot,
    },
    I32LeU {
        dst: Slot,
        a: Slot,
        b: Slot,
    },
    I32GeS {
        dst: Slot,
        a: Slot,
        b: Slot,
    },
    I32GeU {
        dst: Slot,
        a: Slot,
        b: Slot,
    },
    I32EqI {
        dst: Slot,
        a: Slot,
        imm: i32,
    },
    I32NeI {
        dst: Slot,
        a: Slot,
        imm: i32,
    },
    I32LtSI {
        dst: Slot,
        a: Slot,
        imm: i32,
    },
    I32LtUI {
        dst: Slot,
        a: Slot,
        imm: i32,
    },
    I32GtSI {
        dst: Slot,
        a: Slot,
        imm: i32,
    },
    I32GtUI {
        dst: Slot,
        a: Slot,
        imm: i32,
    },
    I32LeSI {
        dst: Slot,
        a: Slot,
        imm: i32,
    },
    I32LeUI {
        dst: Slot,
        a: Slot,
        imm: i32,
    },
    I32GeSI {
        dst: Slot,
        a: Slot,
        imm: i32,
    },
    I32GeUI {
        dst: Slot,
        a: Slot,
        imm: i32,
    },

    // ----- i64 -----
    I64Eqz {
        dst: Slot,
        src: Slot,
    },
    I64Clz {
        dst: Slot,
        src: Slot,
    },
    I64Ctz {
        dst: Slot,
        src: Slot,
    },
    I64Popcnt {
        dst: Slot,
        src: Slot,
    },
    I64Extend8S {
        dst: Slot,
        src: Slot,
    },
    I64Extend16S {
        dst: Slot,
        src: Slot,
    },
    I64Extend32S {
        dst: Slot,
        src: Slot,
    },
    I64Add {
        dst: Slot,
        a: Slot,
        b: Slot,
    },
    I64Sub {
        dst: Slot,
        a: Slot,
        b: Slot,
    },
    I64Mul {
        dst: Slot,
        a: Slot,
        b: Slot,
    },
    I64DivS {
        dst: Slot,
        a: Slot,
        b: Slot,
    },
    I64DivU {
        dst: Slot,
        a: Slot,
        b: Slot,
    },
    I64RemS {
        dst: Slot,
        a: Slot,
        b: Slot,
    },
    I64RemU {
        dst: Slot,
        a: Slot,
        b: Slot,
    },
    I64And {
        dst: Slot,
        a: Slot,
        b: Slot,
    },
    I64Or {
        dst: Slot,
        a: Slot,
        b: Slot,
    },
    I64Xor {
        dst: Slot,
        a: Slot,
        b: Slot,
    },
    I64Shl {
        dst: Slot,
        a: Slot,
        b: Slot,
    },
    I64ShrS {
        dst: Slot,
        a: Slot,
        b: Slot,
    },
    I64ShrU {
        dst: Slot,
        a: Slot,
        b: Slot,
    },
    I64Rotl {
        dst: Slot,
        a: Slot,
        b: Slot,
    },
    I64Rotr {
        dst: Slot,
        a: Slot,
        b: Slot,
    },
    I64AddI {
        dst: Slot,
        a: Slot,
        imm: i32,
    },
    I64MulI {
        dst: Slot,
        a: Slot,
        imm: i32,
    },
    I64AndI {
        dst: Slot,
        a: Slot,
        imm: i32,
    },
    I64OrI {
        dst: Slot,
        a: Slot,
        imm: i32,
    },
    I64XorI {
        dst: Slot,
        a: Slot,
        imm: i32,
    },
    I64ShlI {
        dst: Slot,
        a: Slot,
        imm: i32,
    },
    I64ShrSI {
        dst: Slot,
        a: Slot,
        imm: i32,
    },
    I64ShrUI {
        dst: Slot,
        a: Slot,
        imm: i32,
    },
    I64RotlI {
        dst: Slot,
        a: Slot,
        imm: i32,
    },
    I64RotrI {
        dst: Slot,
        a: Slot,
        imm: i32,
    },
    I64Eq {
        dst: Slot,
        a: Slot,
        b: Slot,
    },
    I64Ne {
        dst: Slot,
        a: Slot,
        b: Slot,
    },
    I64LtS {
        dst: Slot,
        a: Slot,
        b: Slot,
    },
    I64LtU {
        dst: Slot,
        a: Slot,
        b: Slot,
    },
    I64GtS {
        dst: Slot,
        a: Slot,
        b: Slot,
    },
    I64GtU {
        dst: Slot,
        a: Slot,
        b: Slot,
    },
    I64LeS {
        dst: Slot,
        a: Slot,
        b: Slot,
    },
    I64LeU {
        dst: Slot,
        a: Slot,
        b: Slot,
    },
    I64GeS {
        dst: Slot,
        a: Slot,
        b: Slot,
    },
    I64GeU {
        dst: Slot,
        a: Slot,
        b: Slot,
    },
    I64EqI {
        dst: Slot,
        a: Slot,
        imm: i32,
    },
    I64NeI {
        dst: Slot,
        a: Slot,
        imm: i32,
    },
    I64LtSI {
        dst: Slot,
        a: Slot,
        imm: i32,
    },
    I64LtUI {
        dst: Slot,
        a: Slot,
        imm: i32,
    },
    I64GtSI {
        dst: Slot,
        a: Slot,
        imm: i32,
    },
    I64GtUI {
        dst: Slot,
        a: Slot,
        imm: i32,
    },
    I64LeSI {
        dst: Slot,
        a: Slot,
        imm: i32,
    },
    I64LeUI {
        dst: Slot,
        a: Slot,
        imm: i32,
    },
    I64GeSI {
        dst: Slot,
        a: Slot,
        imm: i32,
    },
    I64GeUI {
        dst: Slot,
        a: Slot,
        imm: i32,
    },

    // ----- f32 -----
    F32Abs {
        dst: Slot,
        src: Slot,
    },
    F32Neg {
        dst: Slot,
        src: Slot,
    },
    F32Ceil {
        dst: Slot,
        src: Slot,
    },
    F32Floor {
        dst: Slot,
        src: Slot,
    },
    F32Trunc {
        dst: Slot,
        src: Slot,
    },
    F32Nearest {
        dst: Slot,
        src: Slot,
    },
    F32Sqrt {
        dst: Slot,
        src: Slot,
    },
    F32Add {
        dst: Slot,
        a: Slot,
        b: Slot,
    },
    F32Sub {
        dst: Slot,
        a: Slot,
        b: Slot,
    },
    F32Mul {
        dst: Slot,
        a: Slot,
        b: Slot,
    },
    F32Div {
        dst: Slot,
        a: Slot,
        b: Slot,
    },
    F32Min {
        dst: Slot,
        a: Slot,
        b: Slot,
    },
    F32Max {
        dst: Slot,
        a: Slot,
        b: Slot,
    },
    F32Copysign {
        dst: Slot,
        a: Slot,
        b: Slot,
    },
    F32Eq {
        dst: Slot,
        a: Slot,
        b: Slot,
    },
    F32Ne {
        dst: Slot,
        a: Slot,
        b: Slot,
    },
    F32Lt {
        dst: Slot,
        a: Slot,
        b: Slot,
    },
    F32Gt {
        dst: Slot,
        a: Slot,
        b: Slot,
    },
    F32Le {
        dst: Slot,
        a: Slot,
        b: Slot,
    },
    F32Ge {
        dst: Slot,
        a: Slot,
        b: Slot,
    },

    // ----- f64 -----
    F64Abs {
        dst: Slot,
        src: Slot,
    },
    F64Neg {
        dst: Slot,
        src: Slot,
    },
    F64Ceil {
        dst: Slot,
        src: Slot,
    },
    F64Floor {
        dst: Slot,
        src: Slot,
    },
    F64Trunc {
        dst: Slot,
        src: Slot,
    },
    F64Nearest {
        dst: Slot,
        src: Slot,
    },
    F64Sqrt {
        dst: Slot,
        src: Slot,
    },
    F64Add {
        dst: Slot,
        a: Slot,
        b: Slot,
    },
    F64Sub {
        dst: Slot,
        a: Slot,
        b: Slot,
    },
    F64Mul {
        dst: Slot,
        a: Slot,
        b: Slot,
    },
    F64Div {
        dst: Slot,
        a: Slot,
        b: Slot,
    },
    F64Min {
        dst: Slot,
        a: Slot,
        b: Slot,
    },
    F64Max {
        dst: Slot,
        a: Slot,
        b: Slot,
    },
    F64Copysign {
        dst: Slot,
        a: Slot,
        b: Slot,
    },
    F64Eq {
        dst: Slot,
        a: Slot,
        b: Slot,
    },
    F64Ne {
        dst: Slot,
        a: Slot,
        b: Slot,
    },
    F64Lt {
        dst: Slot,
        a: Slot,
        b: Slot,
    },
    F64Gt {
        dst: Slot,
        a: Slot,
        b: Slot,
    },
    F64Le {
        dst: Slot,
        a: Slot,
        b: Slot,
    },
    F64Ge {
        dst: Slot,
        a: Slot,
        b: Slot,
    },

    // ----- conversions -----
    I32WrapI64 {
        dst: Slot,
        src: Slot,
    },
    I32TruncF32S {
        dst: Slot,
        src: Slot,
    },
    I32TruncF32U {
        dst: Slot,
        src: Slot,
    },
    I32TruncF64S {
        dst: Slot,
        src: Slot,
    },
    I32TruncF64U {
        dst: Slot,
        src: Slot,
    },
    I64ExtendI32S {
        dst: Slot,
        src: Slot,
    },
    I64ExtendI32U {
        dst: Slot,
        src: Slot,
    },
    I64TruncF32S {
        dst: Slot,
        src: Slot,
    },
    I64TruncF32U {
        dst: Slot,
        src: Slot,
    },
    I64TruncF64S {
        dst: Slot,
        src: Slot,
    },
    I64TruncF64U {
        dst: Slot,
        src: Slot,
    },
    F32ConvertI32S {
        dst: Slot,
        src: Slot,
    },
    F32ConvertI32U {
        dst: Slot,
        src: Slot,
    },
    F32ConvertI64S {
        dst: Slot,
        src: Slot,
    },
    F32ConvertI64U {
        dst: Slot,
        src: Slot,
    },
    F32DemoteF64 {
        dst: Slot,
        src: Slot,
    },
    F64ConvertI32S {
        dst: Slot,
        src: Slot,
    },
    F64ConvertI32U {
        dst: Slot,
        src: Slot,
    },
    F64ConvertI64S {
        dst: Slot,
        src: Slot,
    },
    F64ConvertI64U {
        dst: Slot,
        src: Slot,
    },
    F64PromoteF32 {
        dst: Slot,
        src: Slot,
    },
    I32TruncSatF32S {
        dst: Slot,
        src: Slot,
    },
    I32TruncSatF32U {
        dst: Slot,
        src: Slot,
    },
    I32TruncSatF64S {
        dst: Slot,
        src: Slot,
    },
    I32TruncSatF64U {
        dst: Slot,
        src: Slot,
    },
    I64TruncSatF32S {
        dst: Slot,
        src: Slot,
    },
    I64TruncSatF32U {
        dst: Slot,
        src: Slot,
    },
    I64TruncSatF64S {
        dst: Slot,
        src: Slot,
    },
    I64TruncSatF64U {
        dst: Slot,
        src: Slot,
    },

    // ----- superinstructions (chosen by executed pair counts, see the `interp` docs) -----
    // Their slots are 16-bit (`Slot16`) so that four operands fit in 16 bytes; the translator
    // fuses only when every slot fits.
    /// `fp[d1] = fp[s1]; fp[d2] = fp[s2]` (in this order).
    Copy2 {
        d1: Slot16,
        s1: Slot16,
        d2: Slot16,
        s2: Slot16,
    },
    /// `fp[d1] = fp[a1] + i1; fp[d2] = fp[a2] + i2` (i32, in this order).
    I32AddI2 {
        d1: Slot16,
        a1: Slot16,
        i1: i16,
        d2: Slot16,
        a2: Slot16,
        i2: i16,
    },
    /// `fp[dst] = fp[a] + (fp[b] << shift)` (i32; an address computation).
    I32AddShlI {
        dst: Slot16,
        a: Slot16,
        b: Slot16,
        shift: u16,
    },
    /// Loads from address `fp[a] + fp[b]` (i32) plus `offset`.
    Load8UAdd {
        dst: Slot16,
        a: Slot16,
        b: Slot16,
        offset: u32,
    },
    Load32Add {
        dst: Slot16,
        a: Slot16,
        b: Slot16,
        offset: u32,
    },
    Load64Add {
        dst: Slot16,
        a: Slot16,
        b: Slot16,
        offset: u32,
    },
    /// Loads from address `fp[a] + imm` (i32) plus `offset`.
    Load8UAddI {
        dst: Slot16,
        a: Slot16,
        imm: i32,
        offset: u32,
    },
    Load32AddI {
        dst: Slot16,
        a: Slot16,
        imm: i32,
        offset: u32,
    },
    Load64AddI {
        dst: Slot16,
        a: Slot16,
        imm: i32,
        offset: u32,
    },
    /// Branch when `fp[a] & imm != 0` (i32).
    BrI32AndINez {
        a: Slot,
        imm: i32,
        target: u32,
    },
    /// Branch when `fp[a] & imm == 0` (i32).
    BrI32AndIEqz {
        a: Slot,
        imm: i32,
        target: u32,
    },
    /// `select` on `eqz x`: `fp[dst]` (the first operand) stays if `fp[x]` (i32) is zero,
    /// else becomes `fp[b]`.
    SelectIfZero {
        dst: Slot,
        b: Slot,
        x: Slot,
    },
    /// The same with an i64 `x`.
    SelectIfZero64 {
        dst: Slot,
        b: Slot,
        x: Slot,
    },
    /// Traps with "interrupt" once the store's epoch deadline has passed: at each function
    /// entry and loop header of code translated with epoch interruption (nowhere else).
    EpochCheck,
    // ----- fuel (ARCHITECTURE.md, "Fuel") -----
    /// Takes `cost` from the store's fuel at the start of a fuel block; traps with "all fuel
    /// consumed by WebAssembly" when less than `cost` is left.
    FuelCharge {
        cost: u32,
    },
}

impl Instr {
    /// The last variant (the handler table must have room for its tag, see `exec.rs`).
    pub const LAST: Instr = Instr::FuelCharge { cost: 0 };

    /// The tag of this instruction (its index in the handler table).
    pub const fn tag(&self) -> u16 {
        // SAFETY: `Instr` is `repr(u16)`: every value starts with its u16 tag.
        unsafe { *(self as *const Instr as *const u16) }
    }
}

impl Instr {
    /// The branch target of a branch instruction, for patching.
    pub fn target_mut(&mut self) -> Option<&mut u32> {
        use Instr::*;
        match self {
            Br { target }
            | BrIfNez { target, .. }
            | BrIfEqz { target, .. }
            | BrIfNez64 { target, .. }
            | BrIfEqz64 { target, .. }
            | BrI32Eq { target, .. }
            | BrI32Ne { target, .. }
            | BrI32LtS { target, .. }
            | BrI32LtU { target, .. }
            | BrI32GtS { target, .. }
            | BrI32GtU { target, .. }
            | BrI32LeS { target, .. }
            | BrI32LeU { target, .. }
            | BrI32GeS { target, .. }
            | BrI32GeU { target, .. }
            | BrI32EqI { target, .. }
            | BrI32NeI { target, .. }
            | BrI32LtSI { target, .. }
            | BrI32LtUI { target, .. }
            | BrI32GtSI { target, .. }
            | BrI32GtUI { target, .. }
            | BrI32LeSI { target, .. }
            | BrI32LeUI { target, .. }
            | BrI32GeSI { target, .. }
            | BrI32GeUI { target, .. }
            | BrI64Eq { target, .. }
            | BrI64Ne { target, .. }
            | BrI64LtS { target, .. }
            | BrI64LtU { target, .. }
            | BrI64GtS { target, .. }
            | BrI64GtU { target, .. }
            | BrI64LeS { target, .. }
            | BrI64LeU { target, .. }
            | BrI64GeS { target, .. }
            | BrI64GeU { target, .. }
            | BrI64EqI { target, .. }
            | BrI64NeI { target, .. }
            | BrI64LtSI { target, .. }
            | BrI64LtUI { target, .. }
            | BrI64GtSI { target, .. }
            | BrI64GtUI { target, .. }
            | BrI64LeSI { target, .. }
            | BrI64LeUI { target, .. }
            | BrI64GeSI { target, .. }
            | BrI64GeUI { target, .. }
            | BrI32AndINez { target, .. }
            | BrI32AndIEqz { target, .. } => Some(target),
            _ => None,
        }
    }
}

/// Integer comparisons, for fusing compares with branches and immediates (shared with the JIT).
pub use crate::module::ops::IntCmp as Cmp;

impl Cmp {
    /// `dst = a cmp b`.
    pub fn instr(self, wide: bool, dst: Slot, a: Slot, b: Slot) -> Instr {
        use Cmp::*;
        use Instr as I;
        match (wide, self) {
            (false, Eq) => I::I32Eq { dst, a, b },
            (false, Ne) => I::I32Ne { dst, a, b },
            (false, LtS) => I::I32LtS { dst, a, b },
            (false, LtU) => I::I32LtU { dst, a, b },
            (false, GtS) => I::I32GtS { dst, a, b },
            (false, GtU) => I::I32GtU { dst, a, b },
            (false, LeS) => I::I32LeS { dst, a, b },
            (false, LeU) => I::I32LeU { dst, a, b },
            (false, GeS) => I::I32GeS { dst, a, b },
            (false, GeU) => I::I32GeU { dst, a, b },
            (true, Eq) => I::I64Eq { dst, a, b },
            (true, Ne) => I::I64Ne { dst, a, b },
            (true, LtS) => I::I64LtS { dst, a, b },
            (true, LtU) => I::I64LtU { dst, a, b },
            (true, GtS) => I::I64GtS { dst, a, b },
            (true, GtU) => I::I64GtU { dst, a, b },
            (true, LeS) => I::I64LeS { dst, a, b },
            (true, LeU) => I::I64LeU { dst, a, b },
            (true, GeS) => I::I64GeS { dst, a, b },
            (true, GeU) => I::I64GeU { dst, a, b },
        }
    }

    /// `dst = a cmp imm` (for i64, `imm` is sign-extended).
    pub fn instr_imm(self, wide: bool, dst: Slot, a: Slot, imm: i32) -> Instr {
        use Cmp::*;
        use Instr as I;
        match (wide, self) {
            (false, Eq) => I::I32EqI { dst, a, imm },
            (false, Ne) => I::I32NeI { dst, a, imm },
            (false, LtS) => I::I32LtSI { dst, a, imm },
            (false, LtU) => I::I32LtUI { dst, a, imm },
            (false, GtS) => I::I32GtSI { dst, a, imm },
            (false, GtU) => I::I32GtUI { dst, a, imm },
            (false, LeS) => I::I32LeSI { dst, a, imm },
            (false, LeU) => I::I32LeUI { dst, a, imm },
            (false, GeS) => I::I32GeSI { dst, a, imm },
            (false, GeU) => I::I32GeUI { dst, a, imm },
            (true, Eq) => I::I64EqI { dst, a, imm },
            (true, Ne) => I::I64NeI { dst, a, imm },
            (true, LtS) => I::I64LtSI { dst, a, imm },
            (true, LtU) => I::I64LtUI { dst, a, imm },
            (true, GtS) => I::I64GtSI { dst, a, imm },
            (true, GtU) => I::I64GtUI { dst, a, imm },
            (true, LeS) => I::I64LeSI { dst, a, imm },
            (true, LeU) => I::I64LeUI { dst, a, imm },
            (true, GeS) => I::I64GeSI { dst, a, imm },
            (true, GeU) => I::I64GeUI { dst, a, imm },
        }
    }

    /// Branch to `target` when `a cmp b`.
    pub fn branch(self, wide: bool, a: Slot, b: Slot, target: u32) -> Instr {
        use Cmp::*;
        use Instr as I;
        match (wide, self) {
            (false, Eq) => I::BrI32Eq { a, b, target },
            (false, Ne) => I::BrI32Ne { a, b, target },
            (false, LtS) => I::BrI32LtS { a, b, target },
            (false, LtU) => I::BrI32LtU { a, b, target },
            (false, GtS) => I::BrI32GtS { a, b, target },
            (false, GtU) => I::BrI32GtU { a, b, target },
            (false, LeS) => I::BrI32LeS { a, b, target },
            (false, LeU) => I::BrI32LeU { a, b, target },
            (false, GeS) => I::BrI32GeS { a, b, target },
            (false, GeU) => I::BrI32GeU { a, b, target },
            (true, Eq) => I::BrI64Eq { a, b, target },
            (true, Ne) => I::BrI64Ne { a, b, target },
            (true, LtS) => I::BrI64LtS { a, b, target },
            (true, LtU) => I::BrI64LtU { a, b, target },
            (true, GtS) => I::BrI64GtS { a, b, target },
            (true, GtU) => I::BrI64GtU { a, b, target },
            (true, LeS) => I::BrI64LeS { a, b, target },
            (true, LeU) => I::BrI64LeU { a, b, target },
            (true, GeS) => I::BrI64GeS { a, b, target },
            (true, GeU) => I::BrI64GeU { a, b, target },
        }
    }

    /// Branch to `target` when `a cmp imm` (for i64, `imm` is sign-extended).
    pub fn branch_imm(self, wide: bool, a: Slot, imm: i32, target: u32) -> Instr {
        use Cmp::*;
        use Instr as I;
        match (wide, self) {
            (false, Eq) => I::BrI32EqI { a, imm, target },
            (false, Ne) => I::BrI32NeI { a, imm, target },
            (false, LtS) => I::BrI32LtSI { a, imm, target },
            (false, LtU) => I::BrI32LtUI { a, imm, target },
            (false, GtS) => I::BrI32GtSI { a, imm, target },
            (false, GtU) => I::BrI32GtUI { a, imm, target },
            (false, LeS) => I::BrI32LeSI { a, imm, target },
            (false, LeU) => I::BrI32LeUI { a, imm, target },
            (false, GeS) => I::BrI32GeSI { a, imm, target },
            (false, GeU) => I::BrI32GeUI { a, imm, target },
            (true, Eq) => I::BrI64EqI { a, imm, target },
            (true, Ne) => I::BrI64NeI { a, imm, target },
            (true, LtS) => I::BrI64LtSI { a, imm, target },
            (true, LtU) => I::BrI64LtUI { a, imm, target },
            (true, GtS) => I::BrI64GtSI { a, imm, target },
            (true, GtU) => I::BrI64GtUI { a, imm, target },
            (true, LeS) => I::BrI64LeSI { a, imm, target },
            (true, LeU) => I::BrI64LeUI { a, imm, target },
            (true, GeS) => I::BrI64GeSI { a, imm, target },
            (true, GeU) => I::BrI64GeUI { a, imm, target },
        }
    }
}

/// Binary integer operations that have an immediate form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImmOp {
    Add,
    Mul,
    And,
    Or,
    Xor,
    Shl,
    ShrS,
    ShrU,
    Rotl,
    Rotr,
}

impl ImmOp {
    /// Whether `a op b == b op a`.
    pub fn commutative(self) -> bool {
        matches!(
            self,
            ImmOp::Add | ImmOp::Mul | ImmOp::And | ImmOp::Or | ImmOp::Xor
        )
    }

    pub fn instr(self, wide: bool, dst: Slot, a: Slot, b: Slot) -> Instr {
        use ImmOp::*;
        use Instr as I;
        match (wide, self) {
            (false, Add) => I::I32Add { dst, a, b },
            (false, Mul) => I::I32Mul { dst, a, b },
            (false, And) => I::I32And { dst, a, b },
            (false, Or) => I::I32Or { dst, a, b },
            (false, Xor) => I::I32Xor { dst, a, b },
            (false, Shl) => I::I32Shl { dst, a, b },
            (false, ShrS) => I::I32ShrS { dst, a, b },
            (false, ShrU) => I::I32ShrU { dst, a, b },
            (false, Rotl) => I::I32Rotl { dst, a, b },
            (false, Rotr) => I::I32Rotr { dst, a, b },
            (true, Add) => I::I64Add { dst, a, b },
            (true, Mul) => I::I64Mul { dst, a, b },
            (true, And) => I::I64And { dst, a, b },
            (true, Or) => I::I64Or { dst, a, b },
            (true, Xor) => I::I64Xor { dst, a, b },
            (true, Shl) => I::I64Shl { dst, a, b },
            (true, ShrS) => I::I64ShrS { dst, a, b },
            (true, ShrU) => I::I64ShrU { dst, a, b },
            (true, Rotl) => I::I64Rotl { dst, a, b },
            (true, Rotr) => I::I64Rotr { dst, a, b },
        }
    }

    pub fn instr_imm(self, wide: bool, dst: Slot, a: Slot, imm: i32) -> Instr {
        use ImmOp::*;
        use Instr as I;
        match (wide, self) {
            (false, Add) => I::I32AddI { dst, a, imm },
            (false, Mul) => I::I32MulI { dst, a, imm },
            (false, And) => I::I32AndI { dst, a, imm },
            (false, Or) => I::I32OrI { dst, a, imm },
            (false, Xor) => I::I32XorI { dst, a, imm },
            (false, Shl) => I::I32ShlI { dst, a, imm },
            (false, ShrS) => I::I32ShrSI { dst, a, imm },
            (false, ShrU) => I::I32ShrUI { dst, a, imm },
            (false, Rotl) => I::I32RotlI { dst, a, imm },
            (false, Rotr) => I::I32RotrI { dst, a, imm },
            (true, Add) => I::I64AddI { dst, a, imm },
            (true, Mul) => I::I64MulI { dst, a, imm },
            (true, And) => I::I64AndI { dst, a, imm },
            (true, Or) => I::I64OrI { dst, a, imm },
            (true, Xor) => I::I64XorI { dst, a, imm },
            (true, Shl) => I::I64ShlI { dst, a, imm },
            (true, ShrS) => I::I64ShrSI { dst, a, imm },
            (true, ShrU) => I::I64ShrUI { dst, a, imm },
            (true, Rotl) => I::I64RotlI { dst, a, imm },
            (true, Rotr) => I::I64RotrI { dst, a, imm },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instructions_are_16_bytes() {
        assert_eq!(std::mem::size_of::<Instr>(), 16);
    }

    #[test]
    fn tags_are_in_declaration_order() {
        assert_eq!(Instr::Unreachable.tag(), 0);
        assert_eq!(Instr::LoopHeader.tag(), 1);
        assert_eq!(Instr::LAST.tag(), 273);
    }
}
