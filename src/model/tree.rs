//! The execution tree of a session, built from `parent_exec_id`, for rows that may not
//! form a tree at all. Every execution appears exactly once:
//!
//! - an execution whose parent is itself, does not exist, or belongs to another session
//!   becomes a root and is marked;
//! - in a cycle (`a -> b -> a`), the member recorded first becomes a root, marked as
//!   breaking the cycle; the others hang below it as recorded;
//! - a repeated id is kept as a separate node and marked.
//!
//! Order: roots, and the children of each node, in recording order (`rowid`). Nothing
//! here recurses, so a chain 100,000 deep cannot overflow the stack.

use crate::hash::HashMap;

use serde::Serialize;

use super::session::ExecRow;
use super::status::Outcome;

/// Why a node is not where its `parent_exec_id` says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TreeProblem {
    SelfParent,
    MissingParent { parent: String },
    ForeignParent { parent: String, session: String },
    Cycle { parent: String },
    DuplicateId,
}

impl TreeProblem {
    pub fn describe(&self) -> String {
        match self {
            TreeProblem::SelfParent => "its parent_exec_id is its own id; shown as a root".into(),
            TreeProblem::MissingParent { parent } => {
                format!("its parent execution '{parent}' does not exist; shown as a root")
            }
            TreeProblem::ForeignParent { parent, session } => format!(
                "its parent execution '{parent}' belongs to another session ('{session}'); shown as a root"
            ),
            TreeProblem::Cycle { parent } => format!(
                "its parent '{parent}' is also its descendant (a cycle); shown as a root to break it"
            ),
            TreeProblem::DuplicateId => "another execution has the same id; both are shown".into(),
        }
    }
}

/// The tree over a slice of executions (indices into that slice).
#[derive(Debug, Clone, Default)]
pub struct Tree {
    /// Pre-order: each node once, with its depth (roots at 0).
    pub order: Vec<(usize, usize)>,
    pub children: Vec<Vec<usize>>,
    pub parent: Vec<Option<usize>>,
    pub problems: Vec<Option<TreeProblem>>,
    /// The node or something below it failed.
    pub failed_below: Vec<bool>,
    /// Number of nodes in the subtree, the node included.
    pub size: Vec<usize>,
}

/// Builds the tree. `foreign` maps parent ids that exist in other sessions to that
/// session's id.
pub fn build(execs: &[ExecRow], foreign: &HashMap<String, String>) -> Tree {
    let n = execs.len();
    let mut by_id: HashMap<&str, usize> = crate::hash::map_with_capacity(n);
    let mut problems: Vec<Option<TreeProblem>> = vec![None; n];
    for (i, e) in execs.iter().enumerate() {
        if let Some(&first) = by_id.get(e.id.as_str()) {
            problems[i] = Some(TreeProblem::DuplicateId);
            problems[first].get_or_insert(TreeProblem::DuplicateId);
        } else {
            by_id.insert(&e.id, i);
        }
    }
    let mut parent: Vec<Option<usize>> = vec![None; n];
    for (i, e) in execs.iter().enumerate() {
        let Some(p) = e.parent_id.as_deref().filter(|p| !p.is_empty()) else {
            continue;
        };
        match by_id.get(p) {
            Some(&j) if j == i => problems[i] = Some(TreeProblem::SelfParent),
            Some(&j) => parent[i] = Some(j),
            None => {
                problems[i] = Some(match foreign.get(p) {
                    Some(s) => TreeProblem::ForeignParent {
                        parent: p.to_string(),
                        session: s.clone(),
                    },
                    None => TreeProblem::MissingParent {
                        parent: p.to_string(),
                    },
                })
            }
        }
    }
    break_cycles(execs, &mut parent, &mut problems);

    let mut children: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut roots = Vec::new();
    for (i, p) in parent.iter().enumerate() {
        match p {
            Some(p) => children[*p].push(i),
            None => roots.push(i),
        }
    }
    let mut order = Vec::with_capacity(n);
    let mut stack: Vec<(usize, usize)> = roots.iter().rev().map(|&r| (r, 0)).collect();
    while let Some((i, d)) = stack.pop() {
        order.push((i, d));
        for &c in children[i].iter().rev() {
            stack.push((c, d + 1));
        }
    }
    let mut failed_below: Vec<bool> = execs.iter().map(|e| e.status == Outcome::Failure).collect();
    let mut size = vec![1usize; n];
    for &(i, _) in order.iter().rev() {
        if let Some(p) = parent[i] {
            failed_below[p] |= failed_below[i];
            size[p] += size[i];
        }
    }
    Tree {
        order,
        children,
        parent,
        problems,
        failed_below,
        size,
    }
}

