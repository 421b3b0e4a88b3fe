//! Finds and explains the first disagreement between two tiers' event lists.

use crate::execute::{Event, State, Value};

/// The first point where two runs disagree.
pub struct Difference {
    /// Human-readable: which step, what each tier saw.
    pub description: String,
    /// Every differing value is a NaN on both sides (same type, different bits). Still a
    /// difference (wrun's tiers must agree bit for bit), but worth telling apart.
    pub nan_payload_only: bool,
}

/// Problems a single run has whatever the other tier did: a panic, or rejecting the (valid)
/// module.
pub fn own_problem(events: &[Event], name: &str) -> Option<String> {
    events.iter().find_map(|e| match e {
        Event::Panic(m) => Some(format!("{name} panicked: {m}")),
        Event::Load(Err(m)) => Some(format!("{name} rejected a valid module: {m}")),
        _ => None,
    })
}

/// Compares two runs; `None` if they agree on every step.
pub fn first_difference(a: &[Event], b: &[Event], names: (&str, &str)) -> Option<Difference> {
    for step in 0..a.len().max(b.len()) {
        let (x, y) = (a.get(step), b.get(step));
        if x == y {
            continue;
        }
        let plain = |what: String| Difference {
            description: format!("step {step}: {what}"),
            nan_payload_only: false,
        };
        let (na, nb) = names;
        return Some(match (x, y) {
            (Some(Event::Panic(m)), _) => plain(format!("{na} panicked: {m}")),
            (_, Some(Event::Panic(m))) => plain(format!("{nb} panicked: {m}")),
            (
                Some(Event::Call {
                    export: ea,
                    fresh_instance: fa,
                    args,
                    result: ra,
                    after: sa,
                }),
                Some(Event::Call {
                    export: eb,
                    fresh_instance: fb,
                    result: rb,
                    after: sb,
                    ..
                }),
            ) if ea == eb && fa == fb => {
                let instance = if *fa {
                    "a fresh instance"
                } else {
                    "the shared instance"
                };
                let call = format!("call of export {ea:?} on {instance} with {}", values(args));
                if ra != rb {
                    let nan_payload_only = match (ra, rb) {
                        (Ok(va), Ok(vb)) => nan_only(va, vb),
                        _ => false,
                    };
                    Difference {
                        description: format!(
                            "step {step}: {call}: {na} -> {}, {nb} -> {}",
                            result(ra),
                            result(rb)
                        ),
                        nan_payload_only,
                    }
                } else {
                    let (what, nan_payload_only) = state_difference(sa, sb, names);
                    Difference {
                        description: format!(
                            "step {step}: {call} (both -> {}): state differs afterwards: {what}",
                            result(ra)
                        ),
                        nan_payload_only,
                    }
                }
            }
            (Some(Event::FinalMemory(ma)), Some(Event::FinalMemory(mb))) => {
                plain(memory_difference(ma, mb, names))
            }
            (x, y) => plain(format!("{na}: {}; {nb}: {}", event(x), event(y))),
        });
    }
    None
}

fn event(e: Option<&Event>) -> String {
    match e {
        None => "(nothing: the run ended earlier)".to_string(),
        Some(Event::Load(r)) => format!("load {}", unit(r)),
        Some(Event::Instantiate(r)) => format!("instantiate {}", unit(r)),
        Some(Event::Call {
            export, result: r, ..
        }) => {
            format!("call {export:?} -> {}", result(r))
        }
        Some(Event::FinalMemory(m)) => format!("final memory of {} exports", m.len()),
        Some(Event::Panic(m)) => format!("panic: {m}"),
    }
}

fn unit(r: &Result<(), String>) -> String {
    match r {
        Ok(()) => "ok".to_string(),
        Err(e) => format!("failed: {e}"),
    }
}

