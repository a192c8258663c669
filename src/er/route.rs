//! Orthogonal edge routing in the channels between layers. In each channel, segments
//! that share a port form a net: one vertical trunk on its own track, with horizontal
//! branches to its ports, so a heavily referenced key fans out as one bus. Nets are
//! ordered left to right by sifting (each net moved to the place where it crosses the
//! fewest branches of the others), then packed onto tracks: nets whose vertical extents
//! overlap never share a track. Horizontal branches run only through channels and
//! through the gaps kept free around dummy nodes, so edges never cross a box.
//! Self-references loop out of the right side of their box and back.

use super::layer::{End, Layered, Way};
use super::layout::Route;

/// Room between a box and the first track: the cardinality markers sit there.
pub(crate) const STUB: f64 = 26.0;
/// Distance between neighbouring tracks.
pub(crate) const TRACK: f64 = 8.0;
/// How far the first self-reference loop reaches out of its box, and the step between
/// loops of one box.
pub(crate) const LOOP_OUT: f64 = 26.0;
pub(crate) const LOOP_STEP: f64 = 8.0;
/// Nets closer than this vertically get separate tracks.
const MARGIN: f64 = 6.0;

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

struct Net {
    segs: Vec<usize>,
    lefts: Vec<f64>,
    rights: Vec<f64>,
    lo: f64,
    hi: f64,
}

impl Net {
    fn inside(&self, y: f64) -> bool {
        y > self.lo + 0.5 && y < self.hi - 0.5
    }
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
        let nets = nets(l, &segs, &port_y);
        let routed: Vec<&Net> = nets.iter().filter(|n| n.hi - n.lo >= 0.5).collect();
        let order = order_nets(&routed);
        let mut track = vec![0usize; routed.len()];
        for (k, &a) in order.iter().enumerate() {
            track[a] = order[..k]
                .iter()
                .filter(|&&b| {
                    routed[a].lo <= routed[b].hi + MARGIN && routed[b].lo <= routed[a].hi + MARGIN
                })
                .map(|&b| track[b] + 1)
                .max()
                .unwrap_or(0);
        }
        let tracks = track.iter().map(|t| t + 1).max().unwrap_or(0);
        *width = 2.0 * STUB + tracks.saturating_sub(1) as f64 * TRACK;
        for (net, &t) in routed.iter().zip(&track) {
            let x = STUB + t as f64 * TRACK;
            for &s in &net.segs {
                seg_x[s] = Some(x);
            }
            let mut ys: Vec<f64> = net.lefts.iter().chain(&net.rights).copied().collect();
            ys.sort_by(f64::total_cmp);
            ys.dedup();
            for y in ys {
                let branches = usize::from(net.lefts.contains(&y))
                    + usize::from(net.rights.contains(&y))
                    + usize::from(y > net.lo + 0.5)
                    + usize::from(y < net.hi - 0.5);
                if branches >= 3 {
                    dots.push((c, x, y));
                }
            }
        }
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

/// The segments of one channel grouped into nets: segments sharing a left or a right
/// port belong together.
fn nets(l: &Layered, segs: &[usize], port_y: &dyn Fn(End) -> f64) -> Vec<Net> {
    let mut parent: Vec<usize> = (0..segs.len()).collect();
    fn find(p: &mut [usize], i: usize) -> usize {
        let mut i = i;
        while p[i] != i {
            p[i] = p[p[i]];
            i = p[i];
        }
        i
    }
    for a in 0..segs.len() {
        for b in a + 1..segs.len() {
            let (sa, sb) = (&l.segs[segs[a]], &l.segs[segs[b]]);
            let same = |x: End, y: End| x.node == y.node && x.port == y.port;
            if same(sa.left, sb.left) || same(sa.right, sb.right) {
                let (ra, rb) = (find(&mut parent, a), find(&mut parent, b));
                parent[ra.max(rb)] = ra.min(rb);
            }
        }
    }
    let mut out: Vec<Net> = Vec::new();
    let mut root_net: Vec<Option<usize>> = vec![None; segs.len()];
    for (k, &seg) in segs.iter().enumerate() {
        let r = find(&mut parent, k);
        let idx = *root_net[r].get_or_insert_with(|| {
            out.push(Net {
                segs: Vec::new(),
                lefts: Vec::new(),
                rights: Vec::new(),
                lo: f64::INFINITY,
                hi: f64::NEG_INFINITY,
            });
            out.len() - 1
        });
        let s = &l.segs[seg];
        let net = &mut out[idx];
        net.segs.push(seg);
        let (a, b) = (port_y(s.left), port_y(s.right));
        for (list, v) in [(&mut net.lefts, a), (&mut net.rights, b)] {
            if !list.contains(&v) {
                list.push(v);
            }
        }
        net.lo = net.lo.min(a.min(b));
        net.hi = net.hi.max(a.max(b));
    }
    out
}

/// Left-to-right order of nets with few crossings: start from the order that is
/// crossing-free for nets that all run down (or all up), then sift.
fn order_nets(nets: &[&Net]) -> Vec<usize> {
    let m = nets.len();
    // cost[a][b]: crossings when a is left of b.
    let mut cost = vec![vec![0usize; m]; m];
    for a in 0..m {
        for b in 0..m {
            if a != b {
                cost[a][b] = nets[a]
                    .rights
                    .iter()
                    .filter(|&&y| nets[b].inside(y))
                    .count()
                    + nets[b].lefts.iter().filter(|&&y| nets[a].inside(y)).count();
            }
        }
    }
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len().max(1) as f64;
    let mut order: Vec<usize> = (0..m).collect();
    let key = |i: usize| {
        let (a, b) = (mean(&nets[i].lefts), mean(&nets[i].rights));
        if b >= a { (0, -a) } else { (1, a) }
    };
    order.sort_by(|&i, &j| {
        let (ki, kj) = (key(i), key(j));
        ki.0.cmp(&kj.0).then(ki.1.total_cmp(&kj.1)).then(i.cmp(&j))
    });
    for _ in 0..8 {
        let mut improved = false;
        for (x, row) in cost.iter().enumerate() {
            let at = order.iter().position(|&v| v == x).expect("x is ordered");
            order.remove(at);
            let mut here: isize = order.iter().map(|&j| row[j] as isize).sum();
            let (mut best, mut best_at) = (here, 0);
            let mut current = None;
            for (p, &j) in order.iter().enumerate() {
                if p == at {
                    current = Some(here);
                }
                here += cost[j][x] as isize - row[j] as isize;
                if here < best {
                    best = here;
                    best_at = p + 1;
                }
            }
            let current = current.unwrap_or(here);
            if best < current {
                improved = true;
                order.insert(best_at, x);
            } else {
                order.insert(at, x);
            }
        }
        if !improved {
            break;
        }
    }
    order
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
