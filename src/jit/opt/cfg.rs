//! Control-flow facts of a [`Function`]: predecessors and successors, reverse post-order,
//! the dominator tree (Cooper, Harvey and Kennedy's "A Simple, Fast Dominance Algorithm":
//! iterate over the reverse post-order until the immediate dominators settle, which for the
//! reducible graphs wasm produces takes two passes) and the loop nesting (a natural loop per
//! header that dominates one of its predecessors). Computed on demand; a pass that changes
//! the graph computes it again.

use super::ir::{Block, Function};

#[derive(Clone, Debug)]
pub struct Cfg {
    /// Per block index: successors (one per edge, so a block may repeat) and predecessors.
    pub succs: Vec<Vec<Block>>,
    pub preds: Vec<Vec<Block>>,
    /// The blocks reachable from the entry, in reverse post-order.
    pub rpo: Vec<Block>,
    /// Position of each block in `rpo` (`usize::MAX`: unreachable).
    pub rpo_index: Vec<usize>,
    /// Immediate dominator of every reachable block but the entry.
    pub idom: Vec<Option<Block>>,
    /// Children in the dominator tree, in reverse post-order.
    pub dom_children: Vec<Vec<Block>>,
    /// The innermost loop header containing each block (a header contains itself), and the
    /// loop depth (0: in no loop).
    pub loop_header: Vec<Option<Block>>,
    pub loop_depth: Vec<u32>,
    /// The header enclosing each loop header's loop (`None` for an outermost loop).
    pub loop_parent: Vec<Option<Block>>,
}

impl Cfg {
    pub fn new(func: &Function) -> Cfg {
        let n = func.blocks.len();
        let mut succs = vec![Vec::new(); n];
        let mut preds = vec![Vec::new(); n];
        for &block in &func.layout {
            if let Some(term) = &func.block(block).term {
                for t in term.targets() {
                    succs[block.index()].push(t.block);
                    preds[t.block.index()].push(block);
                }
            }
        }
        // Post-order by an explicit stack (functions can nest blocks deeply).
        let mut post = Vec::new();
        let mut seen = vec![false; n];
        if let Some(&entry) = func.layout.first() {
            let mut stack = vec![(entry, 0usize)];
            seen[entry.index()] = true;
            while let Some(&mut (block, ref mut next)) = stack.last_mut() {
                if let Some(&succ) = succs[block.index()].get(*next) {
                    *next += 1;
                    if !seen[succ.index()] {
                        seen[succ.index()] = true;
                        stack.push((succ, 0));
                    }
                } else {
                    post.push(block);
                    stack.pop();
                }
            }
        }
        let rpo: Vec<Block> = post.into_iter().rev().collect();
        let mut rpo_index = vec![usize::MAX; n];
        for (i, b) in rpo.iter().enumerate() {
            rpo_index[b.index()] = i;
        }
        let mut idom: Vec<Option<Block>> = vec![None; n];
        if let Some(&entry) = rpo.first() {
            idom[entry.index()] = Some(entry);
            let mut changed = true;
            while changed {
                changed = false;
                for &b in &rpo[1..] {
                    let mut new: Option<Block> = None;
                    for &p in &preds[b.index()] {
                        if idom[p.index()].is_none() {
                            continue;
                        }
                        new = Some(match new {
                            None => p,
                            Some(q) => intersect(&idom, &rpo_index, p, q),
                        });
                    }
                    if new.is_some() && idom[b.index()] != new {
                        idom[b.index()] = new;
                        changed = true;
                    }
                }
            }
            idom[entry.index()] = None;
        }
        let mut dom_children = vec![Vec::new(); n];
        for &b in &rpo {
            if let Some(d) = idom[b.index()] {
                dom_children[d.index()].push(b);
            }
        }
        let mut cfg = Cfg {
            succs,
            preds,
            rpo,
            rpo_index,
            idom,
            dom_children,
            loop_header: vec![None; n],
            loop_depth: vec![0; n],
            loop_parent: vec![None; n],
        };
        cfg.find_loops();
        cfg
    }

    pub fn is_reachable(&self, block: Block) -> bool {
        self.rpo_index[block.index()] != usize::MAX
    }

    /// `a` dominates `b` (every block dominates itself).
    pub fn dominates(&self, a: Block, b: Block) -> bool {
        let mut b = b;
        loop {
            if a == b {
                return true;
            }
            match self.idom[b.index()] {
                Some(d) => b = d,
                None => return false,
            }
        }
    }

    /// Natural loops: for each header (in reverse post-order, so outer loops first), the
    /// blocks that reach a back edge's source without passing the header. An inner loop's
    /// blocks are claimed again by the inner header, which comes later.
    fn find_loops(&mut self) {
        let headers: Vec<Block> = self
            .rpo
            .iter()
            .copied()
            .filter(|&h| self.preds[h.index()].iter().any(|&p| self.dominates(h, p)))
            .collect();
        for &header in &headers {
            let parent = self.loop_header[header.index()];
            self.loop_parent[header.index()] = parent;
            let depth = self.loop_depth[header.index()] + 1;
            let mut stack: Vec<Block> = self.preds[header.index()]
                .iter()
                .copied()
                .filter(|&p| self.dominates(header, p))
                .collect();
            let mut body = vec![header];
            let mut seen = vec![false; self.preds.len()];
            seen[header.index()] = true;
            while let Some(b) = stack.pop() {
                if seen[b.index()] || !self.is_reachable(b) {
                    continue;
                }
                seen[b.index()] = true;
                body.push(b);
                stack.extend(self.preds[b.index()].iter().copied());
            }
            for b in body {
                self.loop_header[b.index()] = Some(header);
                self.loop_depth[b.index()] = depth;
            }
        }
    }

    /// `block` is inside the loop headed by `header` (at any depth).
    pub fn in_loop(&self, block: Block, header: Block) -> bool {
        let mut h = self.loop_header[block.index()];
        while let Some(cur) = h {
            if cur == header {
                return true;
            }
            h = self.loop_parent[cur.index()];
        }
        false
    }
}

fn intersect(idom: &[Option<Block>], rpo_index: &[usize], mut a: Block, mut b: Block) -> Block {
    while a != b {
        while rpo_index[a.index()] > rpo_index[b.index()] {
            a = idom[a.index()].expect("processed blocks have a dominator");
        }
        while rpo_index[b.index()] > rpo_index[a.index()] {
            b = idom[b.index()].expect("processed blocks have a dominator");
        }
    }
    a
}
