//! Messages that differ from one round trip to the next, as real messages do.

/// Makes trip `n`'s message differ from the last ones. LuaJIT interns every string: a
/// new string equal to a live one is found by comparing its bytes instead of being
/// allocated and copied (and later collected), which only a benchmark that sends the
/// same message again and again would measure: with one message, 4 KiB round trips of
/// the Lua client ran at 0.95-1.0 of the Rust client, with messages that differ at
/// 0.72-0.78 (2026-12-05). The bytes change at the start, middle and end, so that a
/// string hash that looks at some bytes only still tells the messages apart.
pub fn vary(msg: &mut [u8], n: u64) {
    let len = msg.len();
    for at in [0, len / 2, len.saturating_sub(8)] {
        for (b, v) in msg[at..].iter_mut().zip(n.to_le_bytes()) {
            *b = v;
        }
    }
}
