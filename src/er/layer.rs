//! Layering, the first half of the Sugiyama pipeline: foreign keys point from child to
//! parent tables; reversing the edges that close a cycle (found by a depth-first search
//! in table order) gives a DAG whose longest-path layering puts parents left of their
//! children; tables are then pulled toward the side with more neighbours, so look-up
//! tables sit next to their users instead of in the first layer. Edges spanning several
//! layers get dummy nodes, shared by the edges leaving the same port, so a port fans out
//! as one bus. Self-references become loops beside their box.

use std::collections::{BTreeMap, BTreeSet};

use super::layout::Input;

/// A node of the layered graph: a table box, or a dummy where an edge crosses a layer.
#[derive(Debug, Clone)]
pub(crate) struct LNode {
    pub layer: usize,
    pub w: f64,
    pub h: f64,
    /// Index of the box in the input; `None` for dummies.
    pub real: Option<usize>,
    /// Self-references drawn as loops on the right side of this box.
    pub loops: usize,
}

/// One end of a segment: a node and the y offset of its port from the node's top.
#[derive(Debug, Clone, Copy)]
pub(crate) struct End {
    pub node: usize,
    pub port: usize,
    pub off: f64,
}

/// A piece of edge between two adjacent layers, left to right.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Seg {
    pub left: End,
    pub right: End,
}

/// How one input link is drawn.
#[derive(Debug, Clone)]
pub(crate) enum Way {
    /// Segments left to right; `reversed` when the parent is on the right (a cycle was
    /// broken there).
    Chain { segs: Vec<usize>, reversed: bool },
    /// A self-reference: a loop beside `node` from the parent's port to the child's.
    Loop { node: usize, from: f64, to: f64 },
}

#[derive(Debug, Clone)]
pub(crate) struct Layered {
    pub nodes: Vec<LNode>,
    pub layers: Vec<Vec<usize>>,
    pub segs: Vec<Seg>,
    /// One per input link.
    pub ways: Vec<Way>,
}

/// Layers the connected graph `input`.
pub(crate) fn build(input: &Input) -> Layered {
    let n = input.nodes.len();
    let mut succ: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); n];
    for l in input.links.iter().filter(|l| l.parent != l.child) {
        succ[l.parent].insert(l.child);
    }
    let dag = break_cycles(&succ);
    let layer = assign_layers(&dag);
    let mut nodes: Vec<LNode> = input
        .nodes
        .iter()
        .enumerate()
        .map(|(i, b)| LNode {
            layer: layer[i],
            w: b.w,
            h: b.h,
            real: Some(i),
            loops: 0,
        })
        .collect();
    let mut segs: Vec<Seg> = Vec::new();
    let mut seg_ids: BTreeMap<(usize, usize, usize, usize), usize> = BTreeMap::new();
    let mut dummies: BTreeMap<(usize, usize, usize), usize> = BTreeMap::new();
    let mut ways = Vec::with_capacity(input.links.len());
    let mut seg_of = |a: End, b: End, segs: &mut Vec<Seg>| {
        *seg_ids
            .entry((a.node, a.port, b.node, b.port))
            .or_insert_with(|| {
                segs.push(Seg { left: a, right: b });
                segs.len() - 1
            })
    };
    for l in &input.links {
        if l.parent == l.child {
            nodes[l.parent].loops += 1;
            let ports = &input.nodes[l.parent].ports;
            ways.push(Way::Loop {
                node: l.parent,
                from: ports[l.parent_port],
                to: ports[l.child_port],
            });
            continue;
        }
        let port = |node: usize, port: usize| End {
            node,
            port,
            off: input.nodes[node].ports[port],
        };
        let (p, c) = (port(l.parent, l.parent_port), port(l.child, l.child_port));
        let reversed = layer[l.parent] > layer[l.child];
        let (a, b) = if reversed { (c, p) } else { (p, c) };
        let mut prev = a;
        let mut chain = Vec::new();
        for lay in layer[a.node] + 1..layer[b.node] {
            let d = *dummies.entry((a.node, a.port, lay)).or_insert_with(|| {
                nodes.push(LNode {
                    layer: lay,
                    w: 0.0,
                    h: 0.0,
                    real: None,
                    loops: 0,
                });
                nodes.len() - 1
            });
            let cur = End {
                node: d,
                port: 0,
                off: 0.0,
            };
            chain.push(seg_of(prev, cur, &mut segs));
            prev = cur;
        }
        chain.push(seg_of(prev, b, &mut segs));
        ways.push(Way::Chain {
            segs: chain,
            reversed,
        });
    }
    let depth = nodes.iter().map(|n| n.layer + 1).max().unwrap_or(1);
    let mut layers = vec![Vec::new(); depth];
    for (i, node) in nodes.iter().enumerate() {
        layers[node.layer].push(i);
    }
    Layered {
        nodes,
        layers,
        segs,
        ways,
    }
}

