//! Operand types: registers, sizes, memory operands, condition codes.

use std::fmt;

/// A 64-bit general-purpose register. The discriminant is the hardware encoding (0..=15).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[repr(u8)]
pub enum Gpr {
    Rax = 0,
    Rcx = 1,
    Rdx = 2,
    Rbx = 3,
    Rsp = 4,
    Rbp = 5,
    Rsi = 6,
    Rdi = 7,
    R8 = 8,
    R9 = 9,
    R10 = 10,
    R11 = 11,
    R12 = 12,
    R13 = 13,
    R14 = 14,
    R15 = 15,
}

impl Gpr {
    /// All sixteen registers in encoding order.
    pub const ALL: [Gpr; 16] = [
        Gpr::Rax,
        Gpr::Rcx,
        Gpr::Rdx,
        Gpr::Rbx,
        Gpr::Rsp,
        Gpr::Rbp,
        Gpr::Rsi,
        Gpr::Rdi,
        Gpr::R8,
        Gpr::R9,
        Gpr::R10,
        Gpr::R11,
        Gpr::R12,
        Gpr::R13,
        Gpr::R14,
        Gpr::R15,
    ];

    /// The 4-bit hardware encoding.
    pub const fn enc(self) -> u8 {
        self as u8
    }

    /// The register's name at the given operand size (`eax`, `r9w`, `sil`, ...).
    pub fn name(self, size: Size) -> &'static str {
        const NAMES: [[&str; 4]; 16] = [
            ["al", "ax", "eax", "rax"],
            ["cl", "cx", "ecx", "rcx"],
            ["dl", "dx", "edx", "rdx"],
            ["bl", "bx", "ebx", "rbx"],
            ["spl", "sp", "esp", "rsp"],
            ["bpl", "bp", "ebp", "rbp"],
            ["sil", "si", "esi", "rsi"],
            ["dil", "di", "edi", "rdi"],
            ["r8b", "r8w", "r8d", "r8"],
            ["r9b", "r9w", "r9d", "r9"],
            ["r10b", "r10w", "r10d", "r10"],
            ["r11b", "r11w", "r11d", "r11"],
            ["r12b", "r12w", "r12d", "r12"],
            ["r13b", "r13w", "r13d", "r13"],
            ["r14b", "r14w", "r14d", "r14"],
            ["r15b", "r15w", "r15d", "r15"],
        ];
        NAMES[self as usize][size as usize]
    }
}

impl fmt::Display for Gpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name(Size::S64))
    }
}

/// An SSE register. The discriminant is the hardware encoding (0..=15).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[repr(u8)]
pub enum Xmm {
    Xmm0 = 0,
    Xmm1 = 1,
    Xmm2 = 2,
    Xmm3 = 3,
    Xmm4 = 4,
    Xmm5 = 5,
    Xmm6 = 6,
    Xmm7 = 7,
    Xmm8 = 8,
    Xmm9 = 9,
    Xmm10 = 10,
    Xmm11 = 11,
    Xmm12 = 12,
    Xmm13 = 13,
    Xmm14 = 14,
    Xmm15 = 15,
}

impl Xmm {
    /// All sixteen registers in encoding order.
    pub const ALL: [Xmm; 16] = [
        Xmm::Xmm0,
        Xmm::Xmm1,
        Xmm::Xmm2,
        Xmm::Xmm3,
        Xmm::Xmm4,
        Xmm::Xmm5,
        Xmm::Xmm6,
        Xmm::Xmm7,
        Xmm::Xmm8,
        Xmm::Xmm9,
        Xmm::Xmm10,
        Xmm::Xmm11,
        Xmm::Xmm12,
        Xmm::Xmm13,
        Xmm::Xmm14,
        Xmm::Xmm15,
    ];

    /// The 4-bit hardware encoding.
    pub const fn enc(self) -> u8 {
        self as u8
    }
}

impl fmt::Display for Xmm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "xmm{}", *self as u8)
    }
}

/// Operand size of a move, load or store.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Size {
    S8 = 0,
    S16 = 1,
    S32 = 2,
    S64 = 3,
}

