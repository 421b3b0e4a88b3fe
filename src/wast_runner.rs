//! The one `.wast` script runner, used by `wrun wast` and by `spec-tests`.
//!
//! Each script gets one [`Store`] and one [`Linker`] holding the `spectest` host module; every
//! directive runs in order against them. With [`Tier::Aot`] every module is
//! compiled to a sidecar file in the temporary directory and loaded back from it through the
//! same mapping and checks as `wrun app.wasm` (the file is deleted once mapped).
//!
//! Counting: every directive that runs (module, register, invoke and each assertion) counts once
//! as passed or failed. Directives wrun cannot run (threads, components, custom section
//! assertions) count as skipped, each listed with its reason; so does a module the validator
//! rejects for a proposal wrun does not implement (the message names the feature: GC `rec`
//! groups, typed function references), with the directives that use it (invokes, a
//! registration, modules importing from that registration).
//!
//! Matching rules:
//! - Trap messages (`assert_trap`, `assert_exhaustion`) and link errors (`assert_unlinkable`)
//!   match when the actual message contains the expected text, or when the expected text starts
//!   with the (non-empty) actual message, as the reference interpreter's followers do.
//! - `assert_invalid` / `assert_malformed`: any text, decode or validation error passes; the
//!   expected text only appears in the failure line when the module is accepted. A `quote`
//!   module that fails to parse as text counts as malformed.
//! - `assert_return` floats: `nan:canonical` needs a quiet NaN with an empty payload (either
//!   sign), `nan:arithmetic` any NaN with the quiet bit set; any other value compares bits.
//!   `ref.func` matches any non-null funcref; `ref.extern` without a value any non-null externref.
//!   A v128 pattern matches lane by lane in its shape, each float lane by the float rules (so
//!   `f32x4` lanes may be NaN patterns); `either` matches when one alternative does.
//!
//! A panic in the engine fails the directive that caused it (`file:line:col: kind: engine
//! panicked: ...`) and the script goes on; the default panic hook stays quiet meanwhile.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::fmt::Write as _;
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;
use std::sync::atomic::{AtomicUsize, Ordering};

use wast::core::{AbstractHeapType, HeapType, NanPattern, V128Pattern, WastArgCore, WastRetCore};
use wast::lexer::Lexer;
use wast::parser::{self, ParseBuffer};
use wast::token::Id;
use wast::{QuoteWat, Wast, WastArg, WastDirective, WastExecute, WastInvoke, WastRet, Wat};

use crate::runtime::simd::V128;
use crate::{
    Config, Engine, Error, Extern, Func, FuncType, Global, GlobalType, Instance, Limits, Linker,
    Memory, MemoryType, Module, SidecarFile, SidecarStatus, Store, Table, TableType, Tier, Trap,
    TrapCode, Val, ValType,
};

/// The runner thread's stack: generous, so deep text nesting or a deep host recursion in the
/// engine is a reported failure rather than a native stack overflow.
const RUNNER_STACK_BYTES: usize = 256 << 20;

/// Outcome of running one script.
#[derive(Debug, Default, Clone)]
pub struct WastReport {
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
    /// One line per failure: `file:line:col: <directive>: expected X, got Y`.
    pub failures: Vec<String>,
    /// One line per skip: `file:line:col: <directive>: skipped: reason`.
    pub skips: Vec<String>,
    /// With a code cache: functions that started compiled from it, over the script's modules.
    pub from_cache: usize,
}

impl WastReport {
    /// Adds another report's counts and lines to this one.
    pub fn merge(&mut self, other: WastReport) {
        self.passed += other.passed;
        self.failed += other.failed;
        self.skipped += other.skipped;
        self.failures.extend(other.failures);
        self.skips.extend(other.skips);
        self.from_cache += other.from_cache;
    }

    /// `N passed, M failed` plus `, K skipped` when anything was skipped.
    pub fn summary(&self) -> String {
        let mut line = format!("{} passed, {} failed", self.passed, self.failed);
        if self.skipped > 0 {
            let _ = write!(line, ", {} skipped", self.skipped);
        }
        line
    }
}

/// Runs the script `source`; `path` is used in messages only.
///
/// The script runs on a thread of its own with a large stack; the report is returned when it
/// finishes. With a code cache ([`Config::code_cache`]) it runs twice: the first run fills
/// the cache (each module's hot code is written when the script ends), the second starts
/// from it; the report is the second run's, plus the first run's failures.
pub fn run_wast(path: &str, source: &str, config: &Config) -> WastReport {
    if config.code_cache.is_none() {
        return run_wast_once(path, source, config);
    }
    let learning = run_wast_once(path, source, config);
    let mut report = run_wast_once(path, source, config);
    report.failed += learning.failed;
    report.failures.extend(learning.failures);
    report
}

fn run_wast_once(path: &str, source: &str, config: &Config) -> WastReport {
    install_panic_hook();
    let spawned = std::thread::scope(|scope| {
        let handle = std::thread::Builder::new()
            .name(format!("wast {path}"))
            .stack_size(RUNNER_STACK_BYTES.max(config.native_stack_bytes()))
            .spawn_scoped(scope, || run_script(path, source, config));
        match handle {
            Ok(handle) => Some(handle.join()),
            Err(_) => None,
        }
    });
    match spawned {
        Some(Ok(report)) => report,
        // The runner itself catches engine panics per directive; this is a runner bug.
        Some(Err(payload)) => {
            let mut report = WastReport::default();
            report.fail(format!(
                "{path}: wast runner panicked: {}",
                payload_message(&*payload)
            ));
            report
        }
        // No thread available: run here, with the caller's stack.
        None => run_script(path, source, config),
    }
}