/// Finds every cycle of parent links and cuts it at its first-recorded member.
fn break_cycles(
    execs: &[ExecRow],
    parent: &mut [Option<usize>],
    problems: &mut [Option<TreeProblem>],
) {
    const NEW: u8 = 0;
    const ON_PATH: u8 = 1;
    const DONE: u8 = 2;
    let n = parent.len();
    let mut state = vec![NEW; n];
    let mut path: Vec<usize> = Vec::new();
    for start in 0..n {
        if state[start] != NEW {
            continue;
        }
        let mut cur = Some(start);
        while let Some(i) = cur {
            match state[i] {
                DONE => break,
                ON_PATH => {
                    // i is on the current path: the path from i onwards is a cycle.
                    let pos = path.iter().position(|&x| x == i).expect("on path");
                    let cycle = &path[pos..];
                    let cut = *cycle.iter().min().expect("non-empty cycle");
                    let p = parent[cut].expect("cycle members have parents");
                    problems[cut] = Some(TreeProblem::Cycle {
                        parent: execs[p].id.clone(),
                    });
                    parent[cut] = None;
                    break;
                }
                _ => {
                    state[i] = ON_PATH;
                    path.push(i);
                    cur = parent[i];
                }
            }
        }
        for &i in &path {
            state[i] = DONE;
        }
        path.clear();
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::model::status::RawStatus;

    pub(crate) fn exec(id: &str, parent: Option<&str>, failed: bool) -> ExecRow {
        ExecRow {
            id: id.into(),
            rowid: 0,
            nature: None,
            session_id: None,
            entry_id: None,
            parent_id: parent.map(Into::into),
            namespace: None,
            identity: None,
            code: None,
            status_raw: RawStatus::Integer(i64::from(failed)),
            status: if failed {
                Outcome::Failure
            } else {
                Outcome::Success
            },
            input: None,
            error: None,
            output: None,
            output_nature: None,
            narrative_md: None,
            elaboration: None,
            flags: Vec::new(),
            big: Vec::new(),
            duration: Default::default(),
        }
    }

    fn ids(execs: &[ExecRow], t: &Tree) -> Vec<(String, usize)> {
        t.order
            .iter()
            .map(|&(i, d)| (execs[i].id.clone(), d))
            .collect()
    }

    #[test]
    fn nests_in_recording_order() {
        let e = vec![
            exec("a", None, false),
            exec("b", Some("a"), false),
            exec("c", None, false),
            exec("d", Some("a"), true),
            exec("e", Some("b"), false),
        ];
        let t = build(&e, &HashMap::default());
        let got = ids(&e, &t);
        let want = [("a", 0), ("b", 1), ("e", 2), ("d", 1), ("c", 0)];
        assert_eq!(got, want.map(|(s, d)| (s.to_string(), d)));
        assert!(t.failed_below[0] && !t.failed_below[1] && !t.failed_below[2]);
        assert_eq!(t.size[0], 4);
    }

    #[test]
    fn broken_trees_keep_every_node_once() {
        let mut foreign = HashMap::default();
        foreign.insert("x9".to_string(), "OTHER".to_string());
        let e = vec![
            exec("a", Some("b"), false),
            exec("b", Some("a"), false),
            exec("s", Some("s"), false),
            exec("m", Some("nope"), false),
            exec("f", Some("x9"), false),
            exec("c1", Some("c3"), false),
            exec("c2", Some("c1"), false),
            exec("c3", Some("c2"), false),
            exec("k", Some("c2"), false),
            exec("a", None, false),
        ];
        let t = build(&e, &foreign);
        let mut seen: Vec<usize> = t.order.iter().map(|&(i, _)| i).collect();
        seen.sort();
        assert_eq!(seen, (0..e.len()).collect::<Vec<_>>());
        assert!(
            matches!(t.problems[0], Some(TreeProblem::Cycle { .. }))
                || matches!(t.problems[0], Some(TreeProblem::DuplicateId))
        );
        assert_eq!(t.problems[2], Some(TreeProblem::SelfParent));
        assert_eq!(
            t.problems[3],
            Some(TreeProblem::MissingParent {
                parent: "nope".into()
            })
        );
        assert_eq!(
            t.problems[4],
            Some(TreeProblem::ForeignParent {
                parent: "x9".into(),
                session: "OTHER".into()
            })
        );
        assert!(matches!(t.problems[5], Some(TreeProblem::Cycle { .. })));
        assert_eq!(t.problems[9], Some(TreeProblem::DuplicateId));
        // c1 roots the broken cycle; c2, c3 and k hang below it
        assert_eq!(t.parent[6], Some(5));
        assert_eq!(t.parent[8], Some(6));
    }

    #[test]
    fn a_deep_chain_does_not_overflow() {
        let n = 100_000;
        let ids: Vec<String> = (0..n).map(|i| format!("e{i}")).collect();
        let e: Vec<ExecRow> = (0..n)
            .map(|i| {
                exec(
                    &ids[i],
                    if i == 0 { None } else { Some(&ids[i - 1]) },
                    i == n - 1,
                )
            })
            .collect();
        let t = build(&e, &HashMap::default());
        assert_eq!(t.order.len(), n);
        assert_eq!(t.order[n - 1], (n - 1, n - 1));
        assert!(t.failed_below[0]);
        assert_eq!(t.size[0], n);
    }

    #[test]
    fn a_long_cycle_is_broken_once() {
        let n = 50_000;
        let ids: Vec<String> = (0..n).map(|i| format!("e{i}")).collect();
        let e: Vec<ExecRow> = (0..n)
            .map(|i| exec(&ids[i], Some(&ids[(i + n - 1) % n]), false))
            .collect();
        let t = build(&e, &HashMap::default());
        assert_eq!(t.order.len(), n);
        assert_eq!(t.problems.iter().filter(|p| p.is_some()).count(), 1);
        assert_eq!(t.parent[0], None);
    }
}
