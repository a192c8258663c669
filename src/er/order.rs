//! Crossing reduction: the order of the nodes within each layer (top to bottom). Layer by
//! layer, sweeping right then left, nodes are sorted by the barycenter of the ports they
//! connect to in the neighbouring layer (with their own port's place in the box taken
//! into account), then adjacent nodes are swapped while that removes crossings. The best
//! order seen is kept. Crossings are counted between ports, not just boxes, so edges of
//! different rows of one box are ordered too.

use super::layer::Layered;
use super::place::gap;

const ROUNDS: usize = 12;

/// Reorders `l.layers` to reduce edge crossings.
pub(crate) fn run(l: &mut Layered) {
    let ctx = Ctx::new(l);
    let mut best = l.layers.clone();
    let mut best_count = ctx.crossings(l);
    for round in 0..ROUNDS {
        if best_count == 0 {
            break;
        }
        if round % 2 == 0 {
            for i in 1..l.layers.len() {
                ctx.sort_layer(l, i, true);
                ctx.transpose(l, i);
            }
        } else {
            for i in (0..l.layers.len().saturating_sub(1)).rev() {
                ctx.sort_layer(l, i, false);
                ctx.transpose(l, i);
            }
        }
        let count = ctx.crossings(l);
        if count < best_count {
            best_count = count;
            best = l.layers.clone();
        }
    }
    l.layers = best;
    // Sifting: each node moved to its best place in its layer, layer by layer, both
    // ways, until nothing improves.
    for _ in 0..8 {
        let before = best_count;
        for i in (0..l.layers.len()).chain((0..l.layers.len()).rev()) {
            ctx.sift(l, i);
        }
        best_count = ctx.crossings(l);
        if best_count >= before {
            break;
        }
    }
    best = l.layers.clone();
    l.layers = best;
}

struct Ctx {
    /// Segments by the layer of their left end.
    by_channel: Vec<Vec<usize>>,
    /// Per node: segments where it is the left end, and where it is the right end.
    as_left: Vec<Vec<usize>>,
    as_right: Vec<Vec<usize>>,
}

impl Ctx {
    fn new(l: &Layered) -> Ctx {
        let mut by_channel = vec![Vec::new(); l.layers.len()];
        let mut as_left = vec![Vec::new(); l.nodes.len()];
        let mut as_right = vec![Vec::new(); l.nodes.len()];
        for (i, s) in l.segs.iter().enumerate() {
            by_channel[l.nodes[s.left.node].layer].push(i);
            as_left[s.left.node].push(i);
            as_right[s.right.node].push(i);
        }
        Ctx {
            by_channel,
            as_left,
            as_right,
        }
    }

    /// Total crossings between ports over all channels.
    fn crossings(&self, l: &Layered) -> usize {
        let pos = positions(l);
        let key = |node: usize, off: f64| pos[node] as f64 * 1e6 + off;
        let mut total = 0;
        for segs in &self.by_channel {
            let ends: Vec<(f64, f64)> = segs
                .iter()
                .map(|&s| {
                    let s = &l.segs[s];
                    (key(s.left.node, s.left.off), key(s.right.node, s.right.off))
                })
                .collect();
            for (i, a) in ends.iter().enumerate() {
                for b in &ends[i + 1..] {
                    if (a.0 < b.0 && a.1 > b.1) || (a.0 > b.0 && a.1 < b.1) {
                        total += 1;
                    }
                }
            }
        }
        total
    }

