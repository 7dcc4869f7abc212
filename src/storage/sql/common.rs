/// Upper bound for a prefix range: every string starting with `prefix` sorts below it.
fn prefix_end(prefix: &str) -> String {
    format!("{prefix}\u{10FFFF}")
}
