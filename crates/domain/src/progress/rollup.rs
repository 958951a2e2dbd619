//! Consolidation up the unit tree: a unit's figure is its own value plus its
//! children's subtree figures, so nothing is counted twice.

/// Why a set of units cannot be summed as a tree.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TreeError {
    #[error(
        "đơn vị cấp trên không tồn tại (đơn vị {unit}, cấp trên {parent}) / the parent does not exist (unit {unit}, parent {parent})"
    )]
    UnknownParent { unit: usize, parent: usize },
    #[error("cây đơn vị có vòng lặp qua đơn vị {unit} / the unit tree has a cycle through unit {unit}")]
    Cycle {
        /// The smallest index on a cycle.
        unit: usize,
    },
    #[error("có {values} số liệu cho {units} đơn vị / {values} values for {units} units")]
    LengthMismatch { units: usize, values: usize },
    #[error("tổng vượt quá giới hạn / the sum is too large")]
    Overflow,
}

/// A unit tree: unit `i`'s parent is `parent[i]` (`None` for a root). Units are
/// indices `0..n` in any order; parents need not come before their children.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tree {
    pub parent: Vec<Option<usize>>,
}

impl Tree {
    pub fn new(parent: Vec<Option<usize>>) -> Self {
        Tree { parent }
    }

    pub fn len(&self) -> usize {
        self.parent.len()
    }

    pub fn is_empty(&self) -> bool {
        self.parent.is_empty()
    }

    /// Every unit once, each after all of its descendants (children before parents),
    /// in O(n). Fails on a parent index out of range or on a cycle.
    pub fn bottom_up(&self) -> Result<Vec<usize>, TreeError> {
        let n = self.parent.len();
        let mut pending_children = vec![0usize; n];
        for (unit, parent) in self.parent.iter().enumerate() {
            if let Some(p) = *parent {
                if p >= n {
                    return Err(TreeError::UnknownParent { unit, parent: p });
                }
                pending_children[p] += 1;
            }
        }
        let mut order: Vec<usize> = (0..n).filter(|&u| pending_children[u] == 0).collect();
        let mut next = 0;
        while next < order.len() {
            let unit = order[next];
            next += 1;
            if let Some(p) = self.parent[unit] {
                pending_children[p] -= 1;
                if pending_children[p] == 0 {
                    order.push(p);
                }
            }
        }
        if order.len() < n {
            // The units never reached are exactly those on a cycle.
            let unit = (0..n).find(|&u| pending_children[u] > 0).unwrap_or(0);
            return Err(TreeError::Cycle { unit });
        }
        Ok(order)
    }

    /// For each unit: its own value plus the subtree sums of its children, in O(n).
    pub fn subtree_sums(&self, own: &[i64]) -> Result<Vec<i64>, TreeError> {
        self.check_len(own.len())?;
        let mut sums = own.to_vec();
        for unit in self.bottom_up()? {
            if let Some(p) = self.parent[unit] {
                sums[p] = sums[p].checked_add(sums[unit]).ok_or(TreeError::Overflow)?;
            }
        }
        Ok(sums)
    }

    /// Like [`Tree::subtree_sums`] for figures some units do not have (base figures):
    /// the sum over the units of the subtree that have one, `None` when none has.
    pub fn subtree_sums_opt(&self, own: &[Option<i64>]) -> Result<Vec<Option<i64>>, TreeError> {
        self.check_len(own.len())?;
        let mut sums = own.to_vec();
        for unit in self.bottom_up()? {
            if let (Some(p), Some(value)) = (self.parent[unit], sums[unit]) {
                sums[p] = Some(match sums[p] {
                    Some(acc) => acc.checked_add(value).ok_or(TreeError::Overflow)?,
                    None => value,
                });
            }
        }
        Ok(sums)
    }