impl Size {
    /// All four sizes, smallest first.
    pub const ALL: [Size; 4] = [Size::S8, Size::S16, Size::S32, Size::S64];

    /// Size in bytes.
    pub const fn bytes(self) -> u32 {
        1 << (self as u32)
    }
}

/// Operand size of an arithmetic instruction: 32-bit forms zero the upper half of the
/// destination register, 64-bit forms carry REX.W.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Width {
    W32,
    W64,
}

impl Width {
    /// Both widths.
    pub const ALL: [Width; 2] = [Width::W32, Width::W64];

    /// The same width as a [`Size`].
    pub const fn size(self) -> Size {
        match self {
            Width::W32 => Size::S32,
            Width::W64 => Size::S64,
        }
    }

    pub(crate) const fn rex_w(self) -> bool {
        matches!(self, Width::W64)
    }
}

/// Source size of a zero/sign extension (`movzx`/`movsx`); 32->64 is `movsxd` or a plain
/// 32-bit `mov`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum ExtFrom {
    S8,
    S16,
}

impl ExtFrom {
    /// Both source sizes.
    pub const ALL: [ExtFrom; 2] = [ExtFrom::S8, ExtFrom::S16];

    /// The same size as a [`Size`].
    pub const fn size(self) -> Size {
        match self {
            ExtFrom::S8 => Size::S8,
            ExtFrom::S16 => Size::S16,
        }
    }
}

/// Scalar float precision of an SSE instruction (`ss`/`ps` vs `sd`/`pd`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Float {
    F32,
    F64,
}

impl Float {
    /// Both precisions.
    pub const ALL: [Float; 2] = [Float::F32, Float::F64];
}

/// Index scale factor of a memory operand.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Scale {
    S1 = 0,
    S2 = 1,
    S4 = 2,
    S8 = 3,
}

impl Scale {
    /// All four scales.
    pub const ALL: [Scale; 4] = [Scale::S1, Scale::S2, Scale::S4, Scale::S8];

    /// The multiplier (1, 2, 4 or 8).
    pub const fn factor(self) -> u32 {
        1 << (self as u32)
    }
}

/// A memory operand `[base + index*scale + disp]`.
///
/// `rsp` cannot be an index register in x86-64; with scale 1 the encoder swaps base and index
/// to make it encodable, otherwise emitting the operand records [`AsmError::RspIndex`]
/// (see [`super::Assembler::finish`]).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Mem {
    pub base: Gpr,
    pub index: Option<(Gpr, Scale)>,
    pub disp: i32,
}

impl Mem {
    /// `[base]`.
    pub const fn base(base: Gpr) -> Mem {
        Mem {
            base,
            index: None,
            disp: 0,
        }
    }

    /// `[base + disp]`.
    pub const fn base_disp(base: Gpr, disp: i32) -> Mem {
        Mem {
            base,
            index: None,
            disp,
        }
    }

    /// `[base + index*scale + disp]`.
    pub const fn indexed(base: Gpr, index: Gpr, scale: Scale, disp: i32) -> Mem {
        Mem {
            base,
            index: Some((index, scale)),
            disp,
        }
    }
}

/// A label: a position in the code, bound once with [`super::Assembler::bind`].
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Label(pub(crate) u32);

impl Label {
    /// The label's number within its assembler (for error messages).
    pub const fn id(self) -> u32 {
        self.0
    }
}

/// A memory address: a register-based operand or a RIP-relative reference to a label.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Address {
    Mem(Mem),
    Label(Label),
}

impl From<Mem> for Address {
    fn from(mem: Mem) -> Address {
        Address::Mem(mem)
    }
}

impl From<Label> for Address {
    fn from(label: Label) -> Address {
        Address::Label(label)
    }
}

