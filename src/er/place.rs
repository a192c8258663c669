//! Vertical coordinates: within each layer the order is fixed and boxes keep a minimum
//! gap; each node wants one of its edges level (the one nearest the mean of where its
//! edges would have it; long edges, through dummies, weigh more, so they run straight).
//! Sweeping right and left, each layer is placed by weighted isotonic regression (pool
//! adjacent violators): the least-squares positions that respect the order and gaps.

use super::layer::{LNode, Layered};

/// Vertical space between two neighbours in a layer.
pub(crate) fn gap(a: &LNode, b: &LNode) -> f64 {
    match (a.real.is_some(), b.real.is_some()) {
        (true, true) => 28.0,
        (false, false) => 10.0,
        _ => 18.0,
    }
}

const ROUNDS: usize = 8;

/// The top y of every node, the smallest being 0.
pub(crate) fn vertical(l: &Layered) -> Vec<f64> {
    let mut y = vec![0.0; l.nodes.len()];
    for layer in &l.layers {
        let mut t = 0.0;
        for (k, &v) in layer.iter().enumerate() {
            if k > 0 {
                t += gap(&l.nodes[layer[k - 1]], &l.nodes[v]);
            }
            y[v] = t;
            t += l.nodes[v].h;
        }
        for &v in layer {
            y[v] -= t / 2.0;
        }
    }
    let depth = l.layers.len();
    for _ in 0..ROUNDS {
        for i in 1..depth {
            place_layer(l, &mut y, i, true, false);
        }
        for i in (0..depth.saturating_sub(1)).rev() {
            place_layer(l, &mut y, i, false, true);
        }
    }
    for _ in 0..3 {
        for i in 0..depth {
            place_layer(l, &mut y, i, true, true);
        }
    }
    let min = y.iter().copied().fold(f64::INFINITY, f64::min);
    if min.is_finite() {
        for v in &mut y {
            *v -= min;
        }
    }
    y
}

fn place_layer(l: &Layered, y: &mut [f64], i: usize, left: bool, right: bool) {
    let layer = &l.layers[i];
    let mut want = Vec::with_capacity(layer.len());
    let mut weight = Vec::with_capacity(layer.len());
    for &v in layer {
        let (mut sum, mut wsum) = (0.0, 0.0);
        let mut candidates = Vec::new();
        for s in &l.segs {
            let (mine, theirs) = if left && s.right.node == v {
                (s.right, s.left)
            } else if right && s.left.node == v {
                (s.left, s.right)
            } else {
                continue;
            };
            let w = match (l.nodes[s.left.node].real, l.nodes[s.right.node].real) {
                (Some(_), Some(_)) => 1.0,
                (None, None) => 8.0,
                _ => 2.0,
            };
            let at = y[theirs.node] + theirs.off - mine.off;
            sum += w * at;
            wsum += w;
            candidates.push(at);
        }
        if wsum > 0.0 {
            // Level with the edge nearest the mean: one straight edge beats several
            // edges each a few pixels off.
            let mean = sum / wsum;
            let snap = candidates
                .iter()
                .copied()
                .min_by(|a, b| (a - mean).abs().total_cmp(&(b - mean).abs()))
                .unwrap_or(mean);
            want.push(snap);
            weight.push(wsum);
        } else {
            want.push(y[v]);
            weight.push(1e-3);
        }
    }
    // y[k+1] >= y[k] + h[k] + gap: shift by the running minimum offset, fit a
    // non-decreasing sequence, shift back.
    let mut off = Vec::with_capacity(layer.len());
    let mut acc = 0.0;
    for (k, &v) in layer.iter().enumerate() {
        if k > 0 {
            let u = layer[k - 1];
            acc += l.nodes[u].h + gap(&l.nodes[u], &l.nodes[v]);
        }
        off.push(acc);
    }
    let z: Vec<f64> = want.iter().zip(&off).map(|(w, o)| w - o).collect();
    for (k, fit) in isotonic(&z, &weight).into_iter().enumerate() {
        y[layer[k]] = fit + off[k];
    }
}

/// The non-decreasing sequence closest to `x` in weighted least squares.
pub(crate) fn isotonic(x: &[f64], w: &[f64]) -> Vec<f64> {
    // blocks of (weighted sum, weight, count)
    let mut blocks: Vec<(f64, f64, usize)> = Vec::with_capacity(x.len());
    for (&xi, &wi) in x.iter().zip(w) {
        blocks.push((xi * wi, wi, 1));
        while blocks.len() > 1 {
            let (s1, w1, n1) = blocks[blocks.len() - 1];
            let (s0, w0, n0) = blocks[blocks.len() - 2];
            if s0 / w0 <= s1 / w1 {
                break;
            }
            blocks.pop();
            let last = blocks.len() - 1;
            blocks[last] = (s0 + s1, w0 + w1, n0 + n1);
        }
    }
    let mut out = Vec::with_capacity(x.len());
    for (s, wt, n) in blocks {
        out.extend(std::iter::repeat_n(s / wt, n));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn isotonic_pools_violators() {
        assert_eq!(isotonic(&[1.0, 2.0, 3.0], &[1.0; 3]), vec![1.0, 2.0, 3.0]);
        assert_eq!(isotonic(&[3.0, 1.0], &[1.0, 1.0]), vec![2.0, 2.0]);
        assert_eq!(isotonic(&[4.0, 0.0], &[3.0, 1.0]), vec![3.0, 3.0]);
    }
}