    fn check_len(&self, values: usize) -> Result<(), TreeError> {
        if values != self.parent.len() {
            return Err(TreeError::LengthMismatch { units: self.parent.len(), values });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// For each unit, the sum over every unit whose ancestor chain (itself included)
    /// passes through it. Assumes no cycle.
    fn brute_force(parent: &[Option<usize>], own: &[i64]) -> Vec<i64> {
        let mut sums = vec![0i64; parent.len()];
        for (u, value) in own.iter().enumerate() {
            let mut at = Some(u);
            while let Some(a) = at {
                sums[a] += value;
                at = parent[a];
            }
        }
        sums
    }

    #[test]
    fn province_district_commune() {
        // 0 province, 1–2 districts, 3–5 communes; listed children first on purpose.
        let tree = Tree::new(vec![None, Some(0), Some(0), Some(1), Some(1), Some(2)]);
        // The province and districts report a few trees of their own too.
        let own = [10, 100, 200, 1_000, 2_000, 3_000];
        let sums = tree.subtree_sums(&own).unwrap();
        assert_eq!(sums, vec![6_310, 3_100, 3_200, 1_000, 2_000, 3_000]);
        // The province total is what a person adds up from every report: nothing twice.
        assert_eq!(sums[0], own.iter().sum::<i64>());
    }

    #[test]
    fn children_may_come_before_parents() {
        let tree = Tree::new(vec![Some(2), Some(2), Some(3), None]);
        assert_eq!(tree.subtree_sums(&[1, 2, 4, 8]).unwrap(), vec![1, 2, 7, 15]);
    }

    #[test]
    fn several_roots_and_an_empty_tree() {
        let tree = Tree::new(vec![None, None, Some(0)]);
        assert_eq!(tree.subtree_sums(&[1, 2, 3]).unwrap(), vec![4, 2, 3]);
        assert_eq!(Tree::default().subtree_sums(&[]).unwrap(), Vec::<i64>::new());
    }

    #[test]
    fn cycles_and_bad_parents_are_errors() {
        let self_loop = Tree::new(vec![None, Some(1)]);
        assert_eq!(self_loop.subtree_sums(&[1, 1]), Err(TreeError::Cycle { unit: 1 }));
        // 3 → 1 → 2 → 3 with 0 hanging below the cycle and 4 a separate root.
        let cycle = Tree::new(vec![Some(1), Some(2), Some(3), Some(1), None]);
        let err = cycle.subtree_sums(&[1; 5]).unwrap_err();
        assert_eq!(err, TreeError::Cycle { unit: 1 });
        assert!(err.to_string().contains("vòng lặp"));
        assert!(err.to_string().contains("cycle"));

        let bad = Tree::new(vec![None, Some(7)]);
        assert_eq!(bad.subtree_sums(&[1, 1]), Err(TreeError::UnknownParent { unit: 1, parent: 7 }));
        assert_eq!(Tree::new(vec![None]).subtree_sums(&[1, 2]), Err(TreeError::LengthMismatch { units: 1, values: 2 }));
        assert_eq!(Tree::new(vec![None, Some(0)]).subtree_sums(&[i64::MAX, 1]), Err(TreeError::Overflow));
    }

    #[test]
    fn base_figures_sum_only_where_units_have_them() {
        // Province (no own figure), a district with a figure, a district without,
        // whose communes have none either.
        let tree = Tree::new(vec![None, Some(0), Some(0), Some(1), Some(2)]);
        let own = [None, Some(500), None, Some(120), None];
        assert_eq!(tree.subtree_sums_opt(&own).unwrap(), vec![Some(620), Some(620), None, Some(120), None]);
    }

    /// Random forests of 1–300 units: units are numbered at random, so parents
    /// often come after their children; about one unit in ten is a root.
    fn random_tree() -> impl Strategy<Value = (Vec<Option<usize>>, Vec<i64>)> {
        (1usize..=300).prop_flat_map(|n| {
            (
                Just((0..n).collect::<Vec<usize>>()).prop_shuffle(),
                proptest::collection::vec((0u8..10, any::<prop::sample::Index>()), n),
                proptest::collection::vec(-1_000_000i64..1_000_000, n),
            )
                .prop_map(|(order, links, own)| {
                    // order[k]'s parent is some order[j] with j < k (or none): acyclic.
                    let mut parent = vec![None; order.len()];
                    for k in 1..order.len() {
                        let (dice, pick) = links[k];
                        if dice > 0 {
                            parent[order[k]] = Some(order[pick.index(k)]);
                        }
                    }
                    (parent, own)
                })
        })
    }

    proptest! {
        #[test]
        fn subtree_sums_equal_brute_force((parent, own) in random_tree()) {
            let tree = Tree::new(parent.clone());
            prop_assert_eq!(tree.subtree_sums(&own).unwrap(), brute_force(&parent, &own));
        }

        #[test]
        fn a_cycle_is_always_found(
            (parent, _own) in random_tree(),
            a in any::<prop::sample::Index>(),
        ) {
            // Point a root at one of its descendants (or itself).
            let mut parent = parent;
            let roots: Vec<usize> = (0..parent.len()).filter(|&u| parent[u].is_none()).collect();
            let root = roots[a.index(roots.len())];
            let descendants: Vec<usize> = (0..parent.len())
                .filter(|&u| {
                    let mut at = Some(u);
                    while let Some(x) = at {
                        if x == root {
                            return true;
                        }
                        at = parent[x];
                    }
                    false
                })
                .collect();
            parent[root] = Some(descendants[a.index(descendants.len())]);
            let tree = Tree::new(parent);
            let is_cycle = matches!(
                tree.subtree_sums(&vec![1; tree.len()]),
                Err(TreeError::Cycle { .. })
            );
            prop_assert!(is_cycle);
        }
    }
}