/// A condition code, as used by `jcc`, `setcc` and `cmovcc`. The discriminant is the
/// hardware encoding. After `ucomiss`/`ucomisd`, "unordered" (a NaN operand) sets ZF, PF
/// and CF, so float compares test [`Cond::P`]/[`Cond::Np`] as well.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Cond {
    /// Overflow (OF=1).
    O = 0,
    /// No overflow.
    No = 1,
    /// Below, unsigned < (CF=1); also "carry".
    B = 2,
    /// Above or equal, unsigned >= (CF=0).
    Ae = 3,
    /// Equal / zero (ZF=1).
    E = 4,
    /// Not equal / not zero.
    Ne = 5,
    /// Below or equal, unsigned <= (CF=1 or ZF=1).
    Be = 6,
    /// Above, unsigned >.
    A = 7,
    /// Sign (SF=1).
    S = 8,
    /// No sign.
    Ns = 9,
    /// Parity even (PF=1): "unordered" after a float compare.
    P = 10,
    /// Parity odd (PF=0): "ordered" after a float compare.
    Np = 11,
    /// Less, signed <.
    L = 12,
    /// Greater or equal, signed >=.
    Ge = 13,
    /// Less or equal, signed <=.
    Le = 14,
    /// Greater, signed >.
    G = 15,
}

impl Cond {
    /// All sixteen conditions in encoding order.
    pub const ALL: [Cond; 16] = [
        Cond::O,
        Cond::No,
        Cond::B,
        Cond::Ae,
        Cond::E,
        Cond::Ne,
        Cond::Be,
        Cond::A,
        Cond::S,
        Cond::Ns,
        Cond::P,
        Cond::Np,
        Cond::L,
        Cond::Ge,
        Cond::Le,
        Cond::G,
    ];

    /// The 4-bit hardware encoding.
    pub const fn enc(self) -> u8 {
        self as u8
    }

    /// The opposite condition (flips the low bit of the encoding).
    pub const fn invert(self) -> Cond {
        Cond::ALL[(self as usize) ^ 1]
    }
}

/// The eight classic two-operand ALU operations; the discriminant is the `/n` opcode
/// extension used by the immediate forms.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Alu {
    Add = 0,
    Or = 1,
    Adc = 2,
    Sbb = 3,
    And = 4,
    Sub = 5,
    Xor = 6,
    Cmp = 7,
}

impl Alu {
    /// All eight operations.
    pub const ALL: [Alu; 8] = [
        Alu::Add,
        Alu::Or,
        Alu::Adc,
        Alu::Sbb,
        Alu::And,
        Alu::Sub,
        Alu::Xor,
        Alu::Cmp,
    ];
}

/// One-operand read-modify-write operations.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Unary {
    Inc,
    Dec,
    Neg,
    Not,
}

impl Unary {
    /// All four operations.
    pub const ALL: [Unary; 4] = [Unary::Inc, Unary::Dec, Unary::Neg, Unary::Not];
}

/// One-operand multiply/divide operations on `rdx:rax` (`F7 /n`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum MulDiv {
    /// Unsigned `rdx:rax = rax * src`.
    Mul = 4,
    /// Signed `rdx:rax = rax * src`.
    Imul = 5,
    /// Unsigned `rax = rdx:rax / src`, `rdx = remainder`.
    Div = 6,
    /// Signed `rax = rdx:rax / src`, `rdx = remainder`.
    Idiv = 7,
}

impl MulDiv {
    /// All four operations.
    pub const ALL: [MulDiv; 4] = [MulDiv::Mul, MulDiv::Imul, MulDiv::Div, MulDiv::Idiv];
}

/// Shifts and rotates; the discriminant is the `/n` opcode extension.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Shift {
    Rol = 0,
    Ror = 1,
    Shl = 4,
    Shr = 5,
    Sar = 7,
}

impl Shift {
    /// All five operations.
    pub const ALL: [Shift; 5] = [Shift::Rol, Shift::Ror, Shift::Shl, Shift::Shr, Shift::Sar];
}

/// Bit-counting operations.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum BitCount {
    /// Leading zeros; needs the LZCNT (ABM) feature. Without it the CPU runs `bsr`.
    Lzcnt,
    /// Trailing zeros; needs BMI1. Without it the CPU runs `bsf`.
    Tzcnt,
    /// Population count; needs POPCNT.
    Popcnt,
    /// Index of the highest set bit; destination undefined (ZF=1) for a zero source.
    Bsr,
    /// Index of the lowest set bit; destination undefined (ZF=1) for a zero source.
    Bsf,
}