impl WastReport {
    fn fail(&mut self, line: String) {
        self.failed += 1;
        self.failures.push(line);
    }

    fn skip(&mut self, line: String) {
        self.skipped += 1;
        self.skips.push(line);
    }
}

fn run_script(path: &str, source: &str, config: &Config) -> WastReport {
    let mut report = WastReport::default();
    let mut lexer = Lexer::new(source);
    // The spec suite has tests about confusable characters in names (names.wast).
    lexer.allow_confusing_unicode(true);
    let buffer = match ParseBuffer::new_with_lexer(lexer) {
        Ok(buffer) => buffer,
        Err(error) => return parse_failure(path, source, &error),
    };
    let wast = match parser::parse::<Wast<'_>>(&buffer) {
        Ok(wast) => wast,
        Err(error) => return parse_failure(path, source, &error),
    };

    let mut runner = match Runner::new(source, config) {
        Ok(runner) => runner,
        Err(message) => {
            report.fail(format!("{path}: spectest host module: {message}"));
            return report;
        }
    };
    for directive in wast.directives {
        let span = directive.span();
        let kind = directive_kind(&directive);
        let outcome = catch_engine_panic(|| runner.directive(directive))
            .unwrap_or_else(|panic| Outcome::Fail(format!("engine panicked: {panic}")));
        let (line, col) = span.linecol_in(source);
        let location = format!("{path}:{}:{}", line + 1, col + 1);
        match outcome {
            Outcome::Pass => report.passed += 1,
            Outcome::Fail(detail) => report.fail(format!("{location}: {kind}: {detail}")),
            Outcome::Skip(reason) => report.skip(format!("{location}: {kind}: skipped: {reason}")),
        }
    }
    for module in &runner.cached {
        if let Err(message) = module.update_code_cache() {
            report.fail(format!("{path}: code cache: {message}"));
        }
        report.from_cache += module.tier_stats().from_cache;
    }
    report
}

fn parse_failure(path: &str, source: &str, error: &wast::Error) -> WastReport {
    let (line, col) = error.span().linecol_in(source);
    let mut report = WastReport::default();
    report.fail(format!(
        "{path}:{}:{}: parse: {}",
        line + 1,
        col + 1,
        error.message()
    ));
    report
}

/// What became of one directive.
enum Outcome {
    Pass,
    Fail(String),
    Skip(String),
}

fn directive_kind(directive: &WastDirective<'_>) -> &'static str {
    match directive {
        WastDirective::Module(_) => "module",
        WastDirective::ModuleDefinition(_) => "module definition",
        WastDirective::ModuleInstance { .. } => "module instance",
        WastDirective::AssertMalformed { .. } => "assert_malformed",
        WastDirective::AssertInvalid { .. } => "assert_invalid",
        WastDirective::AssertInvalidCustom { .. } => "assert_invalid_custom",
        WastDirective::Register { .. } => "register",
        WastDirective::Invoke(_) => "invoke",
        WastDirective::AssertTrap { .. } => "assert_trap",
        WastDirective::AssertReturn { .. } => "assert_return",
        WastDirective::AssertExhaustion { .. } => "assert_exhaustion",
        WastDirective::AssertUnlinkable { .. } => "assert_unlinkable",
        WastDirective::AssertException { .. } => "assert_exception",
        WastDirective::AssertSuspension { .. } => "assert_suspension",
        WastDirective::Thread(_) => "thread",
        WastDirective::Wait { .. } => "wait",
        WastDirective::AssertMalformedCustom { .. } => "assert_malformed_custom",
    }
}

/// The result of executing an invoke, a get or a module for its side effects.
enum Executed {
    Values(Vec<Val>),
    Trap(Trap),
    /// Loading, linking or instantiating a module failed other than by a trap.
    Error(Error),
}

/// Why a module could not be turned into a [`Module`].
enum CompileError {
    /// The text did not parse or encode (a `quote` module's text, or a text-level error).
    Text(String),
    /// wrun rejected the binary.
    Module(Error),
    /// Something wrun does not support (components).
    Unsupported(String),
}

impl std::fmt::Display for CompileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CompileError::Text(message) => write!(f, "text error: {message}"),
            CompileError::Module(error) => write!(f, "{error}"),
            CompileError::Unsupported(message) => write!(f, "unsupported: {message}"),
        }
    }
}

struct Runner<'a> {
    source: &'a str,
    engine: Engine,
    store: Store,
    linker: Linker,
    /// The most recently instantiated module: the target of unnamed invokes.
    current: Option<Instance>,
    instances: HashMap<String, Instance>,
    /// `(module definition $name ...)` modules, for `(module instance ...)`.
    definitions: HashMap<String, Module>,
    last_definition: Option<Module>,
    /// The modules loaded with a code cache, to write their hot code at the end.
    cached: Vec<Module>,
    /// Why the current module is missing when it was skipped (it uses a proposal wrun does
    /// not implement): the directives that use it are skipped with this reason.
    current_skipped: Option<String>,
    /// The same for skipped modules by name, and for the names they would be registered as.
    skipped_named: HashMap<String, String>,
    skipped_registered: HashMap<String, String>,
}

