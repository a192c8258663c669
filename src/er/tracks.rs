//! Track assignment in one channel between two layers. Segments that share a port form
//! a net: one vertical trunk on its own track with horizontal branches to its ports, so
//! a heavily referenced key fans out as one bus. Nets are ordered left to right by
//! sifting (each moved to the place where it crosses the fewest branches of the
//! others), then packed onto tracks: nets whose vertical extents overlap never share
//! one. Where three or more branches meet on a trunk, a dot tells a junction from a
//! crossing.

use super::layer::{End, Layered};

/// Room between a box and the first track: the cardinality markers sit there.
pub(crate) const STUB: f64 = 26.0;
/// Distance between neighbouring tracks.
pub(crate) const TRACK: f64 = 8.0;
/// Nets closer than this vertically get separate tracks.
const MARGIN: f64 = 6.0;

/// The routing of one channel, x measured from its left edge.
pub(crate) struct Channel {
    pub width: f64,
    /// The x of the trunk of each segment that needs one (straight ones do not).
    pub tracks: Vec<(usize, f64)>,
    /// Junctions (x, y).
    pub dots: Vec<(f64, f64)>,
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

/// Routes the segments `segs` of one channel.
pub(crate) fn channel(l: &Layered, segs: &[usize], port_y: &dyn Fn(End) -> f64) -> Channel {
    let nets = nets(l, segs, port_y);
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
    let count = track.iter().map(|t| t + 1).max().unwrap_or(0);
    let mut out = Channel {
        width: 2.0 * STUB + count.saturating_sub(1) as f64 * TRACK,
        tracks: Vec::new(),
        dots: Vec::new(),
    };
    for (net, &t) in routed.iter().zip(&track) {
        let x = STUB + t as f64 * TRACK;
        out.tracks.extend(net.segs.iter().map(|&s| (s, x)));
        let mut ys: Vec<f64> = net.lefts.iter().chain(&net.rights).copied().collect();
        ys.sort_by(f64::total_cmp);
        ys.dedup();
        for y in ys {
            let branches = usize::from(net.lefts.contains(&y))
                + usize::from(net.rights.contains(&y))
                + usize::from(y > net.lo + 0.5)
                + usize::from(y < net.hi - 0.5);
            if branches >= 3 {
                out.dots.push((x, y));
            }
        }
    }
    out
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
