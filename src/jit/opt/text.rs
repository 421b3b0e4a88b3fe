//! The text form of the IR, for filetests and debugging: [`print`] writes it, [`parse`] reads
//! it back. The printer numbers blocks and values in layout order (so the text of a function
//! does not depend on the arena indices a pass left holes in), and `parse(print(f))` prints
//! the same text again.
//!
//! ```text
//! function f0(i32, i32) -> (i32) {
//! block0(v0: i32, v1: i32):
//!     v2: i32 = i32.add v0, v1
//!     v3: i32 = i32.load [m0+16] v2
//!     i32.store [m0+0] v2, v3
//!     br_if v2, block1(v3), block2
//! block1(v4: i32):
//!     return v4
//! block2:
//!     unreachable
//! }
//! ```
//!
//! Immediates are in brackets: `[n]` (a constant: decimal for integers, the bit pattern in
//! hex for floats), `[mM+offset]` (memory access), `[i]` and `[i, j]` (indices). Lines
//! starting with `;` are comments.

use std::collections::HashMap;
use std::fmt::Write;

use super::ir::{Block, Function, Imm, Inst, Target, Terminator, Value};
use super::ops::{ImmKind, Opcode};
use crate::module::ValType;

/// The text of `func`.
pub fn print(func: &Function) -> String {
    let mut blocks = HashMap::new();
    let mut values = HashMap::new();
    for (n, &block) in func.layout.iter().enumerate() {
        blocks.insert(block, n);
        let data = func.block(block);
        for &v in &data.params {
            let n = values.len();
            values.insert(v, n);
        }
        for &inst in &data.insts {
            for &v in &func.inst(inst).results {
                let n = values.len();
                values.insert(v, n);
            }
        }
    }
    let value = |v: Value| match values.get(&v) {
        Some(n) => format!("v{n}"),
        None => format!("v?{}", v.0),
    };
    let block_name = |b: Block| match blocks.get(&b) {
        Some(n) => format!("block{n}"),
        None => format!("block?{}", b.0),
    };
    let list = |vs: &[Value]| vs.iter().map(|&v| value(v)).collect::<Vec<_>>().join(", ");
    let target = |t: &Target| {
        if t.args.is_empty() {
            block_name(t.block)
        } else {
            format!("{}({})", block_name(t.block), list(&t.args))
        }
    };
    let types = |ts: &[ValType]| ts.iter().map(|t| t.to_string()).collect::<Vec<_>>();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "function {}({}) -> ({}) {{",
        func.name,
        types(&func.params).join(", "),
        types(&func.results).join(", ")
    );
    for &block in &func.layout {
        let data = func.block(block);
        let typed = |v: &Value| format!("{}: {}", value(*v), func.ty(*v));
        if data.params.is_empty() {
            let _ = writeln!(out, "{}:", block_name(block));
        } else {
            let params: Vec<_> = data.params.iter().map(typed).collect();
            let _ = writeln!(out, "{}({}):", block_name(block), params.join(", "));
        }
        for &inst in &data.insts {
            let _ = writeln!(out, "    {}", print_inst(func, inst, &value));
        }
        let term = match &data.term {
            None => "<no terminator>".to_string(),
            Some(Terminator::Jump(t)) => format!("jump {}", target(t)),
            Some(Terminator::BrIf { cond, then, els }) => {
                format!("br_if {}, {}, {}", value(*cond), target(then), target(els))
            }
            Some(Terminator::BrTable {
                index,
                targets,
                default,
            }) => {
                let ts: Vec<_> = targets.iter().map(target).collect();
                format!(
                    "br_table {}, [{}], {}",
                    value(*index),
                    ts.join(", "),
                    target(default)
                )
            }
            Some(Terminator::Return(vs)) if vs.is_empty() => "return".to_string(),
            Some(Terminator::Return(vs)) => format!("return {}", list(vs)),
            Some(Terminator::Unreachable) => "unreachable".to_string(),
        };
        let _ = writeln!(out, "    {term}");
    }
    out.push_str("}\n");
    out
}

