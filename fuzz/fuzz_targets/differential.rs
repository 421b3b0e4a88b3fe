//! libFuzzer target: the differential harness of `tests/differential.rs` on fuzzer-chosen
//! bytes. The first 8 bytes choose the configuration knobs and the call arguments; the rest is
//! wasm-smith's input. Any difference between the tiers, a panic, or a rejected module is a
//! crash: libFuzzer saves the input, and the panic message names the difference.
#![no_main]
// The harness modules carry statistics only the test prints.
#![allow(dead_code)]

#[path = "../../tests/differential/compare.rs"]
mod compare;
#[path = "../../tests/differential/execute.rs"]
mod execute;
#[path = "../../tests/differential/generate.rs"]
mod generate;

use execute::{TIER_A, TIERS_B};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((seed_bytes, smith_bytes)) = data.split_first_chunk::<8>() else {
        return;
    };
    let seed = u64::from_le_bytes(*seed_bytes);
    let mut rng = generate::Rng::new(seed);
    let Ok(generated) = generate::module_from_bytes(&mut rng, smith_bytes) else {
        return;
    };
    let a = execute::run(TIER_A, &generated.wasm, seed);
    for tier_b in TIERS_B {
        let b = execute::run(tier_b, &generated.wasm, seed);
        let names = ("A", "B");
        let failure = compare::own_problem(&a.events, names.0)
            .or_else(|| compare::own_problem(&b.events, names.1))
            .or_else(|| {
                compare::first_difference(&a.events, &b.events, names).map(|d| d.description)
            });
        if let Some(failure) = failure {
            panic!(
                "tiers {} (A) and {} (B) disagree [{}]: {failure}",
                TIER_A.name(),
                tier_b.name(),
                generated.knobs
            );
        }
    }
});
