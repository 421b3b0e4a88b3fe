//! Unit tests of the IR pieces (the filetests in `tests/opt` cover the passes end to end).

use super::cfg::Cfg;
use super::ir::Block;
use super::{passes, text, verify::verify};

const LOOP: &str = "
function f(i32) -> (i32) {
block0(v0: i32):
    v1: i32 = i32.const [0]
    jump block1(v1)
block1(v2: i32):
    v3: i32 = i32.lt_u v2, v0
    br_if v3, block2, block3
block2:
    v4: i32 = i32.const [1]
    v5: i32 = i32.add v2, v4
    jump block1(v5)
block3:
    return v2
}
";

fn parse_one(text: &str) -> super::ir::Function {
    let mut funcs = text::parse(text).expect("parses");
    assert_eq!(funcs.len(), 1);
    funcs.pop().expect("one function")
}

#[test]
fn text_round_trips() {
    let func = parse_one(LOOP);
    verify(&func).expect("valid");
    let printed = text::print(&func);
    assert_eq!(printed.trim(), LOOP.trim());
    assert_eq!(text::print(&parse_one(&printed)), printed);
}

#[test]
fn cfg_finds_dominators_and_loops() {
    let func = parse_one(LOOP);
    let cfg = Cfg::new(&func);
    assert_eq!(cfg.rpo.len(), 4);
    assert_eq!(cfg.idom[2], Some(Block(1)));
    assert_eq!(cfg.idom[3], Some(Block(1)));
    assert!(cfg.dominates(Block(0), Block(3)));
    assert!(!cfg.dominates(Block(2), Block(3)));
    assert_eq!(cfg.loop_header[2], Some(Block(1)));
    assert_eq!(cfg.loop_depth[1], 1);
    assert_eq!(cfg.loop_depth[3], 0);
}

#[test]
fn verifier_rejects_broken_ir() {
    let cases = [
        // A use not dominated by its definition.
        "function f(i32) -> (i32) {\nblock0(v0: i32):\n    br_if v0, block1, block2\nblock1:\n    v1: i32 = i32.const [1]\n    jump block2\nblock2:\n    return v1\n}",
        // Wrong argument count to a block.
        "function f(i32) -> (i32) {\nblock0(v0: i32):\n    jump block1\nblock1(v1: i32):\n    return v1\n}",
        // Type rule broken.
        "function f(i64) -> (i32) {\nblock0(v0: i64):\n    v1: i32 = i32.add v0, v0\n    return v1\n}",
        // Wrong return types.
        "function f(i32) -> (i64) {\nblock0(v0: i32):\n    return v0\n}",
    ];
    for case in cases {
        let func = parse_one(case);
        assert!(verify(&func).is_err(), "accepted:\n{case}");
    }
}

#[test]
fn parser_reports_errors_with_lines() {
    let err = text::parse("function f() -> () {\nblock0:\n    v1: i32 = i32.frob\n    return\n}")
        .expect_err("unknown opcode");
    assert!(err.starts_with("line 3:"), "{err}");
    assert!(text::parse("function f() -> () {\nblock0:\n    return v9\n}").is_err());
}

#[test]
fn folding_follows_wasm_semantics() {
    let fold = |body: &str| {
        let mut func = parse_one(&format!("function f() -> (i32) {{\nblock0:\n{body}\n}}"));
        passes::run_named(&mut func, &["const_fold", "dce"]).expect("passes");
        verify(&func).expect("valid");
        text::print(&func)
    };
    // i32.min / -1 traps: not folded; rem_s of the same is 0.
    let div = fold(
        "    v0: i32 = i32.const [-2147483648]\n    v1: i32 = i32.const [-1]\n    v2: i32 = i32.div_s v0, v1\n    return v2",
    );
    assert!(div.contains("i32.div_s"), "{div}");
    let rem = fold(
        "    v0: i32 = i32.const [-2147483648]\n    v1: i32 = i32.const [-1]\n    v2: i32 = i32.rem_s v0, v1\n    return v2",
    );
    assert!(
        rem.contains("i32.const [0]") && !rem.contains("rem_s"),
        "{rem}"
    );
    // Shift counts wrap: 1 << 33 is 2.
    let shl = fold(
        "    v0: i32 = i32.const [1]\n    v1: i32 = i32.const [33]\n    v2: i32 = i32.shl v0, v1\n    return v2",
    );
    assert!(shl.contains("i32.const [2]"), "{shl}");
    // 0.0 / 0.0 is a NaN: not folded; the compare of a NaN with itself folds to 0.
    let nan = fold(
        "    v0: f32 = f32.const [0x00000000]\n    v1: f32 = f32.div v0, v0\n    v2: i32 = i32.reinterpret_f32 v1\n    return v2",
    );
    assert!(nan.contains("f32.div"), "{nan}");
    let cmp =
        fold("    v0: f32 = f32.const [0x7fc00000]\n    v1: i32 = f32.eq v0, v0\n    return v1");
    assert!(cmp.contains("i32.const [0]"), "{cmp}");
    // trunc_sat saturates: 3e9 -> i32::MAX.
    let sat = fold(
        "    v0: f32 = f32.const [0x4f32d05e]\n    v1: i32 = i32.trunc_sat_f32_s v0\n    return v1",
    );
    assert!(sat.contains("i32.const [2147483647]"), "{sat}");
}
