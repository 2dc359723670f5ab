//! The executor's event trace (trace.rs) from outside: a traced run records
//! each step, spawn, wait, timer wake and exit. (An integration test: the
//! trace module itself stays below the executor, without a cycle.)

#[test]
fn a_traced_run_records_steps_spawns_waits_timer_wakes_and_exits() {
    use std::time::Duration;
    let rt = golang_sched::Runtime::deterministic(1);
    rt.trace();
    rt.block_on(async {
        golang_sched::go(async {
            golang_sched::sleep(Duration::from_millis(5)).await;
        });
        golang_sched::sleep(Duration::from_millis(10)).await;
    })
    .unwrap();
    let text = rt.take_trace().expect("traced").to_text();
    let want = "#> go g1 by outside main\n#> run g1 at 0\n#> park g1 sleep\n#> go g2 by g1 goroutine 2\n\
                #> run g2 at 0\n#> park g2 sleep\n#> wake g2 by timer at 5000000\n#> run g2 at 5000000\n\
                #> exit g2\n#> wake g1 by timer at 10000000\n#> run g1 at 10000000\n#> exit g1\n";
    assert_eq!(text, want);
    assert!(rt.take_trace().is_none(), "taking the trace stops tracing");
}

#[test]
fn a_recorded_run_notes_where_each_goroutine_was_spawned_and_an_unrecorded_one_nothing() {
    let rt = golang_sched::Runtime::deterministic(5);
    rt.record();
    rt.block_on(async {
        golang_sched::go(async {});
        golang_sched::go_local(async {});
        golang_sched::yield_now().await;
    })
    .unwrap();
    let s = rt.take_schedule().expect("recorded");
    let here = format!("{}:", file!());
    assert_eq!(s.spawned_at.len(), 2, "{:?}", s.spawned_at);
    assert!(s.spawned_at.values().all(|at| at.starts_with(&here)), "{:?}", s.spawned_at);
    // recording stopped with take_schedule: the next run notes nothing
    rt.block_on(async { golang_sched::go(async {}) }).unwrap();
    assert!(rt.take_schedule().is_none());
}