impl BitCount {
    /// All five operations.
    pub const ALL: [BitCount; 5] = [
        BitCount::Lzcnt,
        BitCount::Tzcnt,
        BitCount::Popcnt,
        BitCount::Bsr,
        BitCount::Bsf,
    ];
}

/// Scalar SSE arithmetic (`addss`/`addsd`, ...); the discriminant is the opcode byte.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum SseArith {
    Sqrt = 0x51,
    Add = 0x58,
    Mul = 0x59,
    Sub = 0x5C,
    Min = 0x5D,
    Div = 0x5E,
    Max = 0x5F,
}

impl SseArith {
    /// All seven operations.
    pub const ALL: [SseArith; 7] = [
        SseArith::Sqrt,
        SseArith::Add,
        SseArith::Mul,
        SseArith::Sub,
        SseArith::Min,
        SseArith::Div,
        SseArith::Max,
    ];
}

/// Packed bitwise SSE operations (`andps`/`andpd`, ...); the discriminant is the opcode byte.
/// Memory operands of these must be 16-byte aligned.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum SseLogic {
    And = 0x54,
    Andn = 0x55,
    Or = 0x56,
    Xor = 0x57,
}

impl SseLogic {
    /// All four operations.
    pub const ALL: [SseLogic; 4] = [SseLogic::And, SseLogic::Andn, SseLogic::Or, SseLogic::Xor];
}

/// The instruction-set level an SSE form needs beyond x86-64's SSE2.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum SseLevel {
    Sse2,
    Ssse3,
    Sse41,
}

/// Defines [`PackedInt`] from one row per operation: variant, mnemonic, opcode after `66 0F`
/// (one byte, or `0x38` then one byte), and the level it needs.
macro_rules! packed_int_ops {
    ($($op:ident $name:literal [$($byte:literal),+] $level:ident,)*) => {
        /// Packed integer operations on whole registers (`66 0F op /r`, `66 0F 38 op /r`):
        /// lane arithmetic, compares, bitwise logic, packs, unpacks, shifts by the count in
        /// the source register, and the SSE4.1 sign/zero extensions. Register forms (the
        /// 16-byte memory operands of the legacy encoding must be aligned; the extensions'
        /// 8-byte ones need not, see `Assembler::packed_extend_load`).
        #[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
        pub enum PackedInt {
            $($op,)*
        }

        impl PackedInt {
            /// Every operation.
            pub const ALL: &'static [PackedInt] = &[$(PackedInt::$op,)*];

            /// The mnemonic (for tests and listings).
            pub fn name(self) -> &'static str {
                match self {
                    $(PackedInt::$op => $name,)*
                }
            }

            /// The opcode bytes after `66 0F`.
            pub fn opcode(self) -> &'static [u8] {
                match self {
                    $(PackedInt::$op => &[$($byte),+],)*
                }
            }

            /// The level the CPU must have.
            pub fn level(self) -> SseLevel {
                match self {
                    $(PackedInt::$op => SseLevel::$level,)*
                }
            }
        }
    };
}

