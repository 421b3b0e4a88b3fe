//! Seed -> a valid, terminating wasm module inside wrun's feature set (wasm 2.0 with SIMD,
//! and of 3.0 tail calls, extended constants and exception handling).

use arbitrary::Unstructured;

/// A small deterministic generator (splitmix64-seeded xorshift64*): the whole harness derives
/// every choice from the seed through it, so a seed reproduces a run exactly.
#[derive(Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        // splitmix64 spreads consecutive seeds apart; xorshift needs a non-zero state.
        let mut z = seed.wrapping_add(0x9e37_79b9_7f4a_7c15);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        Rng((z ^ (z >> 31)) | 1)
    }

    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// Uniform-enough in `0..n` (`n > 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }
}

/// A generated module and what the run needs to know about it.
pub struct Generated {
    pub wasm: Vec<u8>,
    /// One line describing the knobs the seed chose (printed with a difference).
    pub knobs: String,
}

/// Fuel the instrumented module starts with: each function entry and loop iteration costs one,
/// and the fuel global is shared by the start function and every exported call.
pub const FUEL: u32 = 2_000;

/// Generates the module of `seed`: a seed-derived byte string fed to [`module_from_bytes`].
pub fn module_for_seed(seed: u64) -> anyhow::Result<Generated> {
    let mut rng = Rng::new(seed);
    let len = 512 + rng.below(16 * 1024) as usize;
    let bytes: Vec<u8> = (0..len).map(|_| rng.next_u64() as u8).collect();
    module_from_bytes(&mut rng, &bytes).map_err(|e| anyhow::anyhow!("seed {seed}: {e}"))
}

/// Generates a module from `bytes` (wasm-smith's input), with the configuration knobs drawn
/// from `rng`. Fails only if wasm-smith rejects its input even without minimum counts (a
/// harness error, reported, not skipped).
pub fn module_from_bytes(rng: &mut Rng, bytes: &[u8]) -> anyhow::Result<Generated> {
    let config = smith_config(rng);
    let knobs = describe(&config);
    // The minimum counts can be unsatisfiable for some byte strings (wasm-smith then reports
    // "incorrect format"); the same bytes without minimums always work.
    let mut module = match wasm_smith::Module::new(config.clone(), &mut Unstructured::new(bytes)) {
        Ok(module) => module,
        Err(_) => {
            let relaxed = wasm_smith::Config {
                min_types: 0,
                min_funcs: 0,
                min_globals: 0,
                min_memories: 0,
                min_tables: 0,
                min_data_segments: 0,
                min_element_segments: 0,
                ..config
            };
            wasm_smith::Module::new(relaxed, &mut Unstructured::new(bytes))
                .map_err(|e| anyhow::anyhow!("wasm-smith failed: {e}"))?
        }
    };
    module.ensure_termination(FUEL)?;
    Ok(Generated {
        wasm: module.to_bytes(),
        knobs,
    })
}

/// wasm-smith restricted to exactly what wrun implements, with bounded sizes. Optional
/// proposals of wasm 2.0 are switched on or off per seed (swarm testing) so that modules
/// without, say, reference types are generated too.
fn smith_config(rng: &mut Rng) -> wasm_smith::Config {
    let mut config = wasm_smith::Config {
        // Outside wrun's feature set.
        relaxed_simd_enabled: false,
        threads_enabled: false,
        shared_everything_threads_enabled: false,
        gc_enabled: false,
        custom_descriptors_enabled: false,
        memory64_enabled: false,
        custom_page_sizes_enabled: false,
        extended_const_enabled: coin(rng, 50),
        tail_call_enabled: coin(rng, 50),
        wide_arithmetic_enabled: false,
        max_memories: 1,
        allow_invalid_funcs: false,

        // wasm 3.0 exception handling and wasm 2.0 SIMD, each on a share of the seeds.
        exceptions_enabled: coin(rng, 30),
        max_tags: 4,
        simd_enabled: coin(rng, 35),

        // wasm 2.0 proposals: mostly on.
        reference_types_enabled: coin(rng, 85),
        bulk_memory_enabled: coin(rng, 85),
        multi_value_enabled: coin(rng, 85),
        saturating_float_to_int_enabled: coin(rng, 85),
        sign_extension_ops_enabled: coin(rng, 85),
        allow_floats: coin(rng, 90),
        // Fewer traps lets more of each body run; traps are compared too, so both are useful.
        disallow_traps: coin(rng, 30),
        canonicalize_nans: false,

        // Every function, global, table and memory is exported: every function gets called and
        // all state can be compared afterwards.
        export_everything: true,
        allow_start_export: true,

        // Bounded sizes.
        max_types: 20,
        max_imports: 8,
        max_funcs: 24,
        max_globals: 16,
        max_tables: 4,
        max_table_elements: 1_000,
        table_max_size_required: coin(rng, 50),
        max_memory32_bytes: 16 * 65_536,
        memory_max_size_required: true,
        max_data_segments: 8,
        max_element_segments: 8,
        max_elements: 16,
        max_instructions: 120,
        max_nesting_depth: 8,
        max_type_size: 1_000,

        // wasm-smith adds each optional item with probability 1/2, which leaves most modules
        // nearly empty; minimums give every module something to run.
        min_types: 1 + rng.below(4) as usize,
        min_funcs: 2 + rng.below(12) as usize,
        min_globals: rng.below(6) as usize,
        min_memories: (rng.below(10) < 8) as u32,
        min_tables: rng.below(3) as u32,
        min_data_segments: rng.below(4) as usize,
        min_element_segments: rng.below(4) as usize,
        ..wasm_smith::Config::default()
    };
    if !config.reference_types_enabled {
        // wasm-smith's own rule: without reference types at most one table.
        config.max_tables = 1;
        config.min_tables = config.min_tables.min(1);
    }
    config
}

/// True with probability `percent`/100.
fn coin(rng: &mut Rng, percent: u64) -> bool {
    rng.below(100) < percent
}

fn describe(config: &wasm_smith::Config) -> String {
    let flag = |on: bool, name: &str| {
        if on {
            format!(" +{name}")
        } else {
            format!(" -{name}")
        }
    };
    [
        flag(config.reference_types_enabled, "reference-types"),
        flag(config.bulk_memory_enabled, "bulk-memory"),
        flag(config.multi_value_enabled, "multi-value"),
        flag(config.saturating_float_to_int_enabled, "sat-float-to-int"),
        flag(config.sign_extension_ops_enabled, "sign-ext"),
        flag(config.allow_floats, "floats"),
        flag(config.simd_enabled, "simd"),
        flag(config.exceptions_enabled, "exceptions"),
        flag(config.tail_call_enabled, "tail-call"),
        flag(config.extended_const_enabled, "extended-const"),
        flag(config.disallow_traps, "no-traps"),
    ]
    .concat()
    .trim_start()
    .to_string()
}
