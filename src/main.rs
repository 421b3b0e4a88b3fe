//! The `wrun` command line.

fn main() {
    println!("wrun {}", env!("CARGO_PKG_VERSION"));
}
