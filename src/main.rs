//! The `wrun` command line: run a module (`wrun [OPTIONS] <MODULE> [ARGS]...`), precompile one
//! (`wrun compile MODULE [-o PATH]`) or run `.wast` scripts (`wrun wast FILE...`).
//!
//! Exit status, as wasmtime's: the guest's `proc_exit` status (0 when `_start` returns; WASI
//! allows 0..126), 1 for an error before the guest ran (unreadable file, invalid module,
//! unknown import) or of a host call (a WASI call given a bad pointer, `proc_exit` with any
//! other status), 134 for a wasm trap.
//! A sidecar that fails its checks is a warning, never an error: the module runs without it.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};
use wrun::{
    Config, Engine, Error, Extern, Func, Instance, Linker, Module, SidecarChoice, SidecarStatus,
    Store, Tier, Trap, TrapCode, Val, ValType,
};

/// `eprintln!` that ignores a closed or broken stderr: wrun must not panic (exit 101) because
/// its reader went away, e.g. `wrun app.wasm 2>&1 | head` on a long backtrace.
macro_rules! report {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

/// `println!` that ignores a closed or broken stdout (see `report!`).
macro_rules! output {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

/// Exit status of a run that trapped (wasmtime's: 128 + SIGABRT).
const TRAP_EXIT_STATUS: u8 = 134;

/// Least stack of the thread that runs wasm (it gets `Config::native_stack_bytes` when that is
/// more): several MiB, chosen here so the engine's limits are known.
const WASM_THREAD_STACK_BYTES: usize = 64 << 20;

const EXAMPLES: &str = "\
Examples:
  wrun hello.wasm                          run _start of a module
  wrun --dir .::/ app.wasm input.txt       let the guest see the current directory as /
  wrun --env HOME=/ --env PATH app.wasm    set HOME, pass PATH through from the host
  wrun --invoke add math.wasm 2 3          call the export `add` with (2, 3), print its results
  wrun --invoke fmax math.wat -inf nan     modules may be .wasm binaries or .wat text
  wrun compile app.wasm                    precompile to app.wrun; `wrun app.wasm` then uses it
  wrun wast tests/*.wast                   run .wast scripts, print failures and a pass count";

#[derive(Parser, Debug)]
#[command(
    name = "wrun",
    version,
    about = "wrun: a small, fast, honest WebAssembly runtime",
    after_help = EXAMPLES,
    args_conflicts_with_subcommands = true,
    subcommand_negates_reqs = true
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,

    #[command(flatten)]
    run: RunArgs,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run .wast scripts: one line per failure or skip, then `N passed, M failed`.
    Wast {
        /// Execution tier (`aot`: each module goes through a sidecar file, written and mapped).
        #[arg(long, value_enum, default_value_t = WastTierArg::Auto)]
        tier: WastTierArg,
        /// With `--tier auto`: calls or loop iterations after which a function is compiled.
        #[arg(long, value_name = "N", default_value_t = wrun::tier::DEFAULT_JIT_THRESHOLD)]
        jit_threshold: u32,
        /// Bound on the JIT's code memory per module (as for a run).
        #[arg(long, value_name = "BYTES", value_parser = parse_bytes)]
        jit_cache_size: Option<u64>,
        /// The scripts.
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
    },
    /// The code cache: `stats` (entries and bytes), `clear` (delete every entry), `dir`
    /// (print its path).
    Cache {
        #[arg(value_enum)]
        action: CacheAction,
        /// The cache directory (default: $XDG_CACHE_HOME/wrun, else ~/.cache/wrun).
        #[arg(long, value_name = "PATH")]
        cache_dir: Option<PathBuf>,
    },
    /// Compile every function ahead of time into a sidecar file (default: MODULE with the
    /// extension `.wrun`), which `wrun MODULE` maps and runs without compiling. Prints its path.
    Compile {
        /// The module: a .wasm binary or .wat text.
        #[arg(value_name = "MODULE")]
        module: PathBuf,
        /// Where to write the sidecar (`wrun MODULE` finds it only beside the module unless
        /// given `--aot PATH`).
        #[arg(short, long, value_name = "PATH")]
        output: Option<PathBuf>,
        /// `asm`: print each function's disassembly with its wasm offsets instead of writing
        /// a sidecar.
        #[arg(long, value_name = "KIND", value_parser = ["asm"])]
        emit: Option<String>,
        /// Compile with fuel charges, for runs with `--fuel` (a sidecar serves only runs with
        /// its own setting).
        #[arg(long)]
        fuel: bool,
    },
}

#[derive(Args, Debug)]
struct RunArgs {
    /// Call this export with ARGS (typed by its parameters) and print its results, instead of
    /// running `_start`.
    #[arg(long, value_name = "NAME")]
    invoke: Option<String>,

    /// Execution tier (every function runs compiled anyway when an AOT sidecar is used).
    #[arg(long, value_enum, default_value_t = TierArg::Auto)]
    tier: TierArg,

    /// With `--tier auto`: a function is compiled at its N+1-th call or after N loop
    /// iterations (counted over all its loops).
    #[arg(long, value_name = "N", default_value_t = wrun::tier::DEFAULT_JIT_THRESHOLD)]
    jit_threshold: u32,

    /// Use this AOT sidecar (from `wrun compile`) instead of MODULE.wrun beside the module.
    #[arg(long, value_name = "PATH", conflicts_with = "no_aot")]
    aot: Option<PathBuf>,

    /// Ignore any AOT sidecar.
    #[arg(long)]
    no_aot: bool,

    /// The code cache directory (default: $XDG_CACHE_HOME/wrun, else ~/.cache/wrun): with
    /// `--tier auto`, a run starts with the functions that got hot in earlier runs compiled,
    /// and adds this run's at exit.
    #[arg(long, value_name = "PATH", conflicts_with = "no_cache")]
    cache_dir: Option<PathBuf>,

    /// Neither read nor write the code cache.
    #[arg(long)]
    no_cache: bool,

    /// At exit, print on stderr what the tiers did: functions interpreted, compiled and
    /// entered by OSR, compile time, code size, whether an AOT sidecar was used.
    #[arg(long)]
    stats: bool,

    /// Profile the run: `perfmap` (/tmp/perf-PID.map for perf), `jitdump` (/tmp/jit-PID.dump
    /// for `perf inject --jit`), `guest[=PATH]` (sample the wasm stack; flame graph at PATH,
    /// default wrun-guest-profile.svg, collapsed stacks beside it as .folded).
    #[arg(long, value_name = "MODE")]
    profile: Option<String>,

    /// Instantiate the module at PATH first and offer its exports to the main module's
    /// imports from module NAME (it may import WASI too). Repeatable; in order.
    #[arg(long = "preload", value_name = "NAME=PATH")]
    preloads: Vec<String>,

    /// Give the guest a host directory, as GUEST (default: the same path). Repeatable.
    #[arg(long = "dir", value_name = "HOST[::GUEST]")]
    dirs: Vec<String>,

    /// Set an environment variable of the guest; without `=VALUE`, pass the host's value.
    /// Repeatable.
    #[arg(long = "env", value_name = "NAME[=VALUE]")]
    envs: Vec<String>,

    /// The guest's argv[0] (default: MODULE as given).
    #[arg(long, value_name = "NAME")]
    argv0: Option<String>,

    // Resource limits and bounded code memory (issue 15).
    /// Largest size of each linear memory, in bytes (suffixes K, M, G: powers of 1024);
    /// `memory.grow` past it returns -1, a larger initial memory fails instantiation.
    #[arg(long, value_name = "BYTES", value_parser = parse_bytes)]
    max_memory_size: Option<u64>,

    /// Largest number of elements of each table; `table.grow` past it returns -1, a larger
    /// initial table fails instantiation.
    #[arg(long, value_name = "N")]
    max_table_elements: Option<u64>,

    /// Largest number of instances (preloads and the main module count).
    #[arg(long, value_name = "N")]
    max_instances: Option<usize>,

    /// Bound on the JIT's code memory per module, in bytes (suffixes K, M, G); past it the
    /// least recently used compiled functions are evicted and interpreted until hot again.
    /// Code from an AOT sidecar is not counted and never evicted.
    #[arg(long, value_name = "BYTES", value_parser = parse_bytes)]
    jit_cache_size: Option<u64>,

    /// Give the guest N units of fuel, charged per basic block by its operator count (as
    /// wasmtime counts); running out traps with "all fuel consumed by WebAssembly".
    #[arg(long, value_name = "N")]
    fuel: Option<u64>,

    /// The module: a .wasm binary or .wat text.
    #[arg(value_name = "MODULE", required = true)]
    module: Option<PathBuf>,

    /// Limits for running code you do not trust (issue 15).
    #[command(flatten)]
    limits: LimitArgs,

    /// Arguments for the guest (or for the --invoke'd export).
    #[arg(
        value_name = "ARGS",
        trailing_var_arg = true,
        allow_hyphen_values = true
    )]
    args: Vec<String>,
}

/// A byte count: digits with an optional K, M or G suffix (powers of 1024).
fn parse_bytes(text: &str) -> Result<u64, String> {
    let (digits, unit) = match text.char_indices().last() {
        Some((i, c)) if c.is_ascii_alphabetic() => (&text[..i], c.to_ascii_uppercase()),
        _ => (text, 'B'),
    };
    let shift = match unit {
        'B' => 0,
        'K' => 10,
        'M' => 20,
        'G' => 30,
        _ => return Err(format!("{text:?}: the unit must be K, M or G")),
    };
    let value: u64 = digits
        .parse()
        .map_err(|_| format!("{text:?}: not a byte count"))?;
    value
        .checked_mul(1 << shift)
        .ok_or_else(|| format!("{text:?}: too large"))
}

/// `wrun cache` actions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum CacheAction {
    /// Print the number of entries and their total size.
    Stats,
    /// Delete every entry.
    Clear,
    /// Print the directory.
    Dir,
}

/// The code cache in `dir`, else in the default directory; an error when there is none.
fn code_cache(dir: Option<&Path>) -> Result<wrun::aot::CodeCache, String> {
    dir.map(Path::to_path_buf)
        .or_else(wrun::aot::CodeCache::default_dir)
        .map(wrun::aot::CodeCache::new)
        .ok_or_else(|| "no cache directory: set XDG_CACHE_HOME or HOME, or pass --cache-dir".into())
}

/// `wrun cache stats|clear|dir`.
fn run_cache_command(action: CacheAction, dir: Option<&Path>) -> ExitCode {
    let cache = match code_cache(dir) {
        Ok(cache) => cache,
        Err(message) => {
            report!("error: {message}");
            return ExitCode::FAILURE;
        }
    };
    match action {
        CacheAction::Dir => output!("{}", cache.dir().display()),
        CacheAction::Stats => {
            let stats = cache.stats();
            output!("directory: {}", cache.dir().display());
            output!("entries:   {}", stats.entries);
            output!(
                "size:      {} bytes (bound {} bytes)",
                stats.bytes,
                cache.max_bytes()
            );
        }
        CacheAction::Clear => match cache.clear() {
            Ok(removed) => output!("removed {removed} entries from {}", cache.dir().display()),
            Err(message) => {
                report!("error: {message}");
                return ExitCode::FAILURE;
            }
        },
    }
    ExitCode::SUCCESS
}

/// `--tier` values; one per [`wrun::Tier`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum TierArg {
    /// Start in the interpreter, compile hot functions and loops while running.
    Auto,
    /// The interpreter only.
    Interp,
    /// The baseline JIT: every function is compiled before anything runs.
    Jit,
    /// The optimizing JIT (tier 2) for every function before anything runs; a function it
    /// does not take yet goes to the baseline JIT.
    Opt,
}

impl From<TierArg> for Tier {
    fn from(tier: TierArg) -> Tier {
        match tier {
            TierArg::Auto => Tier::Auto,
            TierArg::Interp => Tier::Interp,
            TierArg::Jit => Tier::Jit,
            TierArg::Opt => Tier::Opt,
        }
    }
}

/// `wrun wast --tier` values: the run tiers plus `aot`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum WastTierArg {
    /// Start in the interpreter, compile hot functions and loops while running.
    Auto,
    /// The interpreter only.
    Interp,
    /// The baseline JIT: every function is compiled before anything runs.
    Jit,
    /// The optimizing JIT (tier 2) for every function, tier 1 where it does not apply yet.
    Opt,
    /// Each module is compiled to a sidecar file, mapped back with every check, and run.
    Aot,
}

impl From<WastTierArg> for Tier {
    fn from(tier: WastTierArg) -> Tier {
        match tier {
            WastTierArg::Auto => Tier::Auto,
            WastTierArg::Interp => Tier::Interp,
            WastTierArg::Jit => Tier::Jit,
            WastTierArg::Opt => Tier::Opt,
            WastTierArg::Aot => Tier::Aot,
        }
    }
}

/// What the guest sees of the host through WASI.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct WasiOptions {
    /// argv, argv[0] included.
    args: Vec<String>,
    env: Vec<(String, String)>,
    /// `(host path, guest path)`.
    preopens: Vec<(PathBuf, String)>,
}

/// Why a run ended early.
#[derive(Debug)]
enum RunError {
    /// Before the guest ran: printed as `error: ...`, exit status 1.
    Setup(String),
    /// The guest trapped (or exited through `proc_exit`).
    Trap(Trap),
}

impl From<Error> for RunError {
    /// A call's failure: a trap, or arguments the function does not take.
    fn from(error: Error) -> RunError {
        match error {
            Error::Trap(trap) => RunError::Trap(trap),
            other => RunError::Setup(other.to_string()),
        }
    }
}

fn main() -> ExitCode {
    let _ = env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("off"))
        .format_timestamp(None)
        .try_init();
    let cli = Cli::parse();
    // The wasm thread's stack holds the deepest recursion the wasm stack allows on any tier.
    let stack_config = match cli.command {
        None => cli.run.limits.apply(Config::default()),
        Some(_) => Config::default(),
    };
    let thread_stack = stack_config
        .native_stack_bytes()
        .max(WASM_THREAD_STACK_BYTES);
    let work = move || match cli.command {
        Some(Command::Wast {
            tier,
            jit_threshold,
            jit_cache_size,
            files,
        }) => run_wast_files(
            Config {
                tier: tier.into(),
                jit_threshold,
                jit_cache_size,
                ..Config::default()
            },
            &files,
        ),
        Some(Command::Compile {
            module,
            emit: Some(_),
            fuel,
            ..
        }) => emit_asm(&module, fuel),
        Some(Command::Compile {
            module,
            output,
            fuel,
            ..
        }) => compile_module(&module, output, fuel),
        Some(Command::Cache { action, cache_dir }) => {
            run_cache_command(action, cache_dir.as_deref())
        }
        None => run_cli_module(cli.run),
    };
    // Wasm and the wast runner run on a thread with a stack size we chose.
    match std::thread::Builder::new()
        .name("wrun".into())
        .stack_size(thread_stack)
        .spawn(work)
    {
        Ok(handle) => match handle.join() {
            Ok(code) => code,
            // The panic message has been printed by the panic hook.
            Err(_) => ExitCode::from(101),
        },
        Err(error) => {
            report!("error: cannot start the wasm thread: {error}");
            ExitCode::FAILURE
        }
    }
}

fn run_wast_files(config: Config, files: &[PathBuf]) -> ExitCode {
    let mut total = wrun::wast_runner::WastReport::default();
    for file in files {
        let shown = file.display().to_string();
        let source = match std::fs::read_to_string(file) {
            Ok(source) => source,
            Err(error) => {
                let line = format!("{shown}: cannot read: {error}");
                output!("{line}");
                total.failed += 1;
                total.failures.push(line);
                continue;
            }
        };
        let report = wrun::wast_runner::run_wast(&shown, &source, &config);
        for line in report.failures.iter().chain(&report.skips) {
            output!("{line}");
        }
        total.merge(report);
    }
    output!("{}", total.summary());
    if total.failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// `wrun compile --emit asm MODULE`: the disassembly of every compiled function.
fn emit_asm(module_path: &Path, consume_fuel: bool) -> ExitCode {
    #[cfg(feature = "disas")]
    {
        let info = read_module_bytes(module_path)
            .and_then(|bytes| wrun::module::parse(&bytes).map_err(|e| e.to_string()));
        let text = info.and_then(|info| {
            let cpu = wrun::jit::compile::CpuFeatures::detect();
            wrun::jit::disas::disassemble_metered(&std::sync::Arc::new(info), cpu, consume_fuel)
        });
        match text {
            Ok(text) => {
                output!("{}", text.trim_end());
                ExitCode::SUCCESS
            }
            Err(message) => {
                report!("error: {}: {message}", module_path.display());
                ExitCode::FAILURE
            }
        }
    }
    #[cfg(not(feature = "disas"))]
    {
        let _ = consume_fuel;
        report!(
            "error: {}: this wrun was built without the `disas` feature",
            module_path.display()
        );
        ExitCode::FAILURE
    }
}

/// `wrun compile MODULE [-o PATH]`.
fn compile_module(module_path: &Path, output: Option<PathBuf>, consume_fuel: bool) -> ExitCode {
    use std::io::IsTerminal as _;
    let output = output.unwrap_or_else(|| wrun::aot::sidecar_path_beside(module_path));
    let same_file = |a: &Path, b: &Path| match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    };
    if same_file(&output, module_path) {
        report!(
            "error: {}: the sidecar would overwrite the module; choose another path with -o",
            module_path.display()
        );
        return ExitCode::FAILURE;
    }
    let bytes = match read_module_bytes(module_path) {
        Ok(bytes) => bytes,
        Err(message) => {
            report!("error: {message}");
            return ExitCode::FAILURE;
        }
    };
    // Progress on a terminal, for modules big enough to take a while.
    let show_progress = std::io::stderr().is_terminal();
    let mut shown = false;
    let mut progress = |done: usize, total: usize| {
        if show_progress
            && total >= PROGRESS_MIN_FUNCTIONS
            && (done.is_multiple_of(64) || done == total)
        {
            use std::io::Write as _;
            let _ = write!(std::io::stderr(), "\rcompiling: {done}/{total} functions");
            shown = true;
        }
    };
    let cpu = wrun::jit::compile::CpuFeatures::detect();
    let result =
        wrun::aot::write_sidecar_metered(&bytes, &output, cpu, consume_fuel, &mut progress);
    if shown {
        report!();
    }
    match result {
        Ok(_) => {
            output!("{}", output.display());
            ExitCode::SUCCESS
        }
        Err(wrun::Error::Sidecar { reason, .. }) => {
            report!("error: {}: {reason}", module_path.display());
            ExitCode::FAILURE
        }
        Err(error) => {
            report!("error: {}: {error}", module_path.display());
            ExitCode::FAILURE
        }
    }
}

/// `wrun compile` shows progress for modules with at least this many functions.
const PROGRESS_MIN_FUNCTIONS: usize = 256;

/// The CLI's execution limits, grouped so each limit is one field here and one in `Config`.
#[derive(Args, Debug)]
struct LimitArgs {
    /// Size of the wasm stack in bytes (suffixes k, m, g: KiB, MiB, GiB): the value stack
    /// every tier's frames live on, and a depth of one frame per 64 bytes of it; a deeper
    /// recursion traps with "call stack exhausted" at the same depth on every tier.
    /// Default 8m.
    #[arg(long, value_name = "BYTES", value_parser = parse_wasm_stack)]
    max_wasm_stack: Option<usize>,

    /// Interrupt the guest after DURATION (e.g. 2s, 100ms, 1m, 1h; a bare number is
    /// seconds): it traps with "interrupt", status 134 (wasmtime's `-W timeout=`, through
    /// epoch interruption; AOT sidecars are not used, their code has no epoch checks).
    #[arg(long, value_name = "DURATION", value_parser = parse_timeout)]
    timeout: Option<Duration>,
}

impl LimitArgs {
    /// `config` with these limits applied.
    fn apply(&self, config: Config) -> Config {
        Config {
            max_wasm_stack: self.max_wasm_stack.unwrap_or(config.max_wasm_stack),
            epoch_interruption: config.epoch_interruption || self.timeout.is_some(),
            ..config
        }
    }
}

/// Largest `--max-wasm-stack`: the thread that runs wasm reserves native stack in proportion.
const MAX_WASM_STACK_LIMIT: usize = 1 << 30;

/// `BYTES` of `--max-wasm-stack`: digits with an optional binary suffix (`k`, `m`, `g`).
fn parse_wasm_stack(text: &str) -> Result<usize, String> {
    let lower = text.trim().to_ascii_lowercase();
    let (digits, unit) = match lower.strip_suffix(['k', 'm', 'g']) {
        Some(digits) => (digits, lower.chars().last()),
        None => (lower.as_str(), None),
    };
    let number: usize = digits
        .parse()
        .map_err(|_| format!("`{text}` is not a byte count (e.g. 1048576, 512k, 8m)"))?;
    let shift = match unit {
        Some('k') => 10,
        Some('m') => 20,
        Some('g') => 30,
        _ => 0,
    };
    let bytes = number
        .checked_mul(1 << shift)
        .filter(|b| (wrun::MIN_FRAME_BYTES..=MAX_WASM_STACK_LIMIT).contains(b))
        .ok_or_else(|| {
            format!(
                "`{text}`: the wasm stack must be {} bytes to 1g",
                wrun::MIN_FRAME_BYTES
            )
        })?;
    Ok(bytes)
}

/// `DURATION` of `--timeout`: a number with a unit `ns`, `us`, `ms`, `s`, `m` or `h` (a bare
/// number is seconds); fractions allowed (`1.5s`).
fn parse_timeout(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let seconds_per_unit = match unit.trim() {
        "ns" => 1e-9,
        "us" | "µs" => 1e-6,
        "ms" => 1e-3,
        "" | "s" => 1.0,
        "m" | "min" => 60.0,
        "h" => 3600.0,
        other => return Err(format!("unknown unit `{other}` (use ms, s, m or h)")),
    };
    let number: f64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a duration (e.g. 2s, 100ms)"))?;
    Duration::try_from_secs_f64(number * seconds_per_unit)
        .map_err(|_| format!("`{text}` is not a duration (e.g. 2s, 100ms)"))
}

/// With `--timeout`: the store's deadline is the next epoch, and a timer thread advances the
/// epoch when the time is up (wasmtime's scheme); the thread just sleeps, and dies with the
/// process if the run ends first.
fn start_deadline(engine: &Engine, store: &mut Store, timeout: Option<Duration>) {
    let Some(timeout) = timeout else {
        return;
    };
    store.set_epoch_deadline(1);
    let engine = engine.clone();
    let timer = std::thread::Builder::new()
        .name("wrun timeout".into())
        .spawn(move || {
            std::thread::sleep(timeout);
            engine.increment_epoch();
        });
    if let Err(error) = timer {
        report!("warning: --timeout: cannot start the timer thread: {error}");
    }
}

fn run_cli_module(args: RunArgs) -> ExitCode {
    let Some(module_path) = args.module.clone() else {
        report!("error: no module given (see --help)");
        return ExitCode::FAILURE;
    };
    let wasi = match wasi_options(&args, &module_path) {
        Ok(wasi) => wasi,
        Err(message) => {
            report!("error: {message}");
            return ExitCode::FAILURE;
        }
    };
    // No cache directory at all (no HOME) just means no cache.
    let code_cache = match args.no_cache {
        true => None,
        false => code_cache(args.cache_dir.as_deref()).ok(),
    };
    let config = args.limits.apply(Config {
        code_cache,
        tier: args.tier.into(),
        jit_threshold: args.jit_threshold,
        store_limits: wrun::StoreLimits {
            max_memory_size: args.max_memory_size,
            max_table_elements: args.max_table_elements,
            max_instances: args.max_instances,
        },
        jit_cache_size: args.jit_cache_size,
        consume_fuel: args.fuel.is_some(),
        ..Config::default()
    });
    let sidecar = if args.no_aot {
        SidecarChoice::Disabled
    } else if let Some(path) = &args.aot {
        SidecarChoice::Path(path.clone())
    } else {
        SidecarChoice::Beside
    };
    let preloads = match args
        .preloads
        .iter()
        .map(|spec| parse_preload(spec))
        .collect()
    {
        Ok(preloads) => preloads,
        Err(message) => {
            report!("error: {message}");
            return ExitCode::FAILURE;
        }
    };
    let setup = Setup {
        config,
        sidecar,
        preloads,
        timeout: args.limits.timeout,
        fuel: args.fuel,
    };
    let profile = match args.profile.as_deref().map(start_profile).transpose() {
        Ok(profile) => profile,
        Err(message) => {
            report!("error: {message}");
            return ExitCode::FAILURE;
        }
    };
    let mut loaded = None;
    let outcome = match &args.invoke {
        Some(name) => invoke_export(&setup, &module_path, &wasi, name, &args.args, &mut loaded),
        None => run_module(&setup, &module_path, &wasi, &mut loaded),
    };
    if let Some(profile) = profile {
        match profile.finish(loaded.as_ref().map(|module| &**module.info())) {
            Ok(summary) => report!("{summary}"),
            Err(message) => report!("warning: --profile: {message}"),
        }
    }
    if let Some(module) = &loaded {
        update_code_cache(module);
    }
    if args.stats
        && let Some(module) = &loaded
    {
        print_stats(setup.config.tier, module);
    }
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(RunError::Setup(message)) => {
            report!("error: {message}");
            ExitCode::FAILURE
        }
        Err(RunError::Trap(trap)) if trap.code == TrapCode::Exit => exit_code(trap.exit_status),
        // A host function failed (a WASI call given a bad pointer, `proc_exit` with a status
        // outside 0..126): an error of the run, not a wasm trap, so status 1 as in wasmtime.
        Err(RunError::Trap(trap)) if trap.code == TrapCode::Host => {
            // Formatted first, then written at once: stderr is unbuffered.
            let text = HostError(&trap).to_string();
            report!("{text}");
            ExitCode::FAILURE
        }
        Err(RunError::Trap(trap)) => {
            let text = trap.to_string();
            report!("{text}");
            ExitCode::from(TRAP_EXIT_STATUS)
        }
    }
}

/// Adds what got hot in this run to the module's code cache entry; a failure is a warning.
fn update_code_cache(module: &Module) {
    match module.update_code_cache() {
        Ok(Some(count)) => log::debug!("code cache: the entry holds {count} functions now"),
        Ok(None) => {}
        Err(message) => report!("warning: code cache: {message}"),
    }
}

/// For a module using the code cache: a background thread that adds what got hot so far
/// every [`wrun::aot::cache::UPDATE_INTERVAL`] (compiling on that thread, never on the wasm
/// thread); it dies with the process.
fn start_cache_updates(module: &Module) {
    if !module.uses_code_cache() {
        return;
    }
    let module = module.clone();
    let updater = std::thread::Builder::new()
        .name("wrun cache".into())
        .spawn(move || {
            loop {
                std::thread::sleep(wrun::aot::cache::UPDATE_INTERVAL);
                update_code_cache(&module);
            }
        });
    if let Err(error) = updater {
        report!("warning: code cache: cannot start the update thread: {error}");
    }
}

/// A failed host call as the CLI prints it: `error: MESSAGE` and the wasm backtrace.
struct HostError<'a>(&'a Trap);

impl std::fmt::Display for HostError<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "error: {}", self.0.message())?;
        self.0.fmt_backtrace(f)
    }
}

/// `--profile MODE`: parses it and starts profiling this (the wasm) thread.
fn start_profile(mode: &str) -> Result<wrun::profile::Profile, String> {
    let mode = wrun::profile::ProfileMode::parse(mode).map_err(|e| format!("--profile: {e}"))?;
    wrun::profile::start(&mode).map_err(|e| format!("--profile: {e}"))
}

/// `--stats`: what the tiers did with the module.
fn print_stats(tier: Tier, module: &Module) {
    let stats = module.tier_stats();
    report!("wrun stats (tier {}):", tier.name());
    report!("  functions interpreted: {}", stats.interpreted);
    let translation = &stats.translation;
    report!(
        "  translation:           {} function(s), {} wasm bytes -> {} code bytes in {:.3} ms",
        translation.functions,
        translation.body_bytes,
        translation.code_bytes,
        translation.time.as_secs_f64() * 1e3
    );
    report!("  functions compiled:    {}", stats.compiled);
    if let Some(t2) = &stats.tier2 {
        report!(
            "  tier 2:                {} functions, {} fell back to tier 1 ({:.3} ms, {:.3} ms of it allocating registers; {} spill slots, {} moves)",
            t2.optimized,
            t2.fell_back,
            t2.time.as_secs_f64() * 1e3,
            t2.regalloc_time.as_secs_f64() * 1e3,
            t2.spill_slots,
            t2.moves
        );
    }
    report!(
        "  entered by OSR:        {} function(s), {} entr{}",
        stats.osr_functions,
        stats.osr_entries,
        if stats.osr_entries == 1 { "y" } else { "ies" }
    );
    report!(
        "  compile time:          {:.3} ms",
        stats.compile_time.as_secs_f64() * 1e3
    );
    report!(
        "  code bytes:            {} ({} mapped from a sidecar or the code cache)",
        stats.code_bytes,
        stats.mapped_code_bytes
    );
    report!("  peak code memory:      {} bytes", stats.peak_code_memory);
    report!(
        "  evictions:             {} ({} on the stack)",
        stats.evictions,
        stats.evictions_on_stack
    );
    report!(
        "  sidecar:               {}",
        module.sidecar_status().describe()
    );
    if module.uses_code_cache() {
        report!(
            "  code cache:            {} function(s) started compiled",
            stats.from_cache
        );
    } else {
        report!("  code cache:            not used");
    }
}

/// How to load the module.
struct Setup {
    config: Config,
    sidecar: SidecarChoice,
    /// `--preload NAME=PATH`, in order.
    preloads: Vec<(String, PathBuf)>,
    /// `--timeout`.
    timeout: Option<Duration>,
    /// `--fuel N`: the store's fuel (then `config.consume_fuel` is set).
    fuel: Option<u64>,
}

/// A `proc_exit` status as a process exit code (statuses are < 126 by WASI's rules here).
fn exit_code(status: i32) -> ExitCode {
    ExitCode::from(u8::try_from(status).unwrap_or(1))
}

fn wasi_options(args: &RunArgs, module_path: &Path) -> Result<WasiOptions, String> {
    let argv0 = args
        .argv0
        .clone()
        .unwrap_or_else(|| module_path.display().to_string());
    let mut options = WasiOptions {
        args: std::iter::once(argv0)
            .chain(args.args.iter().cloned())
            .collect(),
        ..WasiOptions::default()
    };
    for dir in &args.dirs {
        options.preopens.push(parse_dir(dir)?);
    }
    for env in &args.envs {
        options.env.push(parse_env(env)?);
    }
    Ok(options)
}

/// `HOST[::GUEST]`; the guest path defaults to the host path.
fn parse_dir(spec: &str) -> Result<(PathBuf, String), String> {
    let (host, guest) = match spec.split_once("::") {
        Some((host, guest)) => (host, guest),
        None => (spec, spec),
    };
    // An empty GUEST (`--dir HOST::`) is a preopen named "", as wasmtime allows.
    if host.is_empty() {
        return Err(format!("--dir {spec:?}: expected HOST or HOST::GUEST"));
    }
    Ok((PathBuf::from(host), guest.to_string()))
}

/// `--preload NAME=PATH`.
fn parse_preload(spec: &str) -> Result<(String, PathBuf), String> {
    match spec.split_once('=') {
        Some((name, path)) if !name.is_empty() && !path.is_empty() => {
            Ok((name.to_string(), PathBuf::from(path)))
        }
        _ => Err(format!("--preload {spec:?}: expected NAME=PATH")),
    }
}

/// `NAME=VALUE`, or `NAME` to pass the host's value through.
fn parse_env(spec: &str) -> Result<(String, String), String> {
    let (name, value) = match spec.split_once('=') {
        Some((name, value)) => (name.to_string(), value.to_string()),
        None => {
            let value = std::env::var(spec)
                .map_err(|_| format!("--env {spec}: not set in the host environment"))?;
            (spec.to_string(), value)
        }
    };
    if name.is_empty() {
        return Err(format!("--env {spec:?}: expected NAME[=VALUE]"));
    }
    Ok((name, value))
}

/// Reads a module file: a wasm binary, or wasm text (converted with the `wast` crate).
fn read_module_bytes(path: &Path) -> Result<Vec<u8>, String> {
    let bytes =
        std::fs::read(path).map_err(|error| format!("cannot read {}: {error}", path.display()))?;
    if bytes.starts_with(b"\0asm") {
        return Ok(bytes);
    }
    let Ok(text) = std::str::from_utf8(&bytes) else {
        return Err(format!(
            "{}: not a WebAssembly module (no \\0asm magic)",
            path.display()
        ));
    };
    let text_error = |error: wast::Error| {
        let (line, col) = error.span().linecol_in(text);
        format!(
            "{}: not a WebAssembly module (no \\0asm magic) and not valid WebAssembly text: \
             {}:{}: {}",
            path.display(),
            line + 1,
            col + 1,
            error.message()
        )
    };
    let buffer = wast::parser::ParseBuffer::new(text).map_err(text_error)?;
    let mut wat = wast::parser::parse::<wast::Wat<'_>>(&buffer).map_err(text_error)?;
    wat.encode().map_err(text_error)
}

/// Loads, links and instantiates the module: everything before the guest's own code runs
/// (except its start function, which instantiation runs).
///
/// `loaded` receives the module as soon as it is compiled (for `--stats`).
fn instantiate(
    setup: &Setup,
    module_path: &Path,
    wasi: &WasiOptions,
    loaded: &mut Option<Module>,
) -> Result<(Store, Instance), RunError> {
    let bytes = read_module_bytes(module_path).map_err(RunError::Setup)?;
    let engine = Engine::new(setup.config.clone());
    let sidecar = setup.sidecar.resolve(module_path);
    let module = Module::with_sidecar(&engine, &bytes, sidecar.as_ref())
        .map_err(|error| RunError::Setup(format!("{}: {error}", module_path.display())))?;
    if let SidecarStatus::Refused { path, reason } = module.sidecar_status() {
        report!(
            "warning: ignoring sidecar {}: {reason}; running without it",
            path.display()
        );
    }
    if let Some(reason) = module.code_cache_refusal() {
        report!("warning: ignoring code cache entry {reason}; running without it");
    }
    *loaded = Some(module.clone());
    start_cache_updates(&module);
    let mut store = Store::new(&engine);
    start_deadline(&engine, &mut store, setup.timeout);
    if let Some(fuel) = setup.fuel {
        store
            .set_fuel(fuel)
            .map_err(|error| RunError::Setup(error.to_string()))?;
    }
    let mut linker = Linker::new();
    link_host(&mut store, &mut linker, wasi, &module).map_err(RunError::Setup)?;
    for (name, path) in &setup.preloads {
        preload(setup, &engine, &mut store, &mut linker, name, path)?;
    }
    let instance = instantiate_linked(&mut store, &linker, &module, module_path)?;
    Ok((store, instance))
}

/// `--preload NAME=PATH`: instantiates the module at `path` (with the host functions and the
/// modules preloaded before it) and defines its exports as module `name` in `linker`. Its
/// sidecar is the one beside it, unless sidecars are off. (WASI's memory-export check is made
/// for the main module: a preloaded module's WASI calls use its memory 0.)
fn preload(
    setup: &Setup,
    engine: &Engine,
    store: &mut Store,
    linker: &mut Linker,
    name: &str,
    path: &Path,
) -> Result<(), RunError> {
    let bytes = read_module_bytes(path).map_err(RunError::Setup)?;
    let sidecar = match setup.sidecar {
        SidecarChoice::Disabled => None,
        _ => SidecarChoice::Beside.resolve(path),
    };
    let module = Module::with_sidecar(engine, &bytes, sidecar.as_ref())
        .map_err(|error| RunError::Setup(format!("{}: {error}", path.display())))?;
    if let SidecarStatus::Refused { path, reason } = module.sidecar_status() {
        report!(
            "warning: ignoring sidecar {}: {reason}; running without it",
            path.display()
        );
    }
    let instance = instantiate_linked(store, linker, &module, path)?;
    for (export, item) in instance.exports(store) {
        linker.define(name, &export, item);
    }
    Ok(())
}

/// Instantiates `module` (read from `path`, for messages) with what `linker` defines.
fn instantiate_linked(
    store: &mut Store,
    linker: &Linker,
    module: &Module,
    path: &Path,
) -> Result<Instance, RunError> {
    // Name the first missing import ourselves so the message is the same whatever the linker
    // reports.
    if let Some(import) = module
        .info()
        .imports
        .iter()
        .find(|import| linker.get(&import.module, &import.name).is_none())
    {
        return Err(RunError::Setup(format!(
            "{}: unknown import `{}::{}`",
            path.display(),
            import.module,
            import.name
        )));
    }
    match linker.instantiate(store, module) {
        Ok(instance) => Ok(instance),
        Err(Error::Trap(trap)) => Err(RunError::Trap(trap)),
        Err(error) => Err(RunError::Setup(format!("{}: {error}", path.display()))),
    }
}

/// Defines the host functions a guest may import: WASI preview1 (the `wrun-wasi` crate) with
/// what the command line granted (argv, environment, preopened directories), nothing else.
fn link_host(
    store: &mut Store,
    linker: &mut Linker,
    wasi: &WasiOptions,
    module: &Module,
) -> Result<(), String> {
    // WASI reads and writes the guest's memory through its export `memory`; a module without
    // one gets an error at its first WASI call, as in wasmtime (not an empty memory).
    let exports_memory =
        module.info().exports.iter().any(|export| {
            export.name == "memory" && export.kind == wrun::module::ExportKind::Memory
        });
    let context = wrun_wasi::Wasi::new(wrun_wasi::WasiConfig {
        args: wasi.args.clone(),
        env: wasi.env.clone(),
        preopens: wasi.preopens.clone(),
        inherit_stdio: true,
    })
    .map_err(|error| format!("{error:#}"))?;
    log::debug!(
        "WASI: argv {:?}, {} env vars, {} preopens",
        wasi.args,
        wasi.env.len(),
        wasi.preopens.len()
    );
    // One context shared by every WASI function; a WASI call never re-enters wasm.
    let context = std::rc::Rc::new(std::cell::RefCell::new(context));
    let val_type = |ty: &wrun_wasi::WasiValType| match ty {
        wrun_wasi::WasiValType::I32 => ValType::I32,
        wrun_wasi::WasiValType::I64 => ValType::I64,
    };
    for (index, function) in wrun_wasi::FUNCTIONS.iter().enumerate() {
        let ty = wrun::FuncType::new(
            function.params.iter().map(val_type).collect::<Vec<_>>(),
            function.results.iter().map(val_type).collect::<Vec<_>>(),
        );
        let context = std::rc::Rc::clone(&context);
        let func = Func::new(store, ty, move |caller, slots| {
            let mut context = context
                .try_borrow_mut()
                .map_err(|_| Trap::host("WASI called re-entrantly"))?;
            let memory = match caller.memory() {
                Some(memory) if exports_memory => memory,
                _ => {
                    return Err(Trap::host(format!(
                        "{}.{}: missing required memory export `memory`",
                        wrun_wasi::MODULE_NAME,
                        wrun_wasi::FUNCTIONS[index].name
                    )));
                }
            };
            context
                .call(index, memory, slots)
                .map_err(|trap| match trap {
                    wrun_wasi::WasiTrap::Exit(status) => Trap::exit(status),
                    wrun_wasi::WasiTrap::Trap(message) => Trap::host(message),
                })
        });
        linker.define(wrun_wasi::MODULE_NAME, function.name, Extern::Func(func));
    }
    Ok(())
}

/// Runs a module as a command: instantiate (running its start function), then `_start` if it
/// exports one.
fn run_module(
    setup: &Setup,
    module_path: &Path,
    wasi: &WasiOptions,
    loaded: &mut Option<Module>,
) -> Result<(), RunError> {
    let (mut store, instance) = instantiate(setup, module_path, wasi, loaded)?;
    match instance.get_export(&store, "_start") {
        Some(Extern::Func(start)) => {
            start.call(&mut store, &[])?;
        }
        Some(_) => {
            return Err(RunError::Setup(format!(
                "{}: export `_start` is not a function",
                module_path.display()
            )));
        }
        None => log::debug!(
            "{}: no `_start` export, nothing to run",
            module_path.display()
        ),
    }
    Ok(())
}

/// `--invoke NAME ARGS...`: calls one export with arguments typed by its parameters and prints
/// each result on its own line.
fn invoke_export(
    setup: &Setup,
    module_path: &Path,
    wasi: &WasiOptions,
    name: &str,
    raw_args: &[String],
    loaded: &mut Option<Module>,
) -> Result<(), RunError> {
    let (mut store, instance) = instantiate(setup, module_path, wasi, loaded)?;
    // A reactor (no `_start`) is initialized once before any export is called, as in wasmtime.
    if instance.get_export(&store, "_start").is_none()
        && let Some(Extern::Func(initialize)) = instance.get_export(&store, "_initialize")
    {
        initialize.call(&mut store, &[])?;
    }
    let func = exported_func(&store, instance, name)
        .map_err(|message| RunError::Setup(format!("{}: {message}", module_path.display())))?;
    let ty = func.ty(&store);
    // As in wasmtime, ARGS are the guest's argv in any case (`wasi_options`), and the
    // parameters of a function that has some.
    let raw_args = if ty.params.is_empty() { &[] } else { raw_args };
    if ty.params.len() != raw_args.len() {
        return Err(RunError::Setup(format!(
            "export `{name}` takes {} argument(s) {ty}, got {}",
            ty.params.len(),
            raw_args.len()
        )));
    }
    let args = ty
        .params
        .iter()
        .zip(raw_args)
        .map(|(&ty, raw)| parse_val(ty, raw))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|message| RunError::Setup(format!("export `{name}`: {message}")))?;
    let results = func.call(&mut store, &args)?;
    for value in &results {
        output!("{}", show_val(value));
    }
    Ok(())
}

fn exported_func(store: &Store, instance: Instance, name: &str) -> Result<Func, String> {
    match instance.get_export(store, name) {
        Some(Extern::Func(func)) => Ok(func),
        Some(_) => Err(format!("export `{name}` is not a function")),
        None => {
            let funcs: Vec<String> = instance
                .exports(store)
                .into_iter()
                .filter(|(_, item)| matches!(item, Extern::Func(_)))
                .map(|(name, _)| name)
                .collect();
            Err(format!(
                "no export named `{name}` (exported functions: {})",
                funcs.join(", ")
            ))
        }
    }
}

/// One command-line argument as a value of type `ty`: integers in decimal or `0x` hex (signed
/// or unsigned range), floats in decimal including `nan`, `inf`, `-inf`, a v128 as an
/// unsigned 128-bit integer (decimal or `0x` hex).
fn parse_val(ty: ValType, raw: &str) -> Result<Val, String> {
    let bad = || format!("cannot parse {raw:?} as {ty}");
    Ok(match ty {
        ValType::I32 => {
            let v = parse_integer(raw).ok_or_else(bad)?;
            if !(i128::from(i32::MIN)..=i128::from(u32::MAX)).contains(&v) {
                return Err(format!("{raw} is out of range for i32"));
            }
            // Values above i32::MAX are the unsigned reading of the same bits.
            Val::I32(v as u32 as i32)
        }
        ValType::I64 => {
            let v = parse_integer(raw).ok_or_else(bad)?;
            if !(i128::from(i64::MIN)..=i128::from(u64::MAX)).contains(&v) {
                return Err(format!("{raw} is out of range for i64"));
            }
            Val::I64(v as u64 as i64)
        }
        ValType::F32 => Val::F32(raw.parse::<f32>().map_err(|_| bad())?.to_bits()),
        ValType::F64 => Val::F64(raw.parse::<f64>().map_err(|_| bad())?.to_bits()),
        ValType::FuncRef if raw == "null" => Val::FuncRef(None),
        ValType::ExternRef if raw == "null" => Val::ExternRef(None),
        ValType::ExnRef if raw == "null" => Val::ExnRef(None),
        ValType::FuncRef | ValType::ExternRef | ValType::ExnRef => {
            return Err(format!("only `null` can be passed as {ty}, got {raw:?}"));
        }
        // The 128 bits as one unsigned integer (lane 0 in the low bits), as wasmtime reads it.
        ValType::V128 => {
            let bits = match raw.strip_prefix("0x").or_else(|| raw.strip_prefix("0X")) {
                Some(hex) => u128::from_str_radix(hex, 16),
                None => raw.parse::<u128>(),
            };
            Val::V128(bits.map_err(|_| bad())?)
        }
    })
}

/// Decimal or `0x` hex, with an optional sign; i128 holds every i64 and u64.
fn parse_integer(raw: &str) -> Option<i128> {
    let (negative, digits) = match raw.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, raw.strip_prefix('+').unwrap_or(raw)),
    };
    let magnitude = match digits
        .strip_prefix("0x")
        .or_else(|| digits.strip_prefix("0X"))
    {
        Some(hex) => u64::from_str_radix(hex, 16).ok()?,
        None => digits.parse::<u64>().ok()?,
    };
    let magnitude = i128::from(magnitude);
    Some(if negative { -magnitude } else { magnitude })
}

/// A result as wasmtime prints it.
fn show_val(value: &Val) -> String {
    match value {
        Val::I32(v) => v.to_string(),
        Val::I64(v) => v.to_string(),
        Val::F32(bits) => f32::from_bits(*bits).to_string(),
        Val::F64(bits) => f64::from_bits(*bits).to_string(),
        Val::FuncRef(None) | Val::ExternRef(None) | Val::ExnRef(None) => "null".into(),
        Val::FuncRef(Some(_)) => "<funcref>".into(),
        Val::ExnRef(Some(_)) => "<exnref>".into(),
        Val::ExternRef(Some(n)) => format!("<externref {n}>"),
        // wasmtime prints the 128 bits as one unsigned decimal integer.
        Val::V128(bits) => bits.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v128_arguments_and_results_are_unsigned_128_bit_integers() {
        assert_eq!(parse_val(ValType::V128, "1").unwrap(), Val::V128(1));
        assert_eq!(
            parse_val(ValType::V128, "0xffffffffffffffffffffffffffffffff").unwrap(),
            Val::V128(u128::MAX)
        );
        assert!(parse_val(ValType::V128, "-1").is_err());
        assert_eq!(show_val(&Val::V128(u128::MAX)), u128::MAX.to_string());
    }

    #[test]
    fn integers_parse_in_signed_and_unsigned_ranges() {
        assert_eq!(parse_val(ValType::I32, "-1").unwrap(), Val::I32(-1));
        assert_eq!(parse_val(ValType::I32, "0xffffffff").unwrap(), Val::I32(-1));
        assert_eq!(parse_val(ValType::I32, "4294967295").unwrap(), Val::I32(-1));
        assert_eq!(parse_val(ValType::I32, "-0x10").unwrap(), Val::I32(-16));
        assert!(parse_val(ValType::I32, "4294967296").is_err());
        assert!(parse_val(ValType::I32, "12abc").is_err());
        assert_eq!(
            parse_val(ValType::I64, "18446744073709551615").unwrap(),
            Val::I64(-1)
        );
        assert_eq!(
            parse_val(ValType::I64, "-9223372036854775808").unwrap(),
            Val::I64(i64::MIN)
        );
    }

    #[test]
    fn floats_parse_with_nan_and_inf() {
        assert_eq!(
            parse_val(ValType::F32, "1.5").unwrap(),
            Val::F32(1.5f32.to_bits())
        );
        assert_eq!(
            parse_val(ValType::F64, "-inf").unwrap(),
            Val::F64(f64::NEG_INFINITY.to_bits())
        );
        let Val::F32(bits) = parse_val(ValType::F32, "nan").unwrap() else {
            panic!("not f32")
        };
        assert!(f32::from_bits(bits).is_nan());
        assert!(parse_val(ValType::F64, "one").is_err());
    }

    #[test]
    fn dir_and_env_specs() {
        assert_eq!(
            parse_dir("/tmp::/").unwrap(),
            (PathBuf::from("/tmp"), "/".to_string())
        );
        assert_eq!(
            parse_dir("data").unwrap(),
            (PathBuf::from("data"), "data".to_string())
        );
        assert!(parse_dir("::/").is_err());
        assert_eq!(
            parse_env("A=b=c").unwrap(),
            ("A".to_string(), "b=c".to_string())
        );
        assert!(parse_env("=x").is_err());
    }

    #[test]
    fn flags_before_the_module_args_after() {
        let cli = Cli::try_parse_from([
            "wrun",
            "--invoke",
            "f",
            "--dir",
            ".::/",
            "m.wasm",
            "--not-ours",
            "2",
        ])
        .unwrap();
        assert!(cli.command.is_none());
        assert_eq!(cli.run.invoke.as_deref(), Some("f"));
        assert_eq!(cli.run.module, Some(PathBuf::from("m.wasm")));
        assert_eq!(cli.run.args, ["--not-ours", "2"]);
        let wast = Cli::try_parse_from(["wrun", "wast", "--tier", "interp", "a.wast"]).unwrap();
        assert!(matches!(wast.command, Some(Command::Wast { .. })));
        assert!(Cli::try_parse_from(["wrun"]).is_err());
    }

    #[test]
    fn results_print_like_wasmtime() {
        assert_eq!(show_val(&Val::I32(-7)), "-7");
        assert_eq!(show_val(&Val::F32(2.5f32.to_bits())), "2.5");
        assert_eq!(show_val(&Val::F64(f64::NAN.to_bits())), "NaN");
    }
}