pub fn value(v: &Value) -> String {
    match v {
        Value::I32(x) => format!("i32:{x}"),
        Value::I64(x) => format!("i64:{x}"),
        Value::F32(bits) => format!("f32:{:#010x}({})", bits, f32::from_bits(*bits)),
        Value::F64(bits) => format!("f64:{:#018x}({})", bits, f64::from_bits(*bits)),
        Value::FuncRef(None) | Value::ExternRef(None) => "null".to_string(),
        Value::FuncRef(Some(id)) => format!("funcref:{id:?}"),
        Value::ExternRef(Some(x)) => format!("externref:{x}"),
        Value::V128(bits) => format!("v128:{bits:#034x}"),
        Value::ExnRef(false) => "null exnref".to_string(),
        Value::ExnRef(true) => "exnref".to_string(),
    }
}

fn values(vs: &[Value]) -> String {
    format!("[{}]", vs.iter().map(value).collect::<Vec<_>>().join(", "))
}

fn result(r: &Result<Vec<Value>, String>) -> String {
    match r {
        Ok(vs) => values(vs),
        Err(trap) => trap.clone(),
    }
}

fn is_nan_pair(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::F32(x), Value::F32(y)) => {
            f32::from_bits(*x).is_nan() && f32::from_bits(*y).is_nan()
        }
        (Value::F64(x), Value::F64(y)) => {
            f64::from_bits(*x).is_nan() && f64::from_bits(*y).is_nan()
        }
        _ => false,
    }
}

fn nan_only(a: &[Value], b: &[Value]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x == y || is_nan_pair(x, y))
}

fn state_difference(a: &State, b: &State, (na, nb): (&str, &str)) -> (String, bool) {
    let mut parts = Vec::new();
    let mut nan_payload_only = true;
    for (x, y) in a.globals.iter().zip(&b.globals) {
        if x != y {
            nan_payload_only &= is_nan_pair(&x.1, &y.1);
            parts.push(format!(
                "global {:?}: {na} {}, {nb} {}",
                x.0,
                value(&x.1),
                value(&y.1)
            ));
        }
    }
    for (x, y) in a.memories.iter().zip(&b.memories) {
        if x != y {
            nan_payload_only = false;
            parts.push(format!(
                "memory {:?}: {na} {} bytes hash {:#x}, {nb} {} bytes hash {:#x}",
                x.0, x.1, x.2, y.1, y.2
            ));
        }
    }
    for (x, y) in a.tables.iter().zip(&b.tables) {
        if x != y {
            nan_payload_only = false;
            let first = x.1.iter().zip(&y.1).position(|(p, q)| p != q);
            parts.push(format!(
                "table {:?}: {na} size {}, {nb} size {}{}",
                x.0,
                x.1.len(),
                y.1.len(),
                first.map_or(String::new(), |i| format!(
                    ", element {i}: {na} {}, {nb} {}",
                    value(&x.1[i]),
                    value(&y.1[i])
                ))
            ));
        }
    }
    if a.fuel != b.fuel {
        nan_payload_only = false;
        parts.push(format!("fuel left: {na} {:?}, {nb} {:?}", a.fuel, b.fuel));
    }
    if a.globals.len() != b.globals.len()
        || a.memories.len() != b.memories.len()
        || a.tables.len() != b.tables.len()
    {
        nan_payload_only = false;
        parts.push("different numbers of exported globals, memories or tables".to_string());
    }
    (parts.join("; "), nan_payload_only && !parts.is_empty())
}

fn memory_difference(
    a: &[(String, Vec<u8>)],
    b: &[(String, Vec<u8>)],
    (na, nb): (&str, &str),
) -> String {
    let mut parts = Vec::new();
    for (x, y) in a.iter().zip(b) {
        if x.1.len() != y.1.len() {
            parts.push(format!(
                "memory {:?}: {na} {} bytes, {nb} {} bytes",
                x.0,
                x.1.len(),
                y.1.len()
            ));
            continue;
        }
        let differing: Vec<usize> = (0..x.1.len()).filter(|&i| x.1[i] != y.1[i]).collect();
        if let Some(&first) = differing.first() {
            let window = first..(first + 8).min(x.1.len());
            parts.push(format!(
                "memory {:?}: {} bytes differ, first at {first:#x}: {na} {:02x?}, {nb} {:02x?}",
                x.0,
                differing.len(),
                &x.1[window.clone()],
                &y.1[window]
            ));
        }
    }
    if a.len() != b.len() {
        parts.push("different numbers of exported memories".to_string());
    }
    format!("final memory differs: {}", parts.join("; "))
}
