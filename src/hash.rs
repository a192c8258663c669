//! Hash maps and sets keyed by what the database holds (ids, names): foldhash, several
//! times faster than the standard library's SipHash on short keys. It is seeded per
//! process, so colliding ids cannot be computed in advance without the seed; its
//! resistance to collision attacks is weaker than SipHash's (foldhash calls it
//! minimal), which is enough for maps that live for one session's build. Nothing
//! written depends on their order.

pub type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;
pub type HashSet<T> = std::collections::HashSet<T, foldhash::fast::RandomState>;

/// An empty map with room for `n` entries.
pub fn map_with_capacity<K, V>(n: usize) -> HashMap<K, V> {
    HashMap::with_capacity_and_hasher(n, Default::default())
}
