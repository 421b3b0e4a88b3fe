//! Instance data owned by the store (CONTRACT: the fields marked "tiers" are read by the tiers).

use std::any::Any;
use std::sync::Arc;

use super::vmctx::VmCtx;
use crate::module::ModuleInfo;

/// One instantiated module. Lives in a `Box` owned by the store (stable address, pointed to by
/// `VmCtx::instance`).
pub struct InstanceData {
    /// tiers: the module's description (bodies, types, names).
    pub module: Arc<ModuleInfo>,
    /// tiers: the per-module code cache of the tiers (the interpreter's translated functions,
    /// later compiled code), shared by every instance of the same `Module`. Created by the
    /// layer above the runtime; the runtime only carries it.
    pub tier_code: Arc<dyn Any + Send + Sync>,
    /// tiers: this instance's context; `vmctx.instance` points back to this struct.
    pub vmctx: Box<VmCtx>,
}
