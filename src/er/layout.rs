//! The layout as pure data: boxes with ports in, box positions and edge polylines out.
//! Each connected group of tables is laid out on its own (layers left to right, parents
//! first: [`super::layer`], [`super::order`], [`super::place`], [`super::route`]); the
//! groups, biggest first and lone tables last, are then packed in rows.

use super::{layer, order, place, route};

/// A box: its size and the y offsets (from its top) where edges attach, one per row.
#[derive(Debug, Clone)]
pub struct Node {
    pub w: f64,
    pub h: f64,
    pub ports: Vec<f64>,
}

/// An edge from a child's port to a parent's port.
#[derive(Debug, Clone, Copy)]
pub struct Link {
    pub parent: usize,
    pub parent_port: usize,
    pub child: usize,
    pub child_port: usize,
}

#[derive(Debug, Clone, Default)]
pub struct Input {
    pub nodes: Vec<Node>,
    pub links: Vec<Link>,
}

/// The path of a link from the parent's port to the child's, and on which side each end
/// leaves its box (+1: to the right, -1: to the left).
#[derive(Debug, Clone, Default)]
pub struct Route {
    pub points: Vec<(f64, f64)>,
    pub parent_out: f64,
    pub child_out: f64,
}

/// Positions (top-left) of the boxes, one route per link, and the canvas size.
#[derive(Debug, Clone, Default)]
pub struct Layout {
    pub pos: Vec<(f64, f64)>,
    pub routes: Vec<Route>,
    /// Points where edges branch off a shared trunk.
    pub junctions: Vec<(f64, f64)>,
    pub width: f64,
    pub height: f64,
}

/// Space around the drawing.
pub const MARGIN: f64 = 16.0;
/// Space between groups of connected tables.
const GROUP_GAP: f64 = 48.0;

/// Lays `input` out.
pub fn layout(input: &Input) -> Layout {
    let n = input.nodes.len();
    let mut group: Vec<usize> = (0..n).collect();
    fn find(g: &mut [usize], i: usize) -> usize {
        let mut i = i;
        while g[i] != i {
            g[i] = g[g[i]];
            i = g[i];
        }
        i
    }
    for l in &input.links {
        let (a, b) = (find(&mut group, l.parent), find(&mut group, l.child));
        group[a.max(b)] = a.min(b);
    }
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); n];
    for v in 0..n {
        let r = find(&mut group, v);
        members[r].push(v);
    }
    let mut groups: Vec<Vec<usize>> = members.into_iter().filter(|m| !m.is_empty()).collect();
    groups.sort_by(|a, b| {
        let key = |m: &Vec<usize>| (m.len() == 1, std::cmp::Reverse(m.len()), m[0]);
        key(a).cmp(&key(b))
    });
    let mut out = Layout {
        pos: vec![(0.0, 0.0); n],
        routes: vec![Route::default(); input.links.len()],
        ..Layout::default()
    };
    let parts: Vec<(Layout, Vec<usize>, Vec<usize>)> = groups
        .into_iter()
        .map(|members| {
            let mut local = vec![usize::MAX; n];
            for (k, &v) in members.iter().enumerate() {
                local[v] = k;
            }
            let link_ids: Vec<usize> = (0..input.links.len())
                .filter(|&i| local[input.links[i].parent] != usize::MAX)
                .collect();
            let sub = Input {
                nodes: members.iter().map(|&v| input.nodes[v].clone()).collect(),
                links: link_ids
                    .iter()
                    .map(|&i| {
                        let l = input.links[i];
                        Link {
                            parent: local[l.parent],
                            child: local[l.child],
                            ..l
                        }
                    })
                    .collect(),
            };
            (connected(&sub), members, link_ids)
        })
        .collect();
    let area: f64 = parts.iter().map(|p| p.0.width * p.0.height).sum();
    let widest = parts.iter().map(|p| p.0.width).fold(0.0, f64::max);
    let row_w = widest.max(area.sqrt() * 1.6);
    let (mut x, mut y, mut row_h) = (0.0f64, 0.0f64, 0.0f64);
    for (part, members, link_ids) in parts {
        if x > 0.0 && x + part.width > row_w {
            x = 0.0;
            y += row_h + GROUP_GAP;
            row_h = 0.0;
        }
        let (dx, dy) = (x + MARGIN, y + MARGIN);
        for (k, &v) in members.iter().enumerate() {
            out.pos[v] = (part.pos[k].0 + dx, part.pos[k].1 + dy);
        }
        for (route, &i) in part.routes.into_iter().zip(&link_ids) {
            out.routes[i] = Route {
                points: route.points.iter().map(|p| (p.0 + dx, p.1 + dy)).collect(),
                ..route
            };
        }
        out.junctions
            .extend(part.junctions.iter().map(|p| (p.0 + dx, p.1 + dy)));
        out.width = out.width.max(dx + part.width + MARGIN);
        out.height = out.height.max(dy + part.height + MARGIN);
        x += part.width + GROUP_GAP;
        row_h = row_h.max(part.height);
    }
    out
}

/// Lays out one connected group, from (0, 0).
fn connected(input: &Input) -> Layout {
    let mut l = layer::build(input);
    order::run(&mut l);
    let y: Vec<f64> = place::vertical(&l).into_iter().map(f64::round).collect();
    let r = route::run(&l, &y);
    let mut pos = vec![(0.0, 0.0); input.nodes.len()];
    let mut height: f64 = 0.0;
    for (v, node) in l.nodes.iter().enumerate() {
        if let Some(i) = node.real {
            pos[i] = (r.center[node.layer] - node.w / 2.0, y[v]);
            height = height.max(y[v] + node.h);
        }
    }
    Layout {
        pos,
        routes: r.routes,
        junctions: r.junctions,
        width: r.width,
        height,
    }
}