/// Why `error` means "uses a proposal wrun does not implement" (the validator names the
/// missing feature): the module and what depends on it are skipped, not failed. Proposals
/// wrun implements never give these messages, so nothing wrun runs is hidden.
fn unsupported_proposal(error: &Error) -> Option<String> {
    let Error::Validation { message, .. } = error else {
        return None;
    };
    let markers = [
        "support is not enabled",
        "proposal to be enabled",
        "proposal must be enabled",
        "function references required",
    ];
    markers
        .iter()
        .any(|m| message.contains(m))
        .then(|| format!("uses a proposal wrun does not implement ({message})"))
}

impl<'a> Runner<'a> {
    fn new(source: &'a str, config: &Config) -> Result<Runner<'a>, String> {
        let engine = Engine::new(config.clone());
        let setup = catch_engine_panic(|| {
            let mut store = Store::new(&engine);
            if engine.config().consume_fuel {
                // A budget no script exhausts: the run shows the fuel code changes nothing.
                store.set_fuel(u64::MAX)?;
            }
            let mut linker = Linker::new();
            define_spectest(&mut store, &mut linker).map(|()| (store, linker))
        });
        let (store, linker) = match setup {
            Ok(Ok(both)) => both,
            Ok(Err(error)) => return Err(error.to_string()),
            Err(panic) => return Err(format!("engine panicked: {panic}")),
        };
        Ok(Runner {
            source,
            engine,
            store,
            linker,
            current: None,
            instances: HashMap::new(),
            definitions: HashMap::new(),
            last_definition: None,
            cached: Vec::new(),
            current_skipped: None,
            skipped_named: HashMap::new(),
            skipped_registered: HashMap::new(),
        })
    }

    fn directive(&mut self, directive: WastDirective<'_>) -> Outcome {
        match directive {
            WastDirective::Module(mut module) => {
                let name = module.name().map(|id| id.name().to_string());
                // Until this module exists, unnamed invokes must not reach the previous one.
                self.current = None;
                self.current_skipped = None;
                let compiled = match self.compile(&mut module) {
                    Ok(compiled) => compiled,
                    Err(CompileError::Unsupported(why)) => return Outcome::Skip(why),
                    Err(CompileError::Module(error)) if unsupported_proposal(&error).is_some() => {
                        let why = unsupported_proposal(&error).unwrap_or_default();
                        self.current_skipped = Some(why.clone());
                        if let Some(name) = name {
                            self.skipped_named.insert(name, why.clone());
                        }
                        return Outcome::Skip(why);
                    }
                    Err(error) => return Outcome::Fail(format!("module rejected: {error}")),
                };
                match self.linker.instantiate(&mut self.store, &compiled) {
                    Err(error) if self.skipped_import(&error).is_some() => {
                        let why = self.skipped_import(&error).unwrap_or_default();
                        self.current_skipped = Some(why.clone());
                        if let Some(name) = name {
                            self.skipped_named.insert(name, why.clone());
                        }
                        Outcome::Skip(why)
                    }
                    Ok(instance) => {
                        self.current = Some(instance);
                        if let Some(name) = name {
                            self.instances.insert(name, instance);
                        }
                        Outcome::Pass
                    }
                    Err(error) => Outcome::Fail(format!("instantiation failed: {error}")),
                }
            }
            WastDirective::ModuleDefinition(mut module) => {
                let name = module.name().map(|id| id.name().to_string());
                match self.compile(&mut module) {
                    Ok(compiled) => {
                        if let Some(name) = name {
                            self.definitions.insert(name, compiled.clone());
                        }
                        self.last_definition = Some(compiled);
                        Outcome::Pass
                    }
                    Err(CompileError::Unsupported(why)) => Outcome::Skip(why),
                    Err(error) => Outcome::Fail(format!("module rejected: {error}")),
                }
            }
            WastDirective::ModuleInstance {
                instance, module, ..
            } => {
                let definition = match module {
                    Some(id) => self.definitions.get(id.name()).cloned(),
                    None => self.last_definition.clone(),
                };
                let Some(definition) = definition else {
                    return Outcome::Fail(format!(
                        "no module definition {}",
                        id_text(module.as_ref())
                    ));
                };
                match self.linker.instantiate(&mut self.store, &definition) {
                    Ok(created) => {
                        self.current = Some(created);
                        if let Some(id) = instance {
                            self.instances.insert(id.name().to_string(), created);
                        }
                        Outcome::Pass
                    }
                    Err(error) => Outcome::Fail(format!("instantiation failed: {error}")),
                }
            }
            WastDirective::Register { name, module, .. } => match self.instance(module.as_ref()) {
                Ok(instance) => {
                    self.linker.define_instance(&self.store, name, instance);
                    Outcome::Pass
                }
                Err(Outcome::Skip(why)) => {
                    self.skipped_registered
                        .insert(name.to_string(), why.clone());
                    Outcome::Skip(why)
                }
                Err(outcome) => outcome,
            },
            WastDirective::Invoke(invoke) => match self.invoke(&invoke) {
                Ok(Executed::Values(_)) => Outcome::Pass,
                Ok(other) => {
                    Outcome::Fail(format!("expected success, got {}", show_executed(&other)))
                }
                Err(outcome) => outcome,
            },
            WastDirective::AssertReturn {
                mut exec, results, ..
            } => {
                let values = match self.execute(&mut exec) {
                    Ok(Executed::Values(values)) => values,
                    Ok(other) => {
                        return Outcome::Fail(format!(
                            "expected {}, got {}",
                            show_expected_list(&results),
                            show_executed(&other)
                        ));
                    }
                    Err(outcome) => return outcome,
                };
                check_results(&values, &results)
            }
            WastDirective::AssertTrap {
                mut exec, message, ..
            } => match self.execute(&mut exec) {
                Ok(Executed::Trap(trap)) => expect_message("trap", message, &trap.message()),
                Ok(other) => Outcome::Fail(format!(
                    "expected trap {message:?}, got {}",
                    show_executed(&other)
                )),
                Err(outcome) => outcome,
            },
            WastDirective::AssertExhaustion { call, message, .. } => match self.invoke(&call) {
                Ok(Executed::Trap(trap)) => expect_message("trap", message, &trap.message()),
                Ok(other) => Outcome::Fail(format!(
                    "expected exhaustion {message:?}, got {}",
                    show_executed(&other)
                )),
                Err(outcome) => outcome,
            },
            WastDirective::AssertInvalid {
                mut module,
                message,
                ..
            } => self.expect_rejected(&mut module, "invalid", message),
            WastDirective::AssertMalformed {
                mut module,
                message,
                ..
            } => self.expect_rejected(&mut module, "malformed", message),
            WastDirective::AssertUnlinkable {
                module, message, ..
            } => {
                let mut module = module;
                let compiled = match self.compile_wat(&mut module) {
                    Ok(compiled) => compiled,
                    Err(CompileError::Unsupported(why)) => return Outcome::Skip(why),
                    Err(CompileError::Module(error)) if unsupported_proposal(&error).is_some() => {
                        return Outcome::Skip(unsupported_proposal(&error).unwrap_or_default());
                    }
                    Err(error) => {
                        return Outcome::Fail(format!(
                            "expected link error {message:?}, got module rejected: {error}"
                        ));
                    }
                };
                match self.linker.instantiate(&mut self.store, &compiled) {
                    Err(error) if self.skipped_import(&error).is_some() => {
                        Outcome::Skip(self.skipped_import(&error).unwrap_or_default())
                    }
                    Err(error @ Error::Link { .. }) => {
                        let text = error.to_string();
                        let actual = text.strip_prefix("link error: ").unwrap_or(&text);
                        expect_message("link error", message, actual)
                    }
                    Err(other) => Outcome::Fail(format!(
                        "expected link error {message:?}, got {}",
                        show_executed(&Executed::Error(other))
                    )),
                    Ok(_) => Outcome::Fail(format!(
                        "expected link error {message:?}, got a linked instance"
                    )),
                }
            }
            WastDirective::AssertInvalidCustom { .. }
            | WastDirective::AssertMalformedCustom { .. } => Outcome::Skip(
                "custom-section assertions (annotations proposal) not supported".into(),
            ),
            WastDirective::AssertException { mut exec, .. } => match self.execute(&mut exec) {
                Ok(Executed::Trap(trap)) if trap.code == TrapCode::UncaughtException => {
                    Outcome::Pass
                }
                Ok(other) => Outcome::Fail(format!(
                    "expected an uncaught exception, got {}",
                    show_executed(&other)
                )),
                Err(outcome) => outcome,
            },
            WastDirective::AssertSuspension { .. } => {
                Outcome::Skip("stack switching not supported".into())
            }
            WastDirective::Thread(_) | WastDirective::Wait { .. } => {
                Outcome::Skip("threads not supported".into())
            }
        }
    }

    /// Text, quoted text or binary module -> wrun [`Module`].
    fn compile(&mut self, module: &mut QuoteWat<'_>) -> Result<Module, CompileError> {
        if matches!(
            module,
            QuoteWat::QuoteComponent(..) | QuoteWat::Wat(Wat::Component(_))
        ) {
            return Err(CompileError::Unsupported(
                "component model not supported".into(),
            ));
        }
        let bytes = module.encode().map_err(|error| self.text_error(error))?;
        self.load(&bytes)
    }

    /// Like [`Runner::compile`] for a module that cannot be quoted (`assert_trap (module ..)`).
    fn compile_wat(&mut self, wat: &mut Wat<'_>) -> Result<Module, CompileError> {
        if matches!(wat, Wat::Component(_)) {
            return Err(CompileError::Unsupported(
                "component model not supported".into(),
            ));
        }
        let bytes = wat.encode().map_err(|error| self.text_error(error))?;
        self.load(&bytes)
    }

    /// Binary -> [`Module`]. With [`Tier::Aot`] the module goes through a sidecar file: compiled
    /// and written to a temporary file, then loaded back through the same mapping and checks as
    /// `wrun app.wasm` (the file is removed once mapped); a refused sidecar fails the module.
    fn load(&mut self, bytes: &[u8]) -> Result<Module, CompileError> {
        if self.engine.config().tier != Tier::Aot {
            let module = Module::new(&self.engine, bytes).map_err(CompileError::Module)?;
            if let Some(reason) = module.code_cache_refusal() {
                let reason = format!("code cache entry refused: {reason}");
                return Err(CompileError::Module(Error::Internal(reason)));
            }
            if module.uses_code_cache() {
                self.cached.push(module.clone());
            }
            return Ok(module);
        }
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let path = std::env::temp_dir().join(format!(
            "wrun-wast-{}-{}.{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed),
            crate::aot::EXTENSION
        ));
        let cpu = crate::jit::compile::CpuFeatures::detect();
        let consume_fuel = self.engine.config().consume_fuel;
        crate::aot::write_sidecar_metered(bytes, &path, cpu, consume_fuel, &mut |_, _| {})
            .map_err(CompileError::Module)?;
        let sidecar = SidecarFile {
            path: path.clone(),
            required: true,
        };
        let module = Module::with_sidecar(&self.engine, bytes, Some(&sidecar));
        let _ = std::fs::remove_file(&path);
        let module = module.map_err(CompileError::Module)?;
        match module.sidecar_status() {
            SidecarStatus::Used(_) => Ok(module),
            other => Err(CompileError::Module(Error::Sidecar {
                path,
                reason: other.describe(),
            })),
        }
    }

    fn text_error(&self, error: wast::Error) -> CompileError {
        // Spans of quoted text point into the quote, not into the script.
        let (line, col) = error.span().linecol_in(self.source);
        CompileError::Text(format!(
            "{} (near {}:{})",
            error.message(),
            line + 1,
            col + 1
        ))
    }

    /// `assert_invalid` / `assert_malformed`: any rejection passes.
    fn expect_rejected(&mut self, module: &mut QuoteWat<'_>, what: &str, message: &str) -> Outcome {
        match self.compile(module) {
            Err(CompileError::Unsupported(why)) => Outcome::Skip(why),
            Err(_) => Outcome::Pass,
            Ok(_) => Outcome::Fail(format!(
                "expected {what} module ({message:?}), but it was accepted"
            )),
        }
    }

    /// The instance `id` names (the current one for `None`); a skipped module's directives
    /// are skipped too.
    fn instance(&self, id: Option<&Id<'_>>) -> Result<Instance, Outcome> {
        match id {
            Some(id) => match self.instances.get(id.name()) {
                Some(instance) => Ok(*instance),
                None => Err(match self.skipped_named.get(id.name()) {
                    Some(why) => Outcome::Skip(format!("module ${} skipped: {why}", id.name())),
                    None => Outcome::Fail(format!("no module named ${}", id.name())),
                }),
            },
            None => self.current.ok_or_else(|| match &self.current_skipped {
                Some(why) => Outcome::Skip(format!("module skipped: {why}")),
                None => Outcome::Fail("no module instantiated yet".to_string()),
            }),
        }
    }

    /// Why a link error is an import from a registration that was skipped, if it is.
    fn skipped_import(&self, error: &Error) -> Option<String> {
        let Error::Link { module, .. } = error else {
            return None;
        };
        let why = self.skipped_registered.get(module)?;
        Some(format!("imports from {module:?}, which was skipped: {why}"))
    }

    fn execute(&mut self, exec: &mut WastExecute<'_>) -> Result<Executed, Outcome> {
        match exec {
            WastExecute::Invoke(invoke) => self.invoke(invoke),
            WastExecute::Wat(wat) => {
                let compiled = match self.compile_wat(wat) {
                    Ok(compiled) => compiled,
                    Err(CompileError::Unsupported(why)) => return Err(Outcome::Skip(why)),
                    Err(error) => return Err(Outcome::Fail(format!("module rejected: {error}"))),
                };
                Ok(match self.linker.instantiate(&mut self.store, &compiled) {
                    Ok(_) => Executed::Values(Vec::new()),
                    Err(Error::Trap(trap)) => Executed::Trap(trap),
                    Err(error) => Executed::Error(error),
                })
            }
            WastExecute::Get { module, global, .. } => {
                let instance = self.instance(module.as_ref())?;
                match instance.get_export(&self.store, global) {
                    Some(Extern::Global(g)) => Ok(Executed::Values(vec![g.get(&self.store)])),
                    Some(_) => Err(Outcome::Fail(format!("export {global:?} is not a global"))),
                    None => Err(Outcome::Fail(format!("no export named {global:?}"))),
                }
            }
        }
    }

    fn invoke(&mut self, invoke: &WastInvoke<'_>) -> Result<Executed, Outcome> {
        // Unsupported argument types skip the directive whatever else is wrong with it.
        let args = invoke
            .args
            .iter()
            .map(arg_value)
            .collect::<Result<Vec<_>, _>>()?;
        let instance = self.instance(invoke.module.as_ref())?;
        let name = invoke.name;
        let func = match instance.get_export(&self.store, name) {
            Some(Extern::Func(func)) => func,
            Some(_) => return Err(Outcome::Fail(format!("export {name:?} is not a function"))),
            None => return Err(Outcome::Fail(format!("no export named {name:?}"))),
        };
        Ok(match func.call(&mut self.store, &args) {
            Ok(values) => Executed::Values(values),
            Err(Error::Trap(trap)) => Executed::Trap(trap),
            Err(other) => Executed::Error(other),
        })
    }
}

fn id_text(id: Option<&Id<'_>>) -> String {
    id.map_or_else(|| "(unnamed)".to_string(), |id| format!("${}", id.name()))
}

/// The rule of the module docs: contains, or is a prefix of the expected text.
pub fn message_matches(actual: &str, expected: &str) -> bool {
    actual.contains(expected) || (!actual.is_empty() && expected.starts_with(actual))
}

fn expect_message(what: &str, expected: &str, actual: &str) -> Outcome {
    if message_matches(actual, expected) {
        Outcome::Pass
    } else {
        Outcome::Fail(format!(
            "expected {what} {expected:?}, got {what} {actual:?}"
        ))
    }
}

/// The `spectest` module the suite imports from.
fn define_spectest(store: &mut Store, linker: &mut Linker) -> Result<(), Error> {
    use ValType::{F32, F64, I32, I64};
    let prints: [(&str, &[ValType]); 7] = [
        ("print", &[]),
        ("print_i32", &[I32]),
        ("print_i64", &[I64]),
        ("print_f32", &[F32]),
        ("print_f64", &[F64]),
        ("print_i32_f32", &[I32, F32]),
        ("print_f64_f64", &[F64, F64]),
    ];
    for (name, params) in prints {
        // The suite only checks that these can be called; printing would flood the report.
        let func = Func::new(store, FuncType::new(params, []), |_, _| Ok(()));
        linker.define("spectest", name, Extern::Func(func));
    }
    let globals = [
        ("global_i32", I32, Val::I32(666)),
        ("global_i64", I64, Val::I64(666)),
        ("global_f32", F32, Val::F32(666.6f32.to_bits())),
        ("global_f64", F64, Val::F64(666.6f64.to_bits())),
    ];
    for (name, ty, value) in globals {
        let global = Global::new(store, GlobalType { ty, mutable: false }, value)?;
        linker.define("spectest", name, Extern::Global(global));
    }
    let table_type = TableType {
        elem: ValType::FuncRef,
        limits: Limits {
            min: 10,
            max: Some(20),
        },
    };
    let table = Table::new(store, table_type, Val::FuncRef(None))?;
    linker.define("spectest", "table", Extern::Table(table));
    let memory = Memory::new(
        store,
        MemoryType {
            limits: Limits {
                min: 1,
                max: Some(2),
            },
        },
    )?;
    linker.define("spectest", "memory", Extern::Memory(memory));
    Ok(())
}

fn arg_value(arg: &WastArg<'_>) -> Result<Val, Outcome> {
    let WastArg::Core(core) = arg else {
        return Err(Outcome::Skip("component-model values not supported".into()));
    };
    Ok(match core {
        WastArgCore::I32(v) => Val::I32(*v),
        WastArgCore::I64(v) => Val::I64(*v),
        WastArgCore::F32(v) => Val::F32(v.bits),
        WastArgCore::F64(v) => Val::F64(v.bits),
        WastArgCore::RefNull(heap) => match null_of(heap) {
            Some(val) => val,
            None => return Err(Outcome::Skip(format!("ref.null {heap:?} not supported"))),
        },
        WastArgCore::RefExtern(n) => Val::ExternRef(Some(*n)),
        WastArgCore::V128(v) => Val::V128(u128::from_le_bytes(v.to_le_bytes())),
        WastArgCore::RefHost(_) => return Err(Outcome::Skip("ref.host (GC) not supported".into())),
    })
}

/// The null value of an abstract heap type wrun has (func or extern families).
fn null_of(heap: &HeapType<'_>) -> Option<Val> {
    match heap {
        HeapType::Abstract {
            shared: false,
            ty: AbstractHeapType::Func | AbstractHeapType::NoFunc,
        } => Some(Val::FuncRef(None)),
        HeapType::Abstract {
            shared: false,
            ty: AbstractHeapType::Extern | AbstractHeapType::NoExtern,
        } => Some(Val::ExternRef(None)),
        HeapType::Abstract {
            shared: false,
            ty: AbstractHeapType::Exn | AbstractHeapType::NoExn,
        } => Some(Val::ExnRef(None)),
        _ => None,
    }
}

fn check_results(values: &[Val], expected: &[WastRet<'_>]) -> Outcome {
    let mut cores = Vec::with_capacity(expected.len());
    for ret in expected {
        match ret {
            WastRet::Core(core) => cores.push(core),
            #[allow(unreachable_patterns)]
            _ => return Outcome::Skip("component-model values not supported".into()),
        }
    }
    if let Some(reason) = cores.iter().find_map(|core| unsupported_ret(core)) {
        return Outcome::Skip(reason);
    }
    let matches = values.len() == cores.len()
        && values
            .iter()
            .zip(&cores)
            .all(|(value, core)| ret_matches(value, core));
    if matches {
        Outcome::Pass
    } else {
        Outcome::Fail(format!(
            "expected {}, got {}",
            show_expected_list(expected),
            show_values(values)
        ))
    }
}

/// Why an expected result can't be checked by wrun, if it can't.
fn unsupported_ret(ret: &WastRetCore<'_>) -> Option<String> {
    match ret {
        WastRetCore::I32(_)
        | WastRetCore::I64(_)
        | WastRetCore::F32(_)
        | WastRetCore::F64(_)
        | WastRetCore::RefExtern(_)
        | WastRetCore::RefFunc(_)
        | WastRetCore::RefNull(None)
        | WastRetCore::V128(_) => None,
        WastRetCore::RefNull(Some(heap)) => match null_of(heap) {
            Some(_) => None,
            None => Some(format!("ref.null {heap:?} not supported")),
        },
        WastRetCore::Either(alternatives) => alternatives.iter().find_map(unsupported_ret),
        _ => Some("GC reference results not supported".into()),
    }
}

fn ret_matches(value: &Val, expected: &WastRetCore<'_>) -> bool {
    match (expected, value) {
        (WastRetCore::I32(e), Val::I32(v)) => e == v,
        (WastRetCore::I64(e), Val::I64(v)) => e == v,
        (WastRetCore::F32(pattern), Val::F32(bits)) => f32_matches(pattern, *bits),
        (WastRetCore::F64(pattern), Val::F64(bits)) => f64_matches(pattern, *bits),
        (WastRetCore::V128(pattern), Val::V128(bits)) => v128_matches(pattern, *bits),
        (
            WastRetCore::RefNull(None),
            Val::FuncRef(None) | Val::ExternRef(None) | Val::ExnRef(None),
        ) => true,
        (WastRetCore::RefNull(Some(heap)), _) => null_of(heap).as_ref() == Some(value),
        (WastRetCore::RefExtern(None), Val::ExternRef(Some(_))) => true,
        (WastRetCore::RefExtern(Some(e)), Val::ExternRef(Some(v))) => e == v,
        (WastRetCore::RefFunc(_), Val::FuncRef(Some(_))) => true,
        (WastRetCore::Either(alternatives), _) => alternatives
            .iter()
            .any(|alternative| ret_matches(value, alternative)),
        _ => false,
    }
}

fn f32_matches(pattern: &NanPattern<wast::token::F32>, bits: u32) -> bool {
    match pattern {
        NanPattern::CanonicalNan => bits & 0x7fff_ffff == 0x7fc0_0000,
        NanPattern::ArithmeticNan => bits & 0x7fc0_0000 == 0x7fc0_0000,
        NanPattern::Value(e) => e.bits == bits,
    }
}

fn f64_matches(pattern: &NanPattern<wast::token::F64>, bits: u64) -> bool {
    match pattern {
        NanPattern::CanonicalNan => bits & 0x7fff_ffff_ffff_ffff == 0x7ff8_0000_0000_0000,
        NanPattern::ArithmeticNan => bits & 0x7ff8_0000_0000_0000 == 0x7ff8_0000_0000_0000,
        NanPattern::Value(e) => e.bits == bits,
    }
}

/// A v128 result against its pattern, lane by lane (float lanes may be NaN patterns).
fn v128_matches(pattern: &V128Pattern, bits: u128) -> bool {
    let v = V128(bits);
    match pattern {
        V128Pattern::I8x16(e) => v.i8x16() == *e,
        V128Pattern::I16x8(e) => v.i16x8() == *e,
        V128Pattern::I32x4(e) => v.i32x4() == *e,
        V128Pattern::I64x2(e) => v.i64x2() == *e,
        V128Pattern::F32x4(e) => e.iter().zip(v.u32x4()).all(|(p, b)| f32_matches(p, b)),
        V128Pattern::F64x2(e) => e.iter().zip(v.u64x2()).all(|(p, b)| f64_matches(p, b)),
    }
}

fn show_v128(bits: u128) -> String {
    let lanes: Vec<String> = V128(bits)
        .u32x4()
        .iter()
        .map(|l| format!("{l:#010x}"))
        .collect();
    format!("v128.const i32x4 {}", lanes.join(" "))
}

fn show_f32(bits: u32) -> String {
    format!("f32.const {} ({bits:#010x})", f32::from_bits(bits))
}

fn show_f64(bits: u64) -> String {
    format!("f64.const {} ({bits:#018x})", f64::from_bits(bits))
}

fn show_value(value: &Val) -> String {
    match value {
        Val::I32(v) => format!("i32.const {v}"),
        Val::I64(v) => format!("i64.const {v}"),
        Val::F32(bits) => show_f32(*bits),
        Val::F64(bits) => show_f64(*bits),
        Val::FuncRef(None) => "ref.null func".into(),
        Val::FuncRef(Some(_)) => "ref.func".into(),
        Val::ExternRef(None) => "ref.null extern".into(),
        Val::ExternRef(Some(n)) => format!("ref.extern {n}"),
        Val::V128(bits) => show_v128(*bits),
        Val::ExnRef(None) => "ref.null exn".into(),
        Val::ExnRef(Some(_)) => "ref.exn".into(),
    }
}

fn show_values(values: &[Val]) -> String {
    let shown: Vec<String> = values.iter().map(show_value).collect();
    format!("[{}]", shown.join(", "))
}

fn show_expected(ret: &WastRetCore<'_>) -> String {
    fn nan_or<T>(pattern: &NanPattern<T>, ty: &str, show: impl Fn(&T) -> String) -> String {
        match pattern {
            NanPattern::CanonicalNan => format!("{ty}.const nan:canonical"),
            NanPattern::ArithmeticNan => format!("{ty}.const nan:arithmetic"),
            NanPattern::Value(v) => show(v),
        }
    }
    match ret {
        WastRetCore::I32(v) => format!("i32.const {v}"),
        WastRetCore::I64(v) => format!("i64.const {v}"),
        WastRetCore::F32(p) => nan_or(p, "f32", |v| show_f32(v.bits)),
        WastRetCore::F64(p) => nan_or(p, "f64", |v| show_f64(v.bits)),
        WastRetCore::RefNull(None) => "ref.null".into(),
        WastRetCore::RefNull(Some(heap)) => match null_of(heap) {
            Some(value) => show_value(&value),
            None => format!("ref.null {heap:?}"),
        },
        WastRetCore::RefExtern(None) => "ref.extern".into(),
        WastRetCore::RefExtern(Some(n)) => format!("ref.extern {n}"),
        WastRetCore::RefFunc(_) => "ref.func".into(),
        WastRetCore::V128(pattern) => {
            fn lanes<T>(ty: &str, lanes: &[T], show: impl Fn(&T) -> String) -> String {
                let shown: Vec<String> = lanes.iter().map(show).collect();
                format!("v128.const {ty} {}", shown.join(" "))
            }
            fn lane<T>(pattern: &NanPattern<T>, show: impl Fn(&T) -> String) -> String {
                match pattern {
                    NanPattern::CanonicalNan => "nan:canonical".into(),
                    NanPattern::ArithmeticNan => "nan:arithmetic".into(),
                    NanPattern::Value(v) => show(v),
                }
            }
            match pattern {
                V128Pattern::I8x16(l) => lanes("i8x16", l, |v| v.to_string()),
                V128Pattern::I16x8(l) => lanes("i16x8", l, |v| v.to_string()),
                V128Pattern::I32x4(l) => lanes("i32x4", l, |v| v.to_string()),
                V128Pattern::I64x2(l) => lanes("i64x2", l, |v| v.to_string()),
                V128Pattern::F32x4(l) => {
                    lanes("f32x4", l, |p| lane(p, |v| format!("{:#010x}", v.bits)))
                }
                V128Pattern::F64x2(l) => {
                    lanes("f64x2", l, |p| lane(p, |v| format!("{:#018x}", v.bits)))
                }
            }
        }
        WastRetCore::Either(alternatives) => {
            let shown: Vec<String> = alternatives.iter().map(show_expected).collect();
            format!("either({})", shown.join(" | "))
        }
        other => format!("{other:?}"),
    }
}

fn show_expected_list(expected: &[WastRet<'_>]) -> String {
    let shown: Vec<String> = expected
        .iter()
        .map(|ret| match ret {
            WastRet::Core(core) => show_expected(core),
            #[allow(unreachable_patterns)]
            other => format!("{other:?}"),
        })
        .collect();
    format!("[{}]", shown.join(", "))
}

fn show_executed(executed: &Executed) -> String {
    match executed {
        Executed::Values(values) => show_values(values),
        Executed::Trap(trap) => format!("trap {:?}", trap.message()),
        Executed::Error(error) => format!("error {:?}", error.to_string()),
    }
}

thread_local! {
    /// Set while this thread runs engine code under `catch_engine_panic`.
    static CATCHING_PANICS: Cell<bool> = const { Cell::new(false) };
    /// The message and location of the last panic caught on this thread.
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Replaces the panic hook once with one that records panics of threads inside
/// `catch_engine_panic` (instead of printing them) and defers to the previous hook otherwise.
fn install_panic_hook() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if CATCHING_PANICS.with(Cell::get) {
                let location = info
                    .location()
                    .map(|l| format!(" at {}:{}:{}", l.file(), l.line(), l.column()))
                    .unwrap_or_default();
                let message = format!("{}{location}", payload_message(info.payload()));
                LAST_PANIC.with(|last| *last.borrow_mut() = Some(message));
            } else {
                previous(info);
            }
        }));
    });
}

