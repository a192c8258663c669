//! Helpers shared by unit tests.

/// Every string of up to `max_len` pieces of `alphabet`, the empty one included: an
/// exhaustive input set for checking a fast path against its definition.
pub fn strings_over(alphabet: &[&str], max_len: usize) -> Vec<String> {
    let mut strings = vec![String::new()];
    let mut last = strings.clone();
    for _ in 0..max_len {
        last = last
            .iter()
            .flat_map(|s| alphabet.iter().map(move |c| format!("{s}{c}")))
            .collect();
        strings.extend(last.iter().cloned());
    }
    strings
}

#[test]
fn strings_over_counts_every_length() {
    let s = strings_over(&["a", "b"], 3);
    assert_eq!(s.len(), 1 + 2 + 4 + 8);
    assert!(s.contains(&"bab".to_string()) && s.contains(&String::new()));
}
