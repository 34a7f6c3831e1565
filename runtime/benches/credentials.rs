//! What a call pays for credentials once they are cached: one
//! `CredentialsCache::get` on fresh credentials, fixed and temporary.
//!
//! `cargo bench -p aliyun-runtime --bench credentials`

use std::time::{Duration, SystemTime};

use aliyun_runtime::{Credentials, CredentialsCache};
use criterion::{Criterion, criterion_group, criterion_main};
use futures_util::FutureExt as _;

fn lookup(c: &mut Criterion) {
    let fixed = CredentialsCache::new(Credentials::new("LTAI-bench", "bench-secret"));
    let temporary = CredentialsCache::new(
        Credentials::new("STS.bench", "bench-secret")
            .with_security_token("bench-token")
            .with_expiry(SystemTime::now() + Duration::from_secs(3600)),
    );
    for (name, cache) in [("fixed", &fixed), ("temporary", &temporary)] {
        // The first get fetches; every later one is the cached path.
        cache.get().now_or_never().expect("fixed providers answer at once").expect("credentials");
        c.bench_function(&format!("cached credentials lookup ({name})"), |b| {
            b.iter(|| cache.get().now_or_never().expect("a cached lookup never waits").expect("credentials"))
        });
    }
}

criterion_group!(benches, lookup);
criterion_main!(benches);
