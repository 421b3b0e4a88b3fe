//! CPU features the generated code may use, and their encoding in AOT sidecar headers.

use crate::jit::masm::SseLevel;

/// CPU features the generated code may use (checked once at compile time).
#[derive(Clone, Copy, Debug)]
pub struct CpuFeatures {
    pub ssse3: bool,
    pub sse41: bool,
    pub lzcnt: bool,
    pub bmi1: bool,
    pub popcnt: bool,
}

impl CpuFeatures {
    pub fn detect() -> CpuFeatures {
        CpuFeatures {
            ssse3: std::arch::is_x86_feature_detected!("ssse3"),
            sse41: std::arch::is_x86_feature_detected!("sse4.1"),
            lzcnt: std::arch::is_x86_feature_detected!("lzcnt"),
            bmi1: std::arch::is_x86_feature_detected!("bmi1"),
            popcnt: std::arch::is_x86_feature_detected!("popcnt"),
        }
    }

    /// Plain x86-64 (SSE2 only): every fallback path.
    pub fn baseline() -> CpuFeatures {
        CpuFeatures {
            ssse3: false,
            sse41: false,
            lzcnt: false,
            bmi1: false,
            popcnt: false,
        }
    }

    /// Each feature with its bit in [`CpuFeatures::to_bits`] (the AOT sidecar header stores
    /// the bits, so a bit's meaning never changes; new features take new bits).
    fn named(self) -> [(&'static str, u32, bool); 5] {
        [
            ("sse4.1", 1 << 0, self.sse41),
            ("lzcnt", 1 << 1, self.lzcnt),
            ("bmi1", 1 << 2, self.bmi1),
            ("popcnt", 1 << 3, self.popcnt),
            ("ssse3", 1 << 4, self.ssse3),
        ]
    }

    pub fn to_bits(self) -> u32 {
        self.named()
            .iter()
            .filter(|(_, _, on)| *on)
            .fold(0, |bits, (_, bit, _)| bits | bit)
    }

    /// `None` if `bits` names a feature this wrun does not know.
    pub fn from_bits(bits: u32) -> Option<CpuFeatures> {
        let known = CpuFeatures::baseline()
            .named()
            .iter()
            .fold(0, |all, (_, bit, _)| all | bit);
        if bits & !known != 0 {
            return None;
        }
        Some(CpuFeatures {
            ssse3: bits & 16 != 0,
            sse41: bits & 1 != 0,
            lzcnt: bits & 2 != 0,
            bmi1: bits & 4 != 0,
            popcnt: bits & 8 != 0,
        })
    }

    /// Whether the CPU has the SSE forms of `level`.
    pub fn has(self, level: SseLevel) -> bool {
        match level {
            SseLevel::Sse2 => true,
            SseLevel::Ssse3 => self.ssse3,
            SseLevel::Sse41 => self.sse41,
        }
    }

    /// Names of the features `self` uses that `available` lacks.
    pub fn missing_from(self, available: CpuFeatures) -> Vec<&'static str> {
        self.named()
            .iter()
            .zip(available.named())
            .filter(|((_, _, needed), (_, _, have))| *needed && !*have)
            .map(|((name, _, _), _)| *name)
            .collect()
    }
}