/// Successor sets of a DAG: `succ` with the edges that close cycles reversed (an edge to
/// a node still on the depth-first stack, visiting nodes and successors in index order).
fn break_cycles(succ: &[BTreeSet<usize>]) -> Vec<BTreeSet<usize>> {
    let n = succ.len();
    let mut dag: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); n];
    let mut state = vec![0u8; n]; // 0 new, 1 on the stack, 2 done
    for root in 0..n {
        if state[root] != 0 {
            continue;
        }
        state[root] = 1;
        let mut stack: Vec<(usize, Vec<usize>)> =
            vec![(root, succ[root].iter().copied().collect())];
        while let Some((v, rest)) = stack.last_mut() {
            let v = *v;
            match rest.first().copied() {
                None => {
                    state[v] = 2;
                    stack.pop();
                }
                Some(w) => {
                    rest.remove(0);
                    if state[w] == 1 {
                        dag[w].insert(v);
                    } else {
                        dag[v].insert(w);
                        if state[w] == 0 {
                            state[w] = 1;
                            stack.push((w, succ[w].iter().copied().collect()));
                        }
                    }
                }
            }
        }
    }
    // An edge and its reverse may both exist now: keep one direction.
    for v in 0..n {
        let back: Vec<usize> = dag[v].iter().copied().filter(|&w| w < v).collect();
        for w in back {
            if dag[w].contains(&v) {
                dag[v].remove(&w);
            }
        }
    }
    dag
}

/// Longest-path layers, then each node moved within the range its edges allow toward
/// the side with more neighbours (shorter edges), until nothing moves.
fn assign_layers(dag: &[BTreeSet<usize>]) -> Vec<usize> {
    let n = dag.len();
    let mut pred: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (v, ws) in dag.iter().enumerate() {
        for &w in ws {
            pred[w].push(v);
        }
    }
    let mut indeg: Vec<usize> = pred.iter().map(Vec::len).collect();
    let mut ready: BTreeSet<usize> = (0..n).filter(|&v| indeg[v] == 0).collect();
    let mut layer = vec![0usize; n];
    while let Some(v) = ready.pop_first() {
        for &w in &dag[v] {
            layer[w] = layer[w].max(layer[v] + 1);
            indeg[w] -= 1;
            if indeg[w] == 0 {
                ready.insert(w);
            }
        }
    }
    for _ in 0..4 * n + 4 {
        let mut moved = false;
        for v in 0..n {
            let lo = pred[v].iter().map(|&u| layer[u] + 1).max().unwrap_or(0);
            let hi = dag[v].iter().map(|&w| layer[w] - 1).min();
            let target = match pred[v].len().cmp(&dag[v].len()) {
                std::cmp::Ordering::Less => hi.unwrap_or(layer[v]),
                std::cmp::Ordering::Greater => lo,
                std::cmp::Ordering::Equal => layer[v].clamp(lo, hi.unwrap_or(usize::MAX)),
            };
            if target != layer[v] {
                layer[v] = target;
                moved = true;
            }
        }
        if !moved {
            break;
        }
    }
    let min = layer.iter().copied().min().unwrap_or(0);
    layer.iter().map(|l| l - min).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sets(edges: &[(usize, usize)], n: usize) -> Vec<BTreeSet<usize>> {
        let mut s = vec![BTreeSet::new(); n];
        for &(a, b) in edges {
            s[a].insert(b);
        }
        s
    }

    #[test]
    fn cycles_are_broken_and_parents_come_first() {
        let dag = break_cycles(&sets(&[(0, 1), (1, 2), (2, 0)], 3));
        let layer = assign_layers(&dag);
        let mut l = layer.clone();
        l.sort();
        assert_eq!(l, vec![0, 1, 2]);
        for (v, ws) in dag.iter().enumerate() {
            for &w in ws {
                assert!(layer[v] < layer[w]);
            }
        }
    }

    #[test]
    fn lookup_tables_move_next_to_their_user() {
        // 0 -> 1 -> 2 -> 3, and a look-up table 4 used only by 3.
        let layer = assign_layers(&break_cycles(&sets(&[(0, 1), (1, 2), (2, 3), (4, 3)], 5)));
        assert_eq!(layer[4], 2);
    }
}
