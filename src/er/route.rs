//! Horizontal coordinates and edge paths: each layer is as wide as its widest box (plus
//! room for self-reference loops), each channel between layers as wide as its tracks
//! need ([`super::tracks`]). An edge runs from its port along its row to its track in the
//! first channel, along the track to the height of the next node (a dummy where it
//! crosses a layer, through the gap kept free for it), and so on to the port at the
//! other end; horizontal runs only cross layers in those gaps, so edges never cross a
//! box. Self-references loop out of the right side of their box and back.

use super::layer::{End, Layered, Way};
use super::layout::Route;
use super::tracks;

/// How far the first self-reference loop reaches out of its box, and the step between
/// loops of one box.
pub(crate) const LOOP_OUT: f64 = 26.0;
pub(crate) const LOOP_STEP: f64 = 8.0;

/// Horizontal layout and edge paths of a layered, vertically placed graph.
pub(crate) struct Routed {
    /// Center x of each layer.
    pub center: Vec<f64>,
    /// One route per input link.
    pub routes: Vec<Route>,
    /// Points where a branch leaves a trunk (drawn as dots).
    pub junctions: Vec<(f64, f64)>,
    pub width: f64,
}

/// Routes every link of `l` whose nodes have top coordinates `y`.
pub(crate) fn run(l: &Layered, y: &[f64]) -> Routed {
    let depth = l.layers.len();
    let port_y = |e: End| y[e.node] + e.off;
    let mut left_ext = vec![0.0f64; depth];
    let mut right_ext = vec![0.0f64; depth];
    for n in &l.nodes {
        let loops = if n.loops > 0 {
            LOOP_OUT + (n.loops - 1) as f64 * LOOP_STEP + 6.0
        } else {
            0.0
        };
        left_ext[n.layer] = left_ext[n.layer].max(n.w / 2.0);
        right_ext[n.layer] = right_ext[n.layer].max(n.w / 2.0 + loops);
    }
    // Tracks of each channel, as offsets from the channel's left edge.
    let mut seg_x: Vec<Option<f64>> = vec![None; l.segs.len()];
    let mut widths = vec![0.0; depth];
    let mut dots: Vec<(usize, f64, f64)> = Vec::new();
    for (c, width) in widths.iter_mut().enumerate().take(depth.saturating_sub(1)) {
        let segs: Vec<usize> = (0..l.segs.len())
            .filter(|&s| l.nodes[l.segs[s].left.node].layer == c)
            .collect();
        let ch = tracks::channel(l, &segs, &port_y);
        *width = ch.width;
        for (seg, x) in ch.tracks {
            seg_x[seg] = Some(x);
        }
        dots.extend(ch.dots.into_iter().map(|(x, y)| (c, x, y)));
    }
    let mut center = vec![0.0; depth];
    for i in 0..depth {
        center[i] = if i == 0 {
            left_ext[0]
        } else {
            center[i - 1] + right_ext[i - 1] + widths[i - 1] + left_ext[i]
        };
    }
    let edge_x = |c: usize| center[c] + right_ext[c];
    let side = |node: usize, right: bool| {
        let n = &l.nodes[node];
        let half = if right { n.w / 2.0 } else { -n.w / 2.0 };
        center[n.layer] + half
    };
    let chain_route = |segs: &[usize], reversed: bool| {
        let first = l.segs[segs[0]].left;
        let last = l.segs[*segs.last().expect("a chain has segments")].right;
        let mut pts = vec![(side(first.node, true), port_y(first))];
        for &s in segs {
            let seg = &l.segs[s];
            if let Some(x) = seg_x[s] {
                let x = edge_x(l.nodes[seg.left.node].layer) + x;
                pts.push((x, port_y(seg.left)));
                pts.push((x, port_y(seg.right)));
            }
        }
        pts.push((side(last.node, false), port_y(last)));
        if reversed {
            pts.reverse();
        }
        let (parent_out, child_out) = if reversed { (-1.0, 1.0) } else { (1.0, -1.0) };
        Route {
            points: simplify(pts),
            parent_out,
            child_out,
        }
    };
    // Loops of one box nest: the shortest inside.
    let mut loops: Vec<(usize, f64, usize)> = Vec::new();
    let mut routes = Vec::with_capacity(l.ways.len());
    for (k, way) in l.ways.iter().enumerate() {
        match way {
            Way::Loop { node, from, to } => {
                loops.push((*node, (from - to).abs(), k));
                routes.push(Route::default());
            }
            Way::Chain { segs, reversed } => routes.push(chain_route(segs, *reversed)),
        }
    }
    loops.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)).then(a.2.cmp(&b.2)));
    let mut nth = 0;
    for (i, &(node, _, k)) in loops.iter().enumerate() {
        nth = if i > 0 && loops[i - 1].0 == node {
            nth + 1
        } else {
            0
        };
        let Way::Loop { from, to, .. } = l.ways[k] else {
            continue;
        };
        let bx = side(node, true);
        let x = bx + LOOP_OUT + nth as f64 * LOOP_STEP;
        let (a, b) = (y[node] + from, y[node] + to);
        routes[k] = Route {
            points: vec![(bx, a), (x, a), (x, b), (bx, b)],
            parent_out: 1.0,
            child_out: 1.0,
        };
    }
    let width = (0..depth)
        .map(|i| center[i] + right_ext[i])
        .fold(0.0, f64::max);
    let junctions = dots
        .into_iter()
        .map(|(c, x, y)| (edge_x(c) + x, y))
        .collect();
    Routed {
        center,
        routes,
        junctions,
        width,
    }
}

/// Drops repeated points and the middle of three collinear points.
fn simplify(pts: Vec<(f64, f64)>) -> Vec<(f64, f64)> {
    let mut out: Vec<(f64, f64)> = Vec::with_capacity(pts.len());
    for p in pts {
        if out.last() == Some(&p) {
            continue;
        }
        if out.len() >= 2 {
            let (a, b) = (out[out.len() - 2], out[out.len() - 1]);
            if (a.0 == b.0 && b.0 == p.0) || (a.1 == b.1 && b.1 == p.1) {
                out.pop();
            }
        }
        out.push(p);
    }
    out
}