fn print_inst(func: &Function, inst: Inst, value: &dyn Fn(Value) -> String) -> String {
    let data = func.inst(inst);
    let mut s = String::new();
    if !data.results.is_empty() {
        let rs: Vec<_> = data
            .results
            .iter()
            .map(|&v| format!("{}: {}", value(v), func.ty(v)))
            .collect();
        let _ = write!(s, "{} = ", rs.join(", "));
    }
    s.push_str(data.op.name());
    match data.imm {
        Imm::None => {}
        Imm::Int(bits) => match data.op {
            Opcode::F32Const => {
                let _ = write!(s, " [{:#010x}]", bits as u32);
            }
            Opcode::F64Const => {
                let _ = write!(s, " [{:#018x}]", bits as u64);
            }
            _ => {
                let _ = write!(s, " [{bits}]");
            }
        },
        Imm::Mem { memory, offset } => {
            let _ = write!(s, " [m{memory}+{offset}]");
        }
        Imm::Idx(i) => {
            let _ = write!(s, " [{i}]");
        }
        Imm::Idx2(i, j) => {
            let _ = write!(s, " [{i}, {j}]");
        }
    }
    if !data.args.is_empty() {
        let args: Vec<_> = data.args.iter().map(|&v| value(v)).collect();
        let _ = write!(s, " {}", args.join(", "));
    }
    s
}

/// The type named `name` in the text form.
pub fn parse_type(name: &str) -> Option<ValType> {
    Some(match name {
        "i32" => ValType::I32,
        "i64" => ValType::I64,
        "f32" => ValType::F32,
        "f64" => ValType::F64,
        "v128" => ValType::V128,
        "funcref" => ValType::FuncRef,
        "externref" => ValType::ExternRef,
        _ => return None,
    })
}

/// A token: a word (names, numbers, opcodes) or one punctuation character (`->` is one
/// token too).
fn lex(text: &str) -> Vec<(usize, String)> {
    let mut tokens = Vec::new();
    for (line_no, line) in text.lines().enumerate() {
        let line_no = line_no + 1;
        if line.trim_start().starts_with(';') {
            continue;
        }
        let mut chars = line.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            if c.is_whitespace() {
                continue;
            }
            if c == '-' && line[i..].starts_with("->") {
                chars.next();
                tokens.push((line_no, "->".to_string()));
            } else if "(),:=[]{}".contains(c) {
                tokens.push((line_no, c.to_string()));
            } else {
                let mut end = i + c.len_utf8();
                while let Some(&(j, d)) = chars.peek() {
                    if d.is_whitespace() || "(),:=[]{}".contains(d) {
                        break;
                    }
                    end = j + d.len_utf8();
                    chars.next();
                }
                tokens.push((line_no, line[i..end].to_string()));
            }
        }
    }
    tokens
}

struct Parser {
    tokens: Vec<(usize, String)>,
    pos: usize,
}

/// A parsed instruction before names are resolved.
struct InstAst {
    results: Vec<(String, ValType)>,
    op: Opcode,
    imm: Imm,
    args: Vec<String>,
}

type TargetAst = (String, Vec<String>);

enum TermAst {
    Jump(TargetAst),
    BrIf(String, TargetAst, TargetAst),
    BrTable(String, Vec<TargetAst>, TargetAst),
    Return(Vec<String>),
    Unreachable,
}

struct BlockAst {
    name: String,
    params: Vec<(String, ValType)>,
    insts: Vec<InstAst>,
    term: TermAst,
}

impl Parser {
    fn err<T>(&self, msg: impl std::fmt::Display) -> Result<T, String> {
        let line = self
            .tokens
            .get(self.pos)
            .or(self.tokens.last())
            .map_or(0, |t| t.0);
        Err(format!("line {line}: {msg}"))
    }

    fn peek(&self) -> Option<&str> {
        self.tokens.get(self.pos).map(|t| t.1.as_str())
    }

    fn peek_at(&self, n: usize) -> Option<&str> {
        self.tokens.get(self.pos + n).map(|t| t.1.as_str())
    }

    fn next(&mut self) -> Result<String, String> {
        match self.tokens.get(self.pos) {
            Some(t) => {
                self.pos += 1;
                Ok(t.1.clone())
            }
            None => self.err("unexpected end of text"),
        }
    }

    fn expect(&mut self, what: &str) -> Result<(), String> {
        let t = self.next()?;
        if t == what {
            Ok(())
        } else {
            self.pos -= 1;
            self.err(format!("expected `{what}`, found `{t}`"))
        }
    }