packed_int_ops! {
    Paddb "paddb" [0xFC] Sse2,
    Paddw "paddw" [0xFD] Sse2,
    Paddd "paddd" [0xFE] Sse2,
    Paddq "paddq" [0xD4] Sse2,
    Psubb "psubb" [0xF8] Sse2,
    Psubw "psubw" [0xF9] Sse2,
    Psubd "psubd" [0xFA] Sse2,
    Psubq "psubq" [0xFB] Sse2,
    Pmullw "pmullw" [0xD5] Sse2,
    Pmaddwd "pmaddwd" [0xF5] Sse2,
    Pmuludq "pmuludq" [0xF4] Sse2,
    Paddsb "paddsb" [0xEC] Sse2,
    Paddsw "paddsw" [0xED] Sse2,
    Paddusb "paddusb" [0xDC] Sse2,
    Paddusw "paddusw" [0xDD] Sse2,
    Psubsb "psubsb" [0xE8] Sse2,
    Psubsw "psubsw" [0xE9] Sse2,
    Psubusb "psubusb" [0xD8] Sse2,
    Psubusw "psubusw" [0xD9] Sse2,
    Pminub "pminub" [0xDA] Sse2,
    Pmaxub "pmaxub" [0xDE] Sse2,
    Pminsw "pminsw" [0xEA] Sse2,
    Pmaxsw "pmaxsw" [0xEE] Sse2,
    Pavgb "pavgb" [0xE0] Sse2,
    Pavgw "pavgw" [0xE3] Sse2,
    Pcmpeqb "pcmpeqb" [0x74] Sse2,
    Pcmpeqw "pcmpeqw" [0x75] Sse2,
    Pcmpeqd "pcmpeqd" [0x76] Sse2,
    Pcmpgtb "pcmpgtb" [0x64] Sse2,
    Pcmpgtw "pcmpgtw" [0x65] Sse2,
    Pcmpgtd "pcmpgtd" [0x66] Sse2,
    Pand "pand" [0xDB] Sse2,
    Pandn "pandn" [0xDF] Sse2,
    Por "por" [0xEB] Sse2,
    Pxor "pxor" [0xEF] Sse2,
    Packsswb "packsswb" [0x63] Sse2,
    Packuswb "packuswb" [0x67] Sse2,
    Packssdw "packssdw" [0x6B] Sse2,
    Punpcklbw "punpcklbw" [0x60] Sse2,
    Punpcklwd "punpcklwd" [0x61] Sse2,
    Punpckldq "punpckldq" [0x62] Sse2,
    Punpcklqdq "punpcklqdq" [0x6C] Sse2,
    Punpckhbw "punpckhbw" [0x68] Sse2,
    Punpckhwd "punpckhwd" [0x69] Sse2,
    Punpckhdq "punpckhdq" [0x6A] Sse2,
    Punpckhqdq "punpckhqdq" [0x6D] Sse2,
    Psllw "psllw" [0xF1] Sse2,
    Pslld "pslld" [0xF2] Sse2,
    Psllq "psllq" [0xF3] Sse2,
    Psrlw "psrlw" [0xD1] Sse2,
    Psrld "psrld" [0xD2] Sse2,
    Psrlq "psrlq" [0xD3] Sse2,
    Psraw "psraw" [0xE1] Sse2,
    Psrad "psrad" [0xE2] Sse2,
    Pshufb "pshufb" [0x38, 0x00] Ssse3,
    Pabsb "pabsb" [0x38, 0x1C] Ssse3,
    Pabsw "pabsw" [0x38, 0x1D] Ssse3,
    Pabsd "pabsd" [0x38, 0x1E] Ssse3,
    Pmulld "pmulld" [0x38, 0x40] Sse41,
    Pminsb "pminsb" [0x38, 0x38] Sse41,
    Pminsd "pminsd" [0x38, 0x39] Sse41,
    Pminuw "pminuw" [0x38, 0x3A] Sse41,
    Pminud "pminud" [0x38, 0x3B] Sse41,
    Pmaxsb "pmaxsb" [0x38, 0x3C] Sse41,
    Pmaxsd "pmaxsd" [0x38, 0x3D] Sse41,
    Pmaxuw "pmaxuw" [0x38, 0x3E] Sse41,
    Pmaxud "pmaxud" [0x38, 0x3F] Sse41,
    Pcmpeqq "pcmpeqq" [0x38, 0x29] Sse41,
    Packusdw "packusdw" [0x38, 0x2B] Sse41,
    Pmovsxbw "pmovsxbw" [0x38, 0x20] Sse41,
    Pmovsxwd "pmovsxwd" [0x38, 0x23] Sse41,
    Pmovsxdq "pmovsxdq" [0x38, 0x25] Sse41,
    Pmovzxbw "pmovzxbw" [0x38, 0x30] Sse41,
    Pmovzxwd "pmovzxwd" [0x38, 0x33] Sse41,
    Pmovzxdq "pmovzxdq" [0x38, 0x35] Sse41,
}

impl PackedInt {
    /// Whether the operation widens the low 8 bytes of its source (`pmovsx*`/`pmovzx*`).
    pub fn is_extend(self) -> bool {
        use PackedInt as P;
        matches!(
            self,
            P::Pmovsxbw | P::Pmovsxwd | P::Pmovsxdq | P::Pmovzxbw | P::Pmovzxwd | P::Pmovzxdq
        )
    }
}

