//! Messages that differ from one round trip to the next, as real messages do.

/// Makes trip `n`'s message differ from the last ones, as real messages do. LuaJIT interns
/// every string: a new string equal to a live one is found by comparing its bytes
/// instead of being allocated and copied (and later collected), which only a benchmark
/// that sends the same message again and again would measure. And LuaJIT's string hash
/// looks at a few bytes only (the first and last four, and four around a quarter and the
/// middle of the length): messages that differ elsewhere all collide, and a chain of
/// collisions makes it hash every new string whole (`hash_dense` led the 4 KiB profile).
/// So 16 bytes at each of those places change, from a mixed counter (every byte
/// differs), wide enough that the event parameter's prefix (`<pipe>;<id>;`, under 8
/// bytes here) shifts no sampled byte out of them.
pub fn vary(msg: &mut [u8], n: u64) {
    let mixed = n.wrapping_add(1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    let pattern: Vec<u8> = mixed
        .to_le_bytes()
        .iter()
        .chain(mixed.rotate_left(29).to_le_bytes().iter())
        .copied()
        .collect();
    let len = msg.len();
    for at in [
        0,
        (len / 4).saturating_sub(8),
        (len / 2).saturating_sub(8),
        len.saturating_sub(16),
    ] {
        for (b, v) in msg[at..].iter_mut().zip(&pattern) {
            *b = *v;
        }
    }
}