    fn eat(&mut self, what: &str) -> bool {
        if self.peek() == Some(what) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn ty(&mut self) -> Result<ValType, String> {
        let t = self.next()?;
        match parse_type(&t) {
            Some(ty) => Ok(ty),
            None => {
                self.pos -= 1;
                self.err(format!("unknown type `{t}`"))
            }
        }
    }

    /// `( a, b, ... )` of items read by `item`; the opening parenthesis already read.
    fn list<T>(
        &mut self,
        close: &str,
        mut item: impl FnMut(&mut Self) -> Result<T, String>,
    ) -> Result<Vec<T>, String> {
        let mut items = Vec::new();
        if self.eat(close) {
            return Ok(items);
        }
        loop {
            items.push(item(self)?);
            if self.eat(close) {
                return Ok(items);
            }
            self.expect(",")?;
        }
    }

    fn value_name(&mut self) -> Result<String, String> {
        let t = self.next()?;
        if t.starts_with('v') {
            Ok(t)
        } else {
            self.pos -= 1;
            self.err(format!("expected a value, found `{t}`"))
        }
    }

    fn target(&mut self) -> Result<TargetAst, String> {
        let name = self.next()?;
        if !name.starts_with("block") {
            self.pos -= 1;
            return self.err(format!("expected a block, found `{name}`"));
        }
        let args = if self.eat("(") {
            self.list(")", Self::value_name)?
        } else {
            Vec::new()
        };
        Ok((name, args))
    }

    fn number(&mut self) -> Result<i64, String> {
        let t = self.next()?;
        parse_int(&t).map_or_else(|| self.err(format!("bad number `{t}`")), Ok)
    }

    fn imm(&mut self, kind: ImmKind) -> Result<Imm, String> {
        if kind == ImmKind::None {
            return Ok(Imm::None);
        }
        self.expect("[")?;
        let imm = match kind {
            ImmKind::None => Imm::None,
            ImmKind::Int => Imm::Int(self.number()?),
            ImmKind::Mem => {
                let t = self.next()?;
                let parsed = t.strip_prefix('m').and_then(|rest| {
                    let (m, o) = rest.split_once('+')?;
                    Some(Imm::Mem {
                        memory: m.parse().ok()?,
                        offset: o.parse().ok()?,
                    })
                });
                match parsed {
                    Some(imm) => imm,
                    None => return self.err(format!("bad memory immediate `{t}`")),
                }
            }
            ImmKind::Idx => Imm::Idx(self.number()? as u32),
            ImmKind::Idx2 => {
                let i = self.number()? as u32;
                self.expect(",")?;
                Imm::Idx2(i, self.number()? as u32)
            }
        };
        self.expect("]")?;
        Ok(imm)
    }

    fn inst(&mut self) -> Result<InstAst, String> {
        let mut results = Vec::new();
        if self.peek_at(1) == Some(":") {
            loop {
                let name = self.value_name()?;
                self.expect(":")?;
                results.push((name, self.ty()?));
                if self.eat("=") {
                    break;
                }
                self.expect(",")?;
            }
        }
        let name = self.next()?;
        let Some(op) = Opcode::from_name(&name) else {
            self.pos -= 1;
            return self.err(format!("unknown opcode `{name}`"));
        };
        let imm = self.imm(op.imm_kind())?;
        let mut args = Vec::new();
        if self.peek().is_some_and(|t| t.starts_with('v')) && self.peek_at(1) != Some(":") {
            args.push(self.value_name()?);
            while self.eat(",") {
                args.push(self.value_name()?);
            }
        }
        Ok(InstAst {
            results,
            op,
            imm,
            args,
        })
    }

    fn term(&mut self) -> Result<Option<TermAst>, String> {
        Ok(Some(match self.peek() {
            Some("jump") => {
                self.pos += 1;
                TermAst::Jump(self.target()?)
            }
            Some("br_if") => {
                self.pos += 1;
                let cond = self.value_name()?;
                self.expect(",")?;
                let then = self.target()?;
                self.expect(",")?;
                TermAst::BrIf(cond, then, self.target()?)
            }
            Some("br_table") => {
                self.pos += 1;
                let index = self.value_name()?;
                self.expect(",")?;
                self.expect("[")?;
                let targets = self.list("]", Self::target)?;
                self.expect(",")?;
                TermAst::BrTable(index, targets, self.target()?)
            }
            Some("return") => {
                self.pos += 1;
                let mut values = Vec::new();
                if self.peek().is_some_and(|t| t.starts_with('v')) {
                    values.push(self.value_name()?);
                    while self.eat(",") {
                        values.push(self.value_name()?);
                    }
                }
                TermAst::Return(values)
            }
            Some("unreachable") => {
                self.pos += 1;
                TermAst::Unreachable
            }
            _ => return Ok(None),
        }))
    }

    fn block(&mut self) -> Result<BlockAst, String> {
        let name = self.next()?;
        if !name.starts_with("block") {
            self.pos -= 1;
            return self.err(format!("expected a block, found `{name}`"));
        }
        let params = if self.eat("(") {
            self.list(")", |p| {
                let name = p.value_name()?;
                p.expect(":")?;
                Ok((name, p.ty()?))
            })?
        } else {
            Vec::new()
        };
        self.expect(":")?;
        let mut insts = Vec::new();
        loop {
            if let Some(term) = self.term()? {
                return Ok(BlockAst {
                    name,
                    params,
                    insts,
                    term,
                });
            }
            insts.push(self.inst()?);
        }
    }

    fn function(&mut self) -> Result<Function, String> {
        self.expect("function")?;
        let name = self.next()?;
        self.expect("(")?;
        let params = self.list(")", Self::ty)?;
        self.expect("->")?;
        self.expect("(")?;
        let results = self.list(")", Self::ty)?;
        self.expect("{")?;
        let mut asts = Vec::new();
        while !self.eat("}") {
            asts.push(self.block()?);
        }
        let mut func = Function::new(name, params, results);
        let mut blocks = HashMap::new();
        for ast in &asts {
            let block = func.add_block();
            if blocks.insert(ast.name.clone(), block).is_some() {
                return self.err(format!("block `{}` defined twice", ast.name));
            }
        }
        // Every definition first, so uses may come before definitions in the text.
        let mut values = HashMap::new();
        let mut define = |name: &str, value: Value| -> Result<(), String> {
            match values.insert(name.to_string(), value) {
                None => Ok(()),
                Some(_) => Err(format!("value `{name}` defined twice")),
            }
        };
        let mut made = Vec::new();
        for ast in &asts {
            let block = blocks[&ast.name];
            for (name, ty) in &ast.params {
                let v = func.add_param(block, *ty);
                define(name, v)?;
            }
            for inst in &ast.insts {
                let tys: Vec<_> = inst.results.iter().map(|r| r.1).collect();
                let id = func.append_inst(block, inst.op, inst.imm, Vec::new(), &tys);
                for ((name, _), &v) in inst.results.iter().zip(&func.inst(id).results) {
                    define(name, v)?;
                }
                made.push(id);
            }
        }
        let value = |name: &String| {
            values
                .get(name)
                .copied()
                .ok_or_else(|| format!("value `{name}` is not defined"))
        };
        let target = |(name, args): &TargetAst| -> Result<Target, String> {
            let block = *blocks
                .get(name)
                .ok_or_else(|| format!("block `{name}` is not defined"))?;
            Ok(Target::new(
                block,
                args.iter().map(value).collect::<Result<_, _>>()?,
            ))
        };
        let mut made = made.into_iter();
        for ast in &asts {
            for inst in &ast.insts {
                let id = made.next().expect("one instruction made per parsed one");
                func.insts[id.index()].args =
                    inst.args.iter().map(value).collect::<Result<_, _>>()?;
            }
            let term = match &ast.term {
                TermAst::Jump(t) => Terminator::Jump(target(t)?),
                TermAst::BrIf(c, t, e) => Terminator::BrIf {
                    cond: value(c)?,
                    then: target(t)?,
                    els: target(e)?,
                },
                TermAst::BrTable(i, ts, d) => Terminator::BrTable {
                    index: value(i)?,
                    targets: ts.iter().map(target).collect::<Result<_, _>>()?,
                    default: target(d)?,
                },
                TermAst::Return(vs) => {
                    Terminator::Return(vs.iter().map(value).collect::<Result<_, _>>()?)
                }
                TermAst::Unreachable => Terminator::Unreachable,
            };
            func.blocks[blocks[&ast.name].index()].term = Some(term);
        }
        Ok(func)
    }
}

fn parse_int(t: &str) -> Option<i64> {
    let (neg, digits) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t),
    };
    let magnitude = match digits.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16).ok()?,
        None => digits.parse::<u64>().ok()?,
    };
    Some(if neg {
        (magnitude as i64).wrapping_neg()
    } else {
        magnitude as i64
    })
}

/// Every function in `text`.
pub fn parse(text: &str) -> Result<Vec<Function>, String> {
    let mut parser = Parser {
        tokens: lex(text),
        pos: 0,
    };
    let mut funcs = Vec::new();
    while parser.peek().is_some() {
        funcs.push(parser.function()?);
    }
    Ok(funcs)
}