/// Runs `f`, turning a panic into `Err(message with location)`.
fn catch_engine_panic<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    install_panic_hook();
    let was_catching = CATCHING_PANICS.with(|c| c.replace(true));
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    CATCHING_PANICS.with(|c| c.set(was_catching));
    result.map_err(|payload| {
        LAST_PANIC
            .with(|last| last.borrow_mut().take())
            .unwrap_or_else(|| payload_message(&*payload))
    })
}

fn payload_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "(non-string panic payload)".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_rule() {
        assert!(message_matches(
            "out of bounds memory access",
            "out of bounds memory access"
        ));
        assert!(message_matches(
            "uninitialized element 7",
            "uninitialized element"
        ));
        assert!(message_matches("unreachable", "unreachable executed"));
        assert!(!message_matches("", "unreachable"));
        assert!(!message_matches(
            "integer overflow",
            "integer divide by zero"
        ));
    }

    #[test]
    fn nan_patterns() {
        let canonical = WastRetCore::F32(NanPattern::CanonicalNan);
        let arithmetic = WastRetCore::F32(NanPattern::ArithmeticNan);
        assert!(ret_matches(&Val::F32(0x7fc0_0000), &canonical));
        assert!(ret_matches(&Val::F32(0xffc0_0000), &canonical));
        assert!(!ret_matches(&Val::F32(0x7fc0_0001), &canonical));
        assert!(ret_matches(&Val::F32(0x7fc0_0001), &arithmetic));
        assert!(!ret_matches(&Val::F32(0x7f80_0001), &arithmetic));
        let canonical64 = WastRetCore::F64(NanPattern::CanonicalNan);
        assert!(ret_matches(&Val::F64(0xfff8_0000_0000_0000), &canonical64));
        assert!(!ret_matches(&Val::F64(0x7ff0_0000_0000_0001), &canonical64));
    }

    #[test]
    fn summary_line() {
        let mut report = WastReport {
            passed: 3,
            failed: 1,
            ..WastReport::default()
        };
        assert_eq!(report.summary(), "3 passed, 1 failed");
        report.skipped = 2;
        assert_eq!(report.summary(), "3 passed, 1 failed, 2 skipped");
    }

    #[test]
    fn engine_panics_become_messages_with_their_location() {
        let caught = catch_engine_panic(|| -> u32 { panic!("engine bug {}", 42) });
        let message = caught.expect_err("the panic is caught");
        assert!(message.starts_with("engine bug 42 at "), "{message}");
        assert!(message.contains("wast_runner.rs"), "{message}");
        assert_eq!(catch_engine_panic(|| 7), Ok(7));
    }

    #[test]
    fn parse_errors_are_failures() {
        let report = run_wast(
            "bad.wast",
            "(assert_return (invoke \"f\")",
            &Config::default(),
        );
        assert_eq!(report.failed, 1);
        assert!(
            report.failures[0].starts_with("bad.wast:"),
            "{:?}",
            report.failures
        );
    }
}
