//! Calendar operations per second on one core: `add_workdays`, `is_workday`, `workdays_between`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap in a test is a failed test

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use duban_domain::calendar::Calendar;
use jiff::civil::{Date, date};
use std::hint::black_box;

fn dates() -> Vec<Date> {
    // Every day from March 2015 to November 2025, so results (up to 10 working days back and
    // 30 forward) stay inside the data.
    let mut v = Vec::new();
    let mut d = date(2015, 3, 1);
    while d < date(2025, 12, 1) {
        v.push(d);
        d = d.tomorrow().unwrap();
    }
    v
}

fn bench(c: &mut Criterion) {
    let cal = Calendar::builtin().unwrap();
    let ds = dates();
    let mut g = c.benchmark_group("calendar");
    g.throughput(Throughput::Elements(ds.len() as u64));
    g.bench_function("add_workdays", |b| {
        b.iter(|| {
            for (i, d) in ds.iter().enumerate() {
                black_box(cal.add_workdays(black_box(*d), (i % 41) as i32 - 10).unwrap());
            }
        })
    });
    g.bench_function("is_workday", |b| {
        b.iter(|| {
            for d in &ds {
                black_box(cal.is_workday(black_box(*d)).unwrap());
            }
        })
    });
    g.bench_function("workdays_between", |b| {
        b.iter(|| {
            for (i, d) in ds.iter().enumerate() {
                let other = ds[(i * 7919) % ds.len()];
                black_box(cal.workdays_between(black_box(*d), black_box(other)).unwrap());
            }
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