    /// Sorts layer `i` by the barycenters of its neighbours on the left (`from_left`) or
    /// on the right, on a 0..1 scale of each layer's stacked height.
    fn sort_layer(&self, l: &mut Layered, i: usize, from_left: bool) {
        let norm = |layer: &[usize]| -> Vec<(usize, f64, f64)> {
            let mut y = 0.0;
            let mut out = Vec::with_capacity(layer.len());
            for (k, &v) in layer.iter().enumerate() {
                if k > 0 {
                    y += gap(&l.nodes[layer[k - 1]], &l.nodes[v]);
                }
                out.push((v, y, l.nodes[v].h));
                y += l.nodes[v].h;
            }
            let total = y.max(1.0);
            out.into_iter()
                .map(|(v, t, h)| (v, t / total, h / total))
                .collect()
        };
        let Some(other) = (if from_left {
            i.checked_sub(1)
        } else {
            Some(i + 1)
        }) else {
            return;
        };
        let Some(other_layer) = l.layers.get(other) else {
            return;
        };
        let mut other_top = vec![f64::NAN; l.nodes.len()];
        let other_scale = norm(other_layer);
        let other_total = total_height(l, other_layer).max(1.0);
        for &(v, t, _) in &other_scale {
            other_top[v] = t;
        }
        let own = norm(&l.layers[i]);
        let own_total = total_height(l, &l.layers[i]).max(1.0);
        let mut keyed: Vec<(f64, usize, usize)> = own
            .iter()
            .enumerate()
            .map(|(k, &(v, top, h))| {
                let segs = if from_left {
                    &self.as_right[v]
                } else {
                    &self.as_left[v]
                };
                let (mut sum, mut n) = (0.0, 0.0);
                for &s in segs {
                    let s = &l.segs[s];
                    let (theirs, mine) = if from_left {
                        (s.left, s.right)
                    } else {
                        (s.right, s.left)
                    };
                    sum += other_top[theirs.node] + theirs.off / other_total
                        - (mine.off / own_total - h / 2.0);
                    n += 1.0;
                }
                let center = if n > 0.0 { sum / n } else { top + h / 2.0 };
                (center, k, v)
            })
            .collect();
        keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        l.layers[i] = keyed.into_iter().map(|(_, _, v)| v).collect();
    }

    /// Moves each node of layer `i` to the place where its edges cross the fewest others.
    fn sift(&self, l: &mut Layered, i: usize) {
        let nodes = l.layers[i].clone();
        for v in nodes {
            let pos = positions(l);
            let at = pos[v];
            let mut layer = l.layers[i].clone();
            layer.remove(at);
            // (crossings with w when v is above w, when v is below w)
            let pairs: Vec<(usize, usize)> = layer
                .iter()
                .map(|&w| self.pair_crossings(l, &pos, v, w))
                .collect();
            let mut cost: usize = pairs.iter().map(|p| p.0).sum();
            let (mut best, mut best_at) = (usize::MAX, at);
            for p in 0..=layer.len() {
                if cost < best || (cost == best && p == at) {
                    best = cost;
                    best_at = p;
                }
                if let Some(&(above, below)) = pairs.get(p) {
                    cost = cost - above + below;
                }
            }
            layer.insert(best_at, v);
            l.layers[i] = layer;
        }
    }

    /// Swaps neighbours in layer `i` while a swap removes crossings.
    fn transpose(&self, l: &mut Layered, i: usize) {
        for _ in 0..l.layers[i].len() {
            let mut improved = false;
            for k in 0..l.layers[i].len().saturating_sub(1) {
                let (v, w) = (l.layers[i][k], l.layers[i][k + 1]);
                let pos = positions(l);
                let (before, after) = self.pair_crossings(l, &pos, v, w);
                if after < before {
                    l.layers[i].swap(k, k + 1);
                    improved = true;
                }
            }
            if !improved {
                break;
            }
        }
    }

    /// Crossings between the edges of `v` (above) and `w` (below), as they are and if
    /// the two were swapped.
    fn pair_crossings(&self, l: &Layered, pos: &[usize], v: usize, w: usize) -> (usize, usize) {
        let key = |node: usize, off: f64| pos[node] as f64 * 1e6 + off;
        let (mut before, mut after) = (0, 0);
        for (sv, sw, far_left) in [
            (&self.as_right[v], &self.as_right[w], true),
            (&self.as_left[v], &self.as_left[w], false),
        ] {
            for &a in sv {
                for &b in sw {
                    let (a, b) = (&l.segs[a], &l.segs[b]);
                    let (ka, kb) = if far_left {
                        (key(a.left.node, a.left.off), key(b.left.node, b.left.off))
                    } else {
                        (
                            key(a.right.node, a.right.off),
                            key(b.right.node, b.right.off),
                        )
                    };
                    if ka > kb {
                        before += 1;
                    } else if ka < kb {
                        after += 1;
                    }
                }
            }
        }
        (before, after)
    }
}

fn total_height(l: &Layered, layer: &[usize]) -> f64 {
    let h: f64 = layer.iter().map(|&v| l.nodes[v].h).sum();
    h + layer
        .windows(2)
        .map(|p| gap(&l.nodes[p[0]], &l.nodes[p[1]]))
        .sum::<f64>()
}

/// Index of each node within its layer.
pub(crate) fn positions(l: &Layered) -> Vec<usize> {
    let mut pos = vec![0; l.nodes.len()];
    for layer in &l.layers {
        for (k, &v) in layer.iter().enumerate() {
            pos[v] = k;
        }
    }
    pos
}