/// Packed shifts by an immediate count (`66 0F 71/72/73 /n ib`): `(opcode, /n)`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum PackedShift {
    Psllw,
    Pslld,
    Psllq,
    Psrlw,
    Psrld,
    Psrlq,
    Psraw,
    Psrad,
}

impl PackedShift {
    pub const ALL: [PackedShift; 8] = [
        PackedShift::Psllw,
        PackedShift::Pslld,
        PackedShift::Psllq,
        PackedShift::Psrlw,
        PackedShift::Psrld,
        PackedShift::Psrlq,
        PackedShift::Psraw,
        PackedShift::Psrad,
    ];

    /// `(opcode, ModRM reg field)` of the immediate form.
    pub fn encoding(self) -> (u8, u8) {
        use PackedShift as S;
        match self {
            S::Psllw => (0x71, 6),
            S::Pslld => (0x72, 6),
            S::Psllq => (0x73, 6),
            S::Psrlw => (0x71, 2),
            S::Psrld => (0x72, 2),
            S::Psrlq => (0x73, 2),
            S::Psraw => (0x71, 4),
            S::Psrad => (0x72, 4),
        }
    }

    /// The same shift with its count in an SSE register.
    pub fn by_register(self) -> PackedInt {
        use PackedShift as S;
        match self {
            S::Psllw => PackedInt::Psllw,
            S::Pslld => PackedInt::Pslld,
            S::Psllq => PackedInt::Psllq,
            S::Psrlw => PackedInt::Psrlw,
            S::Psrld => PackedInt::Psrld,
            S::Psrlq => PackedInt::Psrlq,
            S::Psraw => PackedInt::Psraw,
            S::Psrad => PackedInt::Psrad,
        }
    }
}

/// Rounding mode immediate of `roundss`/`roundsd` (SSE4.1). Bit 3 (suppress the precision
/// exception) is left clear: the exception is masked in MXCSR anyway.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum RoundMode {
    /// Round to nearest, ties to even (wasm `nearest`).
    Nearest = 0,
    /// Toward negative infinity (wasm `floor`).
    Down = 1,
    /// Toward positive infinity (wasm `ceil`).
    Up = 2,
    /// Toward zero (wasm `trunc`).
    Trunc = 3,
}

impl RoundMode {
    /// All four modes.
    pub const ALL: [RoundMode; 4] = [
        RoundMode::Nearest,
        RoundMode::Down,
        RoundMode::Up,
        RoundMode::Trunc,
    ];
}

/// An error found while assembling; reported by [`super::Assembler::finish`].
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum AsmError {
    /// A label was used but never bound.
    UnboundLabel { label: u32 },
    /// `bind` was called twice for one label.
    LabelBoundTwice { label: u32, offset: usize },
    /// A label that this assembler did not create.
    UnknownLabel { label: u32, offset: usize },
    /// `rsp` as an index register with a scale other than 1 (not encodable).
    RspIndex { offset: usize },
    /// A relative displacement does not fit in its field (32 bits, or 8 for a short jump).
    DisplacementOutOfRange { offset: usize },
    /// `patch_u32` at a position that is not inside the code.
    PatchOutOfBounds { offset: usize },
}

impl fmt::Display for AsmError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AsmError::UnboundLabel { label } => write!(f, "label {label} is used but never bound"),
            AsmError::LabelBoundTwice { label, offset } => {
                write!(
                    f,
                    "label {label} bound a second time at code offset {offset}"
                )
            }
            AsmError::UnknownLabel { label, offset } => {
                write!(
                    f,
                    "label {label} at code offset {offset} belongs to another assembler"
                )
            }
            AsmError::RspIndex { offset } => write!(
                f,
                "rsp cannot be a scaled index register (instruction at code offset {offset})"
            ),
            AsmError::DisplacementOutOfRange { offset } => write!(
                f,
                "relative displacement does not fit in its field (at code offset {offset})"
            ),
            AsmError::PatchOutOfBounds { offset } => {
                write!(f, "patch at offset {offset} is outside the code")
            }
        }
    }
}

impl std::error::Error for AsmError {}
