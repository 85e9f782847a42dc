//! Round trips through the C ABI client against the Rust server (an echo thread):
//! `x4p_write` a message, then poll `x4p_read` (non-blocking, as the game does each
//! frame, but without waiting for a frame) until the echo is back.
//!
//! Throughput counts the bytes of both directions (2 x message size per round trip).
//! Kept short on purpose (few samples): `cargo bench -p x4pipe-native --bench roundtrip`.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use std::ffi::CString;
use std::time::Duration;
use x4pipe_native as wp;

const SIZES: [(usize, &str); 5] = [
    (16, "16 B"),
    (1024, "1 KiB"),
    (64 * 1024, "64 KiB"),
    (1024 * 1024, "1 MiB"),
    (16 * 1024 * 1024, "16 MiB"),
];

/// An echo server on its own thread; ends when the client closes.
fn echo_server(name: &str) -> std::thread::JoinHandle<()> {
    let mut server = wp::Server::create(name).expect("create server");
    std::thread::spawn(move || {
        let mut conn = server.accept().expect("accept");
        while let Ok(m) = conn.read() {
            if conn.write(&m).is_err() {
                break;
            }
        }
    })
}

fn roundtrip(c: &mut Criterion) {
    #[cfg(unix)]
    std::env::set_var(
        "X4PIPE_SOCKET_DIR",
        std::env::temp_dir().join(format!("x4p-bench-{}", std::process::id())),
    );
    let name = format!("x4p-bench-{}", std::process::id());
    let server = echo_server(&name);
    let cname = CString::new(name.as_str()).unwrap();
    let mut p = std::ptr::null_mut();
    assert_eq!(unsafe { wp::x4p_open(cname.as_ptr(), &mut p) }, wp::X4P_OK);
    // Generous: the bench measures speed, not the timeout.
    unsafe { wp::x4p_set_write_timeout_ms(p, 30_000) };

    let mut group = c.benchmark_group("abi_roundtrip");
    group.sample_size(10);
    group.warm_up_time(Duration::from_millis(300));
    group.measurement_time(Duration::from_secs(2));
    for (size, label) in SIZES {
        let msg: Vec<u8> = (0..size).map(|i| i as u8).collect();
        group.throughput(Throughput::Bytes(2 * size as u64));
        group.bench_with_input(BenchmarkId::from_parameter(label), &msg, |b, msg| {
            b.iter(|| {
                assert_eq!(
                    unsafe { wp::x4p_write(p, msg.as_ptr(), msg.len()) },
                    wp::X4P_OK
                );
                let (mut data, mut len) = (std::ptr::null_mut(), 0usize);
                loop {
                    match unsafe { wp::x4p_read(p, &mut data, &mut len) } {
                        wp::X4P_OK => break,
                        wp::X4P_EMPTY => std::thread::yield_now(),
                        rc => panic!("x4p_read: {rc}"),
                    }
                }
                assert_eq!(len, msg.len());
                unsafe { wp::x4p_free(data, len) };
            });
        });
    }
    group.finish();
    unsafe { wp::x4p_close(p) };
    server.join().unwrap();
}

criterion_group!(benches, roundtrip);
criterion_main!(benches);
